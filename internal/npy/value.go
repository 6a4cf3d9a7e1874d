package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
)

// EncodeValue writes v as a .npy array, as numpy.save writes
// numpy.array(v): v is a scalar or a nested slice (rectangular, any depth)
// of float32, float64, int32, int64, uint64 or bool, whose nesting gives
// the shape.
// It returns an error for other types and ragged slices. It lets tests and
// tools write arrays of the dtypes Decode refuses, too.
func EncodeValue(w io.Writer, v any) error {
	rv := reflect.ValueOf(v)
	var shape []int
	t := rv.Type()
	for cur := rv; t.Kind() == reflect.Slice; t = t.Elem() {
		shape = append(shape, cur.Len())
		if cur.Len() > 0 {
			cur = cur.Index(0)
		}
	}
	descr := map[reflect.Kind]string{reflect.Float32: "<f4", reflect.Float64: "<f8", reflect.Int32: "<i4",
		reflect.Int64: "<i8", reflect.Uint64: "<u8", reflect.Bool: "|b1"}[t.Kind()]
	if descr == "" {
		return fmt.Errorf("npy: EncodeValue: element type %v is not float32, float64, int32, int64, uint64 or bool", t)
	}
	flat := reflect.MakeSlice(reflect.SliceOf(t), 0, 0)
	if len(shape) == 0 {
		flat = reflect.Append(flat, rv)
	}
	// Walk down to the innermost slices and append each whole.
	var walk func(x reflect.Value, depth int) error
	walk = func(x reflect.Value, depth int) error {
		if x.Len() != shape[depth] {
			return fmt.Errorf("npy: EncodeValue: ragged slice: length %d at depth %d, want %d", x.Len(), depth, shape[depth])
		}
		if depth == len(shape)-1 {
			flat = reflect.AppendSlice(flat, x)
			return nil
		}
		for i := range x.Len() {
			if err := walk(x.Index(i), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if len(shape) > 0 {
		if err := walk(rv, 0); err != nil {
			return err
		}
	}
	if err := WriteHeader(w, Header{Descr: descr, Shape: shape}); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, flat.Interface())
}

// WriteArchiveValues writes each value of arrays (see EncodeValue) as
// member NAME.npy of an .npz file at path, in name order, atomically (a
// temporary file and a rename). Errors name path.
func WriteArchiveValues(path string, arrays map[string]any) error {
	return writeAtomic(path, func(f io.Writer) error { return EncodeArchiveValues(f, arrays) })
}

// EncodeArchiveValues writes to w the .npz archive WriteArchiveValues
// writes to a file: the same bytes for the same arrays, so that a caller
// can tell a file from what would be written there (by a hash of both).
func EncodeArchiveValues(f io.Writer, arrays map[string]any) error {
	w := NewArchiveWriter(f)
	for _, name := range slices.Sorted(maps.Keys(arrays)) {
		if err := w.AddValue(name, arrays[name]); err != nil {
			return fmt.Errorf("array %s: %w", name, err)
		}
	}
	return w.Close()
}
