package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/tasks"
)

// TestCLITaskSettingsListed checks that 'rnntrain tasks NAME' (text and
// JSON) lists the settings each preset takes, that 'help config'
// describes every settings key with the tasks that take it, and that
// train refuses a key the listing leaves out for that preset, naming it.
func TestCLITaskSettingsListed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rnntrain(t, dir, "tasks", "context-dm").wantText(t, 0,
		"settings: dt_ms, noise, coherences, fixation_cue, implicit_context,")
	r := rnntrain(t, dir, "tasks", "context-dm", "-json")
	r.want(t, 0)
	var infos []tasks.Info
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &infos))
	byPreset := map[string][]string{}
	for _, in := range infos {
		byPreset[in.Preset.String()] = in.Settings
	}
	if s := byPreset["neurogym"]; !slices.Contains(s, "implicit_context") || slices.Contains(s, "catch_fraction") {
		t.Errorf("context-dm (neurogym) settings %v: want implicit_context and no catch_fraction", s)
	}
	if s := byPreset["dubreuil"]; !slices.Contains(s, "catch_fraction") || slices.Contains(s, "implicit_context") {
		t.Errorf("context-dm (dubreuil) settings %v: want catch_fraction and no implicit_context", s)
	}
	help := rnntrain(t, dir, "help", "config")
	help.want(t, 0)
	for _, h := range tasks.SettingsHelp() {
		if !strings.Contains(help.stdout, "task.settings."+h.Key+" ") {
			t.Errorf("help config does not list task.settings.%s", h.Key)
		}
	}
	help.wantText(t, 0, "catch_fraction", "taken by perceptual-dm (dubreuil, valente), context-dm (dubreuil, valente)")
	file := filepath.Join(dir, "catch.toml")
	require.NoError(t, os.WriteFile(file, []byte("[task]\nname = \"context-dm\"\npreset = \"neurogym\"\n[task.settings]\ncatch_fraction = 0.2\n"), 0o644))
	rnntrain(t, dir, "train", "-config", file, "-steps", "1", "-out", filepath.Join(dir, "run")).
		want(t, 2, "task.settings.catch_fraction: task context-dm (preset neurogym) does not take this setting ('rnntrain tasks context-dm' lists")
}
