package files_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rnntrain/rnntrain/internal/files"
)

// ExampleReadRegular reads a small config file whole, and shows the errors
// for a directory, a file over the size limit and a missing file.
func ExampleReadRegular() {
	dir, err := os.MkdirTemp("", "files-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.json")
	if err := os.WriteFile(path, []byte(`{"seed": 1}`), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	short := func(err error) string {
		return strings.ReplaceAll(filepath.ToSlash(err.Error()), filepath.ToSlash(dir), "DIR")
	}

	data, err := files.ReadRegular(path, 1<<20)
	fmt.Printf("%s %v\n", data, err)

	_, err = files.ReadRegular(dir, 1<<20)
	fmt.Println(short(err))

	_, err = files.ReadRegular(path, 4)
	fmt.Println(short(err))

	_, err = files.ReadRegular(filepath.Join(dir, "none.json"), 1<<20)
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// {"seed": 1} <nil>
	// DIR: not a regular file
	// DIR/run.json: more than 4 bytes
	// true
}
