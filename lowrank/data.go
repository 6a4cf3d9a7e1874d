package lowrank

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Data is a set of recorded trajectories to fit: one trial-averaged
// trajectory per condition, all of T steps. Arrays are condition-major:
// element (c, t, i) of Activity is Activity[(c*T+t)*Units+i], likewise
// Inputs with NIn and Mask with Units.
type Data struct {
	Conditions, T, Units, NIn int
	// Activity is the recorded activity [conditions, T, units] (rates or
	// PSTHs, best centred and scaled into (−1, 1): the fitted network
	// reproduces it with tanh units).
	Activity []float32
	// Inputs are the inputs [conditions, T, n_in] that drove each
	// condition.
	Inputs []float32
	// Mask weighs each entry of Activity in the loss and in R²
	// ([conditions, T, units], ≥ 0; a file's [conditions, T] mask is
	// repeated over the units); all ones when the file has none.
	Mask []float32
	// DtMS is the time step in ms, 0 when the file does not say.
	DtMS float64
	// Source names where the data came from (the file), for messages.
	Source string
}

// maxMember bounds the uncompressed size of one array read from a file:
// 2 GiB, far above any recording this package is meant to fit.
const maxMember = 1 << 31

// LoadData reads a recording to fit from path:
//
//   - an .npz archive with the arrays activity [conditions, T, units] and
//     inputs [conditions, T, n_in], and optionally mask [conditions, T] or
//     [conditions, T, units] and dt (a scalar, ms);
//   - an .npz written by `rnntrain eval -record`: its hidden array
//     [trials, T, N] is the activity and inputs the inputs (its mask, which
//     weighs the task outputs, is not used);
//   - a directory holding activity.npy, inputs.npy and optionally mask.npy
//     and dt.npy.
//
// Arrays are float32 or float64 in C order (mask may also be bool), and
// every value must be finite; mask values ≥ 0 with a positive sum. Every
// error names the file and the array and says what was expected. The
// reader allocates at most the file's size (plus a constant) per array.
func LoadData(path string) (*Data, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", path, err)
	}
	var arrays map[string]array
	if st.IsDir() {
		arrays, err = readDir(path)
	} else {
		var b []byte
		b, err = os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("data %s: %w", path, err)
		}
		arrays, err = readNPZ(b)
	}
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", path, err)
	}
	d, err := dataFromArrays(arrays)
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", path, err)
	}
	d.Source = path
	return d, nil
}

// array is one numeric array read from a file, converted to float64.
type array struct {
	shape []int
	data  []float64
	bool  bool // the file stored it as bool
}

// readDir reads the .npy files of a data directory.
func readDir(dir string) (map[string]array, error) {
	out := map[string]array{}
	for _, name := range []string{"activity", "inputs", "mask", "dt"} {
		p := filepath.Join(dir, name+".npy")
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		a, err := readNPY(b)
		if err != nil {
			return nil, fmt.Errorf("%s.npy: %w", name, err)
		}
		out[name] = a
	}
	return out, nil
}

// readNPZ reads every array of an .npz archive held in b, keyed by its
// name without the ".npy" suffix. Arrays other than the ones LoadData uses
// are skipped unread.
func readNPZ(b []byte) (map[string]array, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("not an .npz archive (%v)", err)
	}
	used := []string{"activity", "inputs", "mask", "dt", "rates", "hidden"}
	out := map[string]array{}
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, ".npy")
		if !slices.Contains(used, name) {
			continue
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("array %s appears twice", name)
		}
		if f.UncompressedSize64 > maxMember {
			return nil, fmt.Errorf("array %s: %d bytes, more than the %d this reader accepts", name, f.UncompressedSize64, int64(maxMember))
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("array %s: %w", name, err)
		}
		raw, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("array %s: %w", name, err)
		}
		if uint64(len(raw)) != f.UncompressedSize64 {
			return nil, fmt.Errorf("array %s: %d bytes, the archive says %d", name, len(raw), f.UncompressedSize64)
		}
		a, err := readNPY(raw)
		if err != nil {
			return nil, fmt.Errorf("array %s: %w", name, err)
		}
		out[name] = a
	}
	return out, nil
}

// readNPY parses one .npy file held in b: float32, float64 or bool, C
// order, format version 1, 2 or 3. It checks that the data hold exactly
// the header's shape before converting them, so it allocates at most a few
// times len(b), and it never panics on malformed input.
func readNPY(b []byte) (a array, err error) {
	h, data, err := parseNPYHeader(b)
	if err != nil {
		return a, err
	}
	if h.fortran {
		return a, errors.New("stored in Fortran order; save a C-ordered array (numpy.ascontiguousarray)")
	}
	var size int
	switch h.descr {
	case "<f4":
		size = 4
	case "<f8":
		size = 8
	case "|b1":
		size = 1
	default:
		return a, fmt.Errorf("dtype %s, want float32 (<f4), float64 (<f8) or bool", h.descr)
	}
	n := 1
	for _, s := range h.shape {
		if s > 0 && n > len(data)/s {
			return a, fmt.Errorf("shape %v does not fit in the file's %d bytes", h.shape, len(b))
		}
		n *= s
	}
	if n*size != len(data) {
		return a, fmt.Errorf("shape %v of %s needs %d bytes of data, the file has %d", h.shape, h.descr, n*size, len(data))
	}
	a.shape = h.shape
	a.data = make([]float64, n)
	switch size {
	case 4:
		for i := range a.data {
			a.data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])))
		}
	case 8:
		for i := range a.data {
			a.data[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
	case 1:
		a.bool = true
		for i, v := range data {
			if v > 1 {
				return a, fmt.Errorf("bool array holds byte %d at flat index %d", v, i)
			}
			a.data[i] = float64(v)
		}
	}
	return a, nil
}

// npyHeader is the parsed header dictionary of a .npy file.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// parseNPYHeader parses the magic, version and header dictionary of the
// .npy file b ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), })
// and returns it with the bytes after the header.
func parseNPYHeader(b []byte) (npyHeader, []byte, error) {
	var h npyHeader
	bad := func(why string) (npyHeader, []byte, error) {
		return h, nil, fmt.Errorf("not a valid .npy array (%s)", why)
	}
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return bad("no \\x93NUMPY magic")
	}
	var hlen, off int
	switch b[6] {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:])), 10
	case 2, 3:
		if len(b) < 12 {
			return bad("truncated header")
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[8:])), 12
	default:
		return bad(fmt.Sprintf("format version %d", b[6]))
	}
	if hlen > len(b)-off {
		return bad(fmt.Sprintf("header of %d bytes in a file of %d", hlen, len(b)))
	}
	dict := strings.TrimSpace(string(b[off : off+hlen]))
	rest := b[off+hlen:]
	if !strings.HasPrefix(dict, "{") || !strings.HasSuffix(dict, "}") {
		return bad("header is not a dictionary")
	}
	dict = dict[1 : len(dict)-1]
	seen := 0
	for dict = strings.TrimSpace(dict); dict != ""; dict = strings.TrimSpace(dict) {
		key, after, ok := npyString(dict)
		if !ok {
			return bad("header key is not a string")
		}
		after = strings.TrimSpace(after)
		if !strings.HasPrefix(after, ":") {
			return bad("header key without a value")
		}
		after = strings.TrimSpace(after[1:])
		switch key {
		case "descr":
			v, r, ok := npyString(after)
			if !ok {
				return bad("descr is not a string")
			}
			h.descr, after = v, r
		case "fortran_order":
			switch {
			case strings.HasPrefix(after, "False"):
				h.fortran, after = false, after[5:]
			case strings.HasPrefix(after, "True"):
				h.fortran, after = true, after[4:]
			default:
				return bad("fortran_order is not True or False")
			}
		case "shape":
			end := strings.IndexByte(after, ')')
			if !strings.HasPrefix(after, "(") || end < 0 {
				return bad("shape is not a tuple")
			}
			h.shape = []int{}
			for tok := range strings.SplitSeq(after[1:end], ",") {
				tok = strings.TrimSpace(tok)
				if tok == "" {
					continue
				}
				v, err := strconv.Atoi(tok)
				if err != nil || v < 0 {
					return bad(fmt.Sprintf("shape entry %q", tok))
				}
				h.shape = append(h.shape, v)
			}
			after = after[end+1:]
		default:
			return bad(fmt.Sprintf("unknown header key %q", key))
		}
		seen++
		after = strings.TrimSpace(after)
		if strings.HasPrefix(after, ",") {
			after = after[1:]
		} else if strings.TrimSpace(after) != "" {
			return bad("header entries not separated by commas")
		}
		dict = after
	}
	if seen != 3 || h.shape == nil || h.descr == "" {
		return bad("header lacks descr, fortran_order or shape")
	}
	return h, rest, nil
}

// npyString reads a quoted Python string literal (no escapes) at the start
// of s and returns it and the rest of s.
func npyString(s string) (string, string, bool) {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return "", s, false
	}
	end := strings.IndexByte(s[1:], s[0])
	if end < 0 {
		return "", s, false
	}
	return s[1 : 1+end], s[2+end:], true
}

// dataFromArrays checks the arrays' shapes and values and assembles Data.
func dataFromArrays(arrays map[string]array) (*Data, error) {
	act, ok := arrays["activity"]
	actName := "activity"
	for _, name := range []string{"rates", "hidden"} { // eval -record's, now and before
		if !ok {
			act, ok = arrays[name]
			actName = name
		}
	}
	if !ok {
		var have []string
		for k := range arrays {
			have = append(have, k)
		}
		slices.Sort(have)
		return nil, fmt.Errorf("no array activity (nor rates, as eval -record writes); found %q; want activity [conditions, T, units], inputs [conditions, T, n_in], optional mask and dt", have)
	}
	if err := check3(actName, act, nil, "[conditions, T, units]"); err != nil {
		return nil, err
	}
	in, ok := arrays["inputs"]
	if !ok {
		return nil, errors.New("no array inputs; want inputs [conditions, T, n_in] beside " + actName)
	}
	c, T, units := act.shape[0], act.shape[1], act.shape[2]
	if err := check3("inputs", in, act.shape[:2], fmt.Sprintf("[%d, %d, n_in] (conditions and T as in %s)", c, T, actName)); err != nil {
		return nil, err
	}
	d := &Data{Conditions: c, T: T, Units: units, NIn: in.shape[2]}
	d.Activity, d.Inputs = toFloat32(act.data), toFloat32(in.data)
	d.Mask = make([]float32, len(d.Activity))
	if m, ok := arrays["mask"]; ok && actName == "activity" { // a recording's mask is the readout's
		if err := fillMask(d, m); err != nil {
			return nil, err
		}
	} else {
		for i := range d.Mask {
			d.Mask[i] = 1
		}
	}
	if dt, ok := arrays["dt"]; ok {
		if len(dt.data) != 1 || len(dt.shape) > 1 || dt.bool {
			return nil, fmt.Errorf("array dt has shape %v; want a scalar (the step in ms)", dt.shape)
		}
		if v := dt.data[0]; !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("array dt is %v; want a positive finite step in ms", v)
		}
		d.DtMS = dt.data[0]
	}
	return d, nil
}

// check3 checks that a is a 3-d float array with every size ≥ 1, leading
// dimensions lead (unless nil) and finite values.
func check3(name string, a array, lead []int, want string) error {
	if a.bool {
		return fmt.Errorf("array %s is bool; want float32 or float64 %s", name, want)
	}
	if len(a.shape) != 3 || a.shape[0] < 1 || a.shape[1] < 1 || a.shape[2] < 1 {
		return fmt.Errorf("array %s has shape %v; want %s with every size ≥ 1", name, a.shape, want)
	}
	if lead != nil && (a.shape[0] != lead[0] || a.shape[1] != lead[1]) {
		return fmt.Errorf("array %s has shape %v; want %s", name, a.shape, want)
	}
	return checkFinite(name, a)
}

func checkFinite(name string, a array) error {
	for i, v := range a.data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("array %s has the non-finite value %v at %v", name, v, unflatten(i, a.shape))
		}
	}
	return nil
}

// fillMask checks a mask of shape [c, T] or [c, T, units] and writes it,
// repeated over the units, into d.Mask.
func fillMask(d *Data, m array) error {
	want := fmt.Sprintf("[%d, %d] or [%d, %d, %d] (conditions, T and units as in activity)", d.Conditions, d.T, d.Conditions, d.T, d.Units)
	per := len(m.shape) == 3
	if !(len(m.shape) == 2 && m.shape[0] == d.Conditions && m.shape[1] == d.T) &&
		!(per && m.shape[0] == d.Conditions && m.shape[1] == d.T && m.shape[2] == d.Units) {
		return fmt.Errorf("array mask has shape %v; want %s", m.shape, want)
	}
	if err := checkFinite("mask", m); err != nil {
		return err
	}
	sum := 0.0
	for i, v := range m.data {
		if v < 0 {
			return fmt.Errorf("array mask has the negative value %v at %v; want values ≥ 0", v, unflatten(i, m.shape))
		}
		sum += v
	}
	if !(sum > 0) {
		return errors.New("array mask is zero everywhere; nothing would be fitted")
	}
	for i := range d.Mask {
		if per {
			d.Mask[i] = float32(m.data[i])
		} else {
			d.Mask[i] = float32(m.data[i/d.Units])
		}
	}
	return nil
}

func toFloat32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// unflatten returns the index of flat position i in an array of shape.
func unflatten(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			idx[k] = i % shape[k]
			i /= shape[k]
		}
	}
	return idx
}

// Subset returns the data of the conditions idx, in that order, sharing
// nothing with d. It panics if an index is out of range.
func (d *Data) Subset(idx []int) *Data {
	out := &Data{Conditions: len(idx), T: d.T, Units: d.Units, NIn: d.NIn, DtMS: d.DtMS, Source: d.Source}
	a, in := d.T*d.Units, d.T*d.NIn
	for _, c := range idx {
		if c < 0 || c >= d.Conditions {
			panic(fmt.Sprintf("lowrank: Data.Subset condition %d of %d", c, d.Conditions))
		}
		out.Activity = append(out.Activity, d.Activity[c*a:(c+1)*a]...)
		out.Mask = append(out.Mask, d.Mask[c*a:(c+1)*a]...)
		out.Inputs = append(out.Inputs, d.Inputs[c*in:(c+1)*in]...)
	}
	return out
}
