package lowrank

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/rnntrain/rnntrain/internal/npy"
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
	// repeated over the units); all ones when the file has none; 0 after
	// each condition's end when the file gives its length.
	Mask []float32
	// DtMS is the time step in ms, 0 when the file does not say.
	DtMS float64
	// Source names where the data came from (the file), for messages.
	Source string
}

// LoadData reads a recording to fit from path:
//
//   - an .npz archive with the arrays activity [conditions, T, units] and
//     inputs [conditions, T, n_in], and optionally mask [conditions, T] or
//     [conditions, T, units], dt (a scalar, ms) and length [conditions]
//     (integers in [1, T]: the steps after a condition's length get mask
//     0);
//   - an .npz written by `rnntrain eval -record`: its rates (an older
//     recording's hidden) [trials, T, N] are the activity and inputs the
//     inputs (its mask, which weighs the task outputs, is not used), and
//     its length [trials] ends each trial: the steps after it, padding
//     of trials shorter than the longest, get mask 0;
//   - a directory holding activity.npy, inputs.npy and optionally mask.npy,
//     dt.npy and length.npy.
//
// Arrays are float32 or float64 in C order (mask may also be bool), and
// every value a fit uses must be finite; mask values ≥ 0 with a positive
// sum. The activity where the mask is 0 and the inputs after a
// condition's last step with a positive mask may be NaN or infinite (the
// padding of recordings) and are read as 0 (checkUsedFinite). Every
// error names the file and the array and says what was expected. Headers
// and shapes are checked against the sizes of the files and archive
// members before anything is allocated (package internal/npy), so an array
// takes at most a few times its stored size.
func LoadData(path string) (*Data, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", path, err)
	}
	var arrays map[string]array
	if st.IsDir() {
		arrays, err = readDir(path)
	} else {
		arrays, err = readNPZ(path)
	}
	if ce := (contentError{}); errors.As(err, &ce) {
		return nil, fmt.Errorf("data %s: %w", path, ce.error)
	}
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
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

// readDir reads the .npy files of a data directory (npy.ReadFile: headers
// and shapes checked against the file sizes before any allocation). Errors
// name the file.
func readDir(dir string) (map[string]array, error) {
	out := map[string]array{}
	for _, name := range dataArrays() {
		read := npy.ReadFile
		if name == "length" {
			read = npy.ReadFileNumeric
		}
		a, err := read(filepath.Join(dir, name+".npy"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[name] = fromNPY(a)
	}
	return out, nil
}

// readNPZ reads the arrays LoadData uses from the .npz archive at path,
// keyed by name without the ".npy" suffix (npy.Archive: every member's
// declared size and shape checked before any allocation). Errors name the
// file and the array.
func readNPZ(path string) (map[string]array, error) {
	f, err := npy.OpenArchive(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readArchive(f)
}

// readArchive reads the arrays LoadData uses from an open archive. A
// file without the activity or the inputs, or with their shapes at odds,
// is refused from the names and headers, before any data is read: either
// array may inflate to gigabytes (an archive's members may be compressed).
func readArchive(f *npy.Archive) (map[string]array, error) {
	var have []string
	for _, name := range append(dataArrays(), "rates", "hidden") {
		if f.Has(name) {
			have = append(have, name)
		}
	}
	act, err := activityOf(have)
	if err != nil {
		return nil, contentError{err}
	}
	ha, err := f.Header(act)
	if err != nil {
		return nil, err
	}
	hi, err := f.Header("inputs")
	if err != nil {
		return nil, err
	}
	if err := checkShape3(act, ha.Shape, ha.Descr == "|b1", nil, "[conditions, T, units]"); err != nil {
		return nil, contentError{err}
	}
	c, T := ha.Shape[0], ha.Shape[1]
	if err := checkShape3("inputs", hi.Shape, hi.Descr == "|b1", ha.Shape[:2], fmt.Sprintf("[%d, %d, n_in] (conditions and T as in %s)", c, T, act)); err != nil {
		return nil, contentError{err}
	}
	out := map[string]array{}
	for _, name := range []string{act, "inputs", "mask", "dt", "length"} {
		if !f.Has(name) {
			continue
		}
		read := f.Read
		if name == "length" { // eval -record writes it as int64
			read = f.ReadNumeric
		}
		a, err := read(name)
		if err != nil {
			return nil, err
		}
		out[name] = fromNPY(a)
	}
	return out, nil
}

// contentError is an error of readArchive about what the archive holds
// (not of reading it), which does not name the file.
type contentError struct{ error }

func (e contentError) Unwrap() error { return e.error }

// activityOf returns the name of the activity array among the arrays a
// file holds (sorted): activity, or an eval -record file's rates (an
// older one's hidden); an error if there is none or no inputs.
func activityOf(have []string) (string, error) {
	for _, name := range []string{"activity", "rates", "hidden"} {
		if slices.Contains(have, name) {
			if !slices.Contains(have, "inputs") {
				return "", errors.New("no array inputs; want inputs [conditions, T, n_in] beside " + name)
			}
			return name, nil
		}
	}
	return "", fmt.Errorf("no array activity (nor rates, as eval -record writes); found %q; want activity [conditions, T, units], inputs [conditions, T, n_in], optional mask and dt", have)
}

// dataArrays names the arrays of a data file or directory.
func dataArrays() []string { return []string{"activity", "inputs", "mask", "dt", "length"} }

// fromNPY converts an array read from a file.
func fromNPY(a npy.Array) array {
	return array{shape: a.Shape, data: a.Float64(), bool: a.Bool != nil}
}

// dataFromArrays checks the arrays' shapes and values and assembles Data.
func dataFromArrays(arrays map[string]array) (*Data, error) {
	have := slices.Sorted(maps.Keys(arrays))
	actName, err := activityOf(have)
	if err != nil {
		return nil, err
	}
	act, in := arrays[actName], arrays["inputs"]
	if err := checkShape3(actName, act.shape, act.bool, nil, "[conditions, T, units]"); err != nil {
		return nil, err
	}
	c, T, units := act.shape[0], act.shape[1], act.shape[2]
	if err := checkShape3("inputs", in.shape, in.bool, act.shape[:2], fmt.Sprintf("[%d, %d, n_in] (conditions and T as in %s)", c, T, actName)); err != nil {
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
	if l, ok := arrays["length"]; ok {
		if err := applyLengths(d, l); err != nil {
			return nil, err
		}
	}
	if err := checkUsedFinite(d, actName, act, in); err != nil {
		return nil, err
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

// checkUsedFinite checks that the values of the activity (act, named
// name) and the inputs (in) that a fit uses are finite as float32 and
// writes 0 in d for the others, which may be NaN, as recordings often mark
// padding: the activity where d.Mask is 0, and the inputs of the steps
// after a condition's last step with a positive mask, which drive no
// fitted step.
func checkUsedFinite(d *Data, name string, act, in array) error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32 }
	for i, v := range act.data {
		if !bad(v) {
			continue
		}
		if d.Mask[i] == 0 {
			d.Activity[i] = 0
			continue
		}
		return finiteError(name, unflatten(i, act.shape), v, " where the mask is not 0 (activity the fit leaves out, where mask is 0 or after length, may be NaN)")
	}
	for c := range d.Conditions {
		end := 0 // the steps up to the condition's last with a positive mask
		for t := range d.T {
			if slices.ContainsFunc(d.Mask[(c*d.T+t)*d.Units:(c*d.T+t+1)*d.Units], func(m float32) bool { return m > 0 }) {
				end = t + 1
			}
		}
		for i := c * d.T * d.NIn; i < (c+1)*d.T*d.NIn; i++ {
			if v := in.data[i]; bad(v) {
				if i >= (c*d.T+end)*d.NIn {
					d.Inputs[i] = 0
					continue
				}
				return finiteError("inputs", unflatten(i, in.shape), v, " (inputs after a condition's last fitted step, where mask is 0 or after length, may be NaN)")
			}
		}
	}
	return nil
}

// finiteError is the error of the value v at index idx of the array name:
// non-finite, or beyond the range of float32; why says where such a value
// would have been taken.
func finiteError(name string, idx []int, v float64, why string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("array %s has the non-finite value %v at %v%s", name, v, idx, why)
	}
	return fmt.Errorf("array %s has the value %v at %v, beyond the range of float32 (±%.3g) in which it is fitted", name, v, idx, math.MaxFloat32)
}

// checkShape3 is check3's check of the dtype (isBool) and the shape.
func checkShape3(name string, shape []int, isBool bool, lead []int, want string) error {
	if isBool {
		return fmt.Errorf("array %s is bool; want float32 or float64 %s", name, want)
	}
	if len(shape) != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1 {
		return fmt.Errorf("array %s has shape %v; want %s with every size ≥ 1", name, shape, want)
	}
	if lead != nil && (shape[0] != lead[0] || shape[1] != lead[1]) {
		return fmt.Errorf("array %s has shape %v; want %s", name, shape, want)
	}
	return nil
}

// checkFinite checks that every value of a is finite as a float32, the
// type Data holds: a float64 beyond ±3.4e38 would become infinite.
func checkFinite(name string, a array) error {
	for i, v := range a.data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("array %s has the non-finite value %v at %v", name, v, unflatten(i, a.shape))
		}
		if math.Abs(v) > math.MaxFloat32 {
			return fmt.Errorf("array %s has the value %v at %v, beyond the range of float32 (±%.3g) in which it is fitted", name, v, unflatten(i, a.shape), math.MaxFloat32)
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

// applyLengths checks a length array [conditions] (the steps of each
// condition before padding, as eval -record writes for trials of
// different lengths: integers in [1, T]) and zeroes d.Mask after each
// condition's end, so padded steps are neither fitted nor scored.
func applyLengths(d *Data, l array) error {
	if len(l.shape) != 1 || l.shape[0] != d.Conditions || l.bool {
		return fmt.Errorf("array length has shape %v; want [%d] (the steps of each condition before padding)", l.shape, d.Conditions)
	}
	for c, v := range l.data {
		if !(v >= 1 && v <= float64(d.T)) || v != math.Trunc(v) {
			return fmt.Errorf("array length holds %v at [%d]; want an integer in [1, %d] (the steps of each condition before padding)", v, c, d.T)
		}
		clear(d.Mask[(c*d.T+int(v))*d.Units : (c+1)*d.T*d.Units])
	}
	if !slices.ContainsFunc(d.Mask, func(m float32) bool { return m > 0 }) {
		return errors.New("array mask is zero everywhere before the ends the array length gives; nothing would be fitted")
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
