package sweep

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// script is Script for point 0 with the binary /bin/rnntrain; it fails
// the test on an error.
func script(t *testing.T, o Options, dir string) string {
	t.Helper()
	s, err := Script(o, dir, "/bin/rnntrain", []int{0})
	if err != nil {
		t.Fatalf("Script(dir %q): %v", dir, err)
	}
	return s
}

// sbatchWords splits the options of an #SBATCH line (the text after
// #SBATCH) as sbatch does (Slurm's src/sbatch/opt.c, _get_argument):
// words end at white space; a backslash takes the next character as
// itself; '…' or "…" group; an unquoted # ends the line.
func sbatchWords(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	in, quote, esc, inWord := false, byte(0), false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case esc:
			esc = false
		case c == '\\':
			esc, inWord = true, true
			continue
		case in:
			if c == quote {
				in = false
				continue
			}
		case c == '"' || c == '\'':
			in, quote, inWord = true, c, true
			continue
		case c == '#':
			i = len(line)
			continue
		case c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
			continue
		}
		w.WriteByte(c)
		inWord = true
	}
	if in {
		return nil, fmt.Errorf("unmatched %c", quote)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// sbatchOutput is the --output value sbatch reads from sc: its one
// #SBATCH --output line must hold that one option.
func sbatchOutput(t *testing.T, sc string) string {
	t.Helper()
	var got []string
	for _, l := range strings.Split(sc, "\n") {
		rest, ok := strings.CutPrefix(l, "#SBATCH")
		if !ok {
			continue
		}
		words, err := sbatchWords(rest)
		if err != nil {
			t.Fatalf("sbatch reads %q: %v", l, err)
		}
		for _, w := range words {
			if v, ok := strings.CutPrefix(w, "--output="); ok {
				got = append(got, v)
			}
		}
		if strings.Contains(l, "--output=") && len(words) != 1 {
			t.Fatalf("sbatch reads %q as %q, want one option", l, words)
		}
	}
	if len(got) != 1 {
		t.Fatalf("script has %d --output options, want 1:\n%s", len(got), sc)
	}
	return got[0]
}

// fillPattern fills in an --output pattern as Slurm does for a batch job
// (src/slurmd/common/fname.c): %% is %, %A the array job, %a the task;
// any other %-pattern becomes <%x>, so that a test sees it was taken as
// one. A backslash turns every pattern off (and is dropped).
func fillPattern(p, job, task string) string {
	if strings.Contains(p, `\`) {
		return strings.ReplaceAll(p, `\`, "")
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' || i+1 == len(p) {
			b.WriteByte(p[i])
			continue
		}
		switch c := p[i+1]; {
		case c == '%':
			b.WriteByte('%')
		case c == 'A':
			b.WriteString(job)
		case c == 'a':
			b.WriteString(task)
		case strings.IndexByte("jJnNstux0123456789", c) >= 0:
			b.WriteString("<%" + string(c) + ">")
		default:
			b.WriteByte('%')
			continue
		}
		i++
	}
	return b.String()
}

// runPointDir is the directory the script's exec line gives -run-point,
// read as a POSIX shell reads the words of that line ('…' literal, \x
// as x, "…" literal here as it holds only $SLURM_ARRAY_TASK_ID); anything
// else the shell would expand fails the test.
func runPointDir(t *testing.T, sc string) string {
	t.Helper()
	var line string
	for _, l := range strings.Split(sc, "\n") {
		if strings.HasPrefix(l, "exec ") {
			line = l
		}
	}
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case ' ':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		case '\'', '"':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				t.Fatalf("exec line %q: unmatched %c", line, c)
			}
			if c == '"' && line[i+1:i+1+j] != "$SLURM_ARRAY_TASK_ID" {
				t.Fatalf("exec line %q: double quotes around %q", line, line[i+1:i+1+j])
			}
			w.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case '\\':
			if i+1 == len(line) {
				t.Fatalf("exec line %q: ends in a backslash", line)
			}
			w.WriteByte(line[i+1])
			i++
			inWord = true
		default:
			if strings.IndexByte("$`;&|<>()*?[]{}~#=\t", c) >= 0 {
				t.Fatalf("exec line %q: unquoted %c", line, c)
			}
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	if len(words) != 6 || words[0] != "exec" || words[2] != "sweep" || words[3] != "-run-point" || words[5] != "$SLURM_ARRAY_TASK_ID" {
		t.Fatalf("exec line %q: words %q", line, words)
	}
	return words[4]
}

// TestScriptPaths: a sweep directory with spaces, quotes, $, #, % or a
// leading dash reaches sbatch's --output and the shell's -run-point as
// itself, and the script is one line per option (the partition too); a
// directory or output sbatch cannot be given as written is refused.
func TestScriptPaths(t *testing.T) {
	for _, dir := range []string{"/sw", "/sw p", `/a "b" 'c'`, "/$(id) `id` $HOME", "/x #y", "/50%a%A %%", "/-x/é"} {
		sc := script(t, DefaultOptions(), dir)
		assert.Equal(t, filepath.Join(dir, "logs", "slurm-42_7.out"), fillPattern(sbatchOutput(t, sc), "42", "7"), "dir %q", dir)
		assert.Equal(t, dir, runPointDir(t, sc), "dir %q", dir)
		assert.Len(t, strings.Split(sc, "\n"), 12, "dir %q:\n%s", dir, sc)
	}
	o := DefaultOptions()
	o.Output = "/logs/a b/%A-%a.out"
	assert.Equal(t, "/logs/a b/42-7.out", fillPattern(sbatchOutput(t, script(t, o, "/sw")), "42", "7"))

	// The partition is checked where it is set and again in Script (a
	// record holds options Set did not see).
	o = DefaultOptions()
	o.Partition = "debug --wrap=id"
	_, err := Script(o, "/sw", "/bin/rnntrain", []int{0})
	assert.ErrorContains(t, err, "sweep.partition")
	for _, dir := range []string{`/a\b`, "/a\nb", "/a\tb", "/a\x7fb"} {
		_, err := Script(DefaultOptions(), dir, "/bin/rnntrain", []int{0})
		assert.ErrorContains(t, err, fmt.Sprintf("sweep directory %q", dir))
		assert.ErrorContains(t, err, "backslashes or control characters")
	}
}

// TestScriptRuns runs the script's commands with bash and a stand-in
// binary: the directory, with a quote, $ and a space in it, arrives as one
// argument.
func TestScriptRuns(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin '$x")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" \"$GOMAXPROCS\"\n"), 0o755))
	dir := filepath.Join(tmp, `sw p'"$HOME`)
	sc, err := Script(DefaultOptions(), dir, bin, []int{3})
	require.NoError(t, err)
	cmd := exec.Command(bash, "-c", sc)
	cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID=3")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "sweep\n-run-point\n"+dir+"\n3\n1\n", string(out))
}

// TestSlurmValueErrorShort checks that an over-long bad value is quoted in
// part, with its length, rather than whole.
func TestSlurmValueErrorShort(t *testing.T) {
	long := strings.Repeat("é", 30) + strings.Repeat("x;", 5000)
	for _, key := range []string{"job_name", "time", "mem", "partition"} {
		var o Options
		err := o.Set(key, long)
		if err == nil {
			t.Fatalf("%s: a 10 060-byte value with ';' was accepted", key)
		}
		if msg := err.Error(); len(msg) > 400 || !strings.Contains(msg, "bytes)") && !strings.Contains(msg, "characters") {
			t.Errorf("%s: error of %d bytes, want the value shortened: %.200s", key, len(msg), msg)
		}
	}
	if got, want := quoteShort(strings.Repeat("é", 30)), `"`+strings.Repeat("é", 20)+`"… (60 bytes)`; got != want {
		t.Errorf("quoteShort = %s, want %s", got, want)
	}
}
