package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/internal/files"
)

// Format is a file format a figure is written in. A figure's format is
// its file name's extension: ".png", ".svg" or ".pdf".
type Format int

const (
	// PNG is a raster image at pngDPI dots per inch.
	PNG Format = iota + 1
	// SVG is a vector image; its text names the font (Liberation) rather
	// than embedding it.
	SVG
	// PDF is a vector document with the fonts embedded.
	PDF
)

// pngDPI is the resolution of PNG figures.
const pngDPI = 110

func formatNames() []string { return []string{"", "png", "svg", "pdf"} }

// String returns the format's name and file extension without the dot:
// "png", "svg" or "pdf".
func (f Format) String() string {
	if f < PNG || f > PDF {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames()[f]
}

// Ext returns the file extension of f, with the dot.
func (f Format) Ext() string { return "." + f.String() }

// MarshalText implements encoding.TextMarshaler.
func (f Format) MarshalText() ([]byte, error) {
	if f < PNG || f > PDF {
		return nil, fmt.Errorf("plots: invalid format %d", int(f))
	}
	return []byte(f.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts png, svg
// and pdf in any case.
func (f *Format) UnmarshalText(b []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(b)))
	for i, n := range formatNames() {
		if i > 0 && n == s {
			*f = Format(i)
			return nil
		}
	}
	return fmt.Errorf("unknown plot format %q; valid formats: png, svg, pdf%s", string(b), enum.Hint(s, formatNames()[1:]))
}

// formatOf returns the format named by path's extension.
func formatOf(path string) (Format, error) {
	var f Format
	ext := strings.TrimPrefix(filepath.Ext(path), ".")
	if err := f.UnmarshalText([]byte(ext)); err != nil {
		return 0, fmt.Errorf("plots: %s: the extension names no format: want .png, .svg or .pdf", path)
	}
	return f, nil
}

// Formats is the set of formats each figure is written in, in order and
// without repeats. As text it is a comma-separated list, "png,svg".
type Formats []Format

// DefaultFormats returns the formats a run's figures are written in when
// none are configured: PNG to look at, SVG to edit and print.
func DefaultFormats() Formats { return Formats{PNG, SVG} }

// ParseFormats parses a comma-separated list of format names
// ("png,svg,pdf"). It returns an error naming the bad entry for an unknown
// or repeated name or an empty list.
func ParseFormats(s string) (Formats, error) {
	var fs Formats
	for part := range strings.SplitSeq(s, ",") {
		var f Format
		if err := f.UnmarshalText([]byte(part)); err != nil {
			return nil, err
		}
		for _, g := range fs {
			if g == f {
				return nil, fmt.Errorf("plot format %s given twice", f)
			}
		}
		fs = append(fs, f)
	}
	return fs, nil
}

// String returns the comma-separated list of the formats' names.
func (fs Formats) String() string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.String()
	}
	return strings.Join(names, ",")
}

// MarshalText implements encoding.TextMarshaler: "png,svg".
func (fs Formats) MarshalText() ([]byte, error) {
	for _, f := range fs {
		if _, err := f.MarshalText(); err != nil {
			return nil, err
		}
	}
	return []byte(fs.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (see ParseFormats).
func (fs *Formats) UnmarshalText(b []byte) error {
	v, err := ParseFormats(string(b))
	if err != nil {
		return err
	}
	*fs = v
	return nil
}

// Paths returns base with each format's extension appended, in order:
// Paths("plots/curves") = ["plots/curves.png", "plots/curves.svg"]. An
// empty set gives DefaultFormats' paths.
func (fs Formats) Paths(base string) []string {
	if len(fs) == 0 {
		fs = DefaultFormats()
	}
	ps := make([]string, len(fs))
	for i, f := range fs {
		ps[i] = base + f.Ext()
	}
	return ps
}

// newCanvas returns a w×h canvas of format f with a white background.
func newCanvas(f Format, w, h vg.Length) (vg.CanvasWriterTo, draw.Canvas) {
	var c vg.CanvasWriterTo
	switch f {
	case SVG:
		c = vgsvg.New(w, h)
	case PDF:
		c = vgpdf.New(w, h)
	default:
		return pngCanvas(w, h)
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	return c, dc
}

func pngCanvas(w, h vg.Length) (vg.CanvasWriterTo, draw.Canvas) {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI), vgimg.UseBackgroundColor(color.White))
	return vgimg.PngCanvas{Canvas: c}, draw.New(c)
}

// writeCanvas encodes c and writes it to path through a temporary file in
// the same directory, so a reader never sees half a figure. It first
// removes the temporary files of figure writes a dead process left in
// that directory (removeStale).
func writeCanvas(path string, c vg.CanvasWriterTo) error {
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return fmt.Errorf("plots: encode %s: %w", path, err)
	}
	removeStale(filepath.Dir(path))
	tmp, err := os.CreateTemp(filepath.Dir(path), fmt.Sprintf("%s%s-%d-*", tempPrefix, tempHost(), os.Getpid()))
	if err != nil {
		return fmt.Errorf("plots: write %s: %w", path, err)
	}
	fail := func(err error) error {
		os.Remove(tmp.Name())
		return fmt.Errorf("plots: write %s: %w", path, err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(err)
	}
	return nil
}

// tempPrefix begins the name of a figure's temporary file,
// ".plot-HOST-PID-RANDOM": the host and process that write it, so that a
// later write can tell one its process left (killed by SIGKILL, which
// cannot be caught, or a crash) from one being written.
const tempPrefix = ".plot-"

// legacyTempAge is the age beyond which a temporary file without host and
// process (".plot-RANDOM", of earlier versions) is stale: no figure takes
// that long to write.
const legacyTempAge = time.Hour

// tempHost is this host's name as it appears in temporary files' names:
// only letters, digits, '.' and '_' (a '-' would make the name ambiguous).
func tempHost() string {
	host, _ := os.Hostname()
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return r
		}
		return '_'
	}, host)
}

// removeStale removes from dir the temporary files of figure writes that
// cannot end: those of this host whose process no longer runs, and those
// without host and process older than legacyTempAge. Another host's, or
// a live process's, are left alone. It is best effort: an error leaves
// the files, and the figure's own write reports a directory it cannot
// write.
func removeStale(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	host := tempHost()
	for _, e := range ents {
		if e.Type().IsRegular() && staleTemp(e, host) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// staleTemp reports whether the directory entry e is a figure's temporary
// file that no process of host will rename.
func staleTemp(e os.DirEntry, host string) bool {
	rest, ok := strings.CutPrefix(e.Name(), tempPrefix)
	if !ok {
		return false
	}
	if isDigits(rest) {
		info, err := e.Info()
		return err == nil && time.Since(info.ModTime()) > legacyTempAge
	}
	rest, random, ok := cutLast(rest)
	if !ok || !isDigits(random) {
		return false
	}
	h, p, ok := cutLast(rest)
	if !ok || h != host || !isDigits(p) {
		return false
	}
	pid, err := strconv.Atoi(p)
	return err == nil && pid != os.Getpid() && !files.Alive(pid)
}

// cutLast slices s around its last '-'.
func cutLast(s string) (before, after string, found bool) {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// isDigits reports whether s is a non-empty run of decimal digits.
func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
