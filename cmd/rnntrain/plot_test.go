package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkFigure fails unless path holds a usable figure of the format its
// extension names: a PNG that decodes to at least 300×200 pixels, an SVG
// that parses as XML with an <svg> root and drawn paths, a PDF with its
// header and trailer.
func checkFigure(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	switch filepath.Ext(path) {
	case ".png":
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: %v", path, err)
		} else if r := img.Bounds(); r.Dx() < 300 || r.Dy() < 200 {
			t.Errorf("%s: image %v, want at least 300×200", path, r)
		}
	case ".svg":
		if err := checkSVG(b); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	case ".pdf":
		if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) {
			t.Errorf("%s: not a PDF (%d bytes)", path, len(b))
		}
	default:
		t.Errorf("%s: unexpected figure format", path)
	}
}

// checkSVG parses b as XML and checks the root is <svg> and it draws.
func checkSVG(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	root, paths := "", 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			if se.Name.Local == "path" {
				paths++
			}
		}
	}
	if root != "svg" || paths < 10 {
		return errors.New("root <" + root + ">, want <svg> with drawn paths")
	}
	return nil
}

// checkFigures checks dir/NAME.EXT for every name and extension.
func checkFigures(t *testing.T, dir string, names []string, exts ...string) {
	t.Helper()
	for _, n := range names {
		for _, e := range exts {
			checkFigure(t, filepath.Join(dir, n+"."+strings.TrimPrefix(e, ".")))
		}
	}
}
