package checkpoints

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxHeader is the largest JSON header Unmarshal accepts, the limit of the
// reference safetensors implementation (100 MB).
const maxHeader = 100_000_000

// headerAlign is the multiple the header is padded to with spaces, so that
// the data section, and with the ordering below every tensor, starts 8-byte
// aligned.
const headerAlign = 8

// entry is one tensor's record in the safetensors header.
type entry struct {
	DType       DType    `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Marshal encodes c in the safetensors format. Tensor data are laid out
// contiguously, F64 tensors before F32 ones and by name within a dtype, so
// that every tensor is aligned to its element size and the bytes depend only
// on c. The stored Meta has FormatVersion set to the current FormatVersion,
// and Created set to the current UTC time if it is zero; c is not modified.
// The metadata hold the SHA-256 of the tensor data (DataSumKey) and of the
// Meta JSON (MetaSumKey), computed in one pass over each after encoding.
// Marshal fails if a tensor has an empty, reserved ("__metadata__") or
// duplicate name, no dtype or both, or a shape that does not match its data.
func Marshal(c *Checkpoint) ([]byte, error) {
	meta := c.Meta
	meta.FormatVersion = FormatVersion
	if meta.Created.IsZero() {
		meta.Created = time.Now().UTC()
	}
	metaJSON, err := json.Marshal(&meta)
	if err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}

	order := make([]*Tensor, len(c.Tensors))
	for i := range c.Tensors {
		t := &c.Tensors[i]
		if err := t.check(); err != nil {
			return nil, err
		}
		order[i] = t
	}
	slices.SortFunc(order, func(a, b *Tensor) int {
		return cmp.Or(cmp.Compare(b.DType().Size(), a.DType().Size()), cmp.Compare(a.Name, b.Name))
	})
	header := make(map[string]any, len(order)+1)
	metaSum := sha256.Sum256(metaJSON)
	md := map[string]string{
		VersionKey: strconv.Itoa(FormatVersion),
		MetaKey:    string(metaJSON),
		MetaSumKey: hex.EncodeToString(metaSum[:]),
		// A placeholder of the final length, so that the header's length
		// is known before the data it describes are encoded.
		DataSumKey: strings.Repeat("0", 2*sha256.Size),
	}
	header[metadataKey] = md
	var off int64
	for _, t := range order {
		if header[t.Name] != nil {
			return nil, fmt.Errorf("tensor name %s appears twice", t.Name)
		}
		size := int64(t.Len() * t.DType().Size())
		header[t.Name] = entry{DType: t.DType(), Shape: append([]int{}, t.Shape...), DataOffsets: [2]int64{off, off + size}}
		off += size
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	pad := (headerAlign - len(hdr)%headerAlign) % headerAlign
	start := 8 + len(hdr) + pad
	buf := make([]byte, 8, start+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(hdr)+pad))
	buf = append(buf, hdr...)
	buf = append(buf, bytes.Repeat([]byte{' '}, pad)...)
	for _, t := range order {
		for _, v := range t.F64 {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
		for _, v := range t.F32 {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	dataSum := sha256.Sum256(buf[start:])
	md[DataSumKey] = hex.EncodeToString(dataSum[:])
	final, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	if len(final) != len(hdr) {
		panic(fmt.Sprintf("checkpoints: header changed length from %d to %d when its checksum was filled in", len(hdr), len(final)))
	}
	copy(buf[8:], final)
	return buf, nil
}

// fileKind names the kind of file data begins as, of those a checkpoint
// is most often confused with (the other files of a run, recordings,
// arrays, figures), or returns "" for another. Unmarshal asks only of a
// file whose first 8 bytes, read as the header length, are beyond the
// limit or the file.
func fileKind(data []byte) string {
	for _, k := range []struct{ prefix, kind string }{
		{"PK\x03\x04", "a zip archive (an .npz recording or dataset?)"},
		{"PK\x05\x06", "a zip archive (an .npz recording or dataset?)"},
		{"\x93NUMPY", "a .npy array"},
		{"\x89PNG", "a PNG image (a figure?)"},
		{"%PDF", "a PDF document (a figure?)"},
		{"<?xml", "XML text (an SVG figure?)"},
		{"<svg", "an SVG figure"},
	} {
		if bytes.HasPrefix(data, []byte(k.prefix)) {
			return k.kind
		}
	}
	// Text: no control byte where a header length has the zero high bytes
	// of any length below the limit.
	head := data[:min(len(data), 8)]
	if bytes.ContainsFunc(head, func(r rune) bool { return r < ' ' && r != '\t' && r != '\n' && r != '\r' }) {
		return ""
	}
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return "JSON text (a run's config.json, metrics.jsonl or eval.json?)"
	}
	return ""
}

// headerLength returns the header length held in the first 8 bytes of
// head, the start of a file of size bytes, checked against the limit and
// the size; a file that starts as another kind of file is named as such.
func headerLength(head []byte, size uint64) (uint64, error) {
	n := binary.LittleEndian.Uint64(head)
	rest := size - 8
	if n > maxHeader || n > rest {
		if kind := fileKind(head); kind != "" {
			return 0, fmt.Errorf("not a safetensors checkpoint: the file is %s", kind)
		}
	}
	switch {
	case n > maxHeader:
		return 0, fmt.Errorf("header length %d exceeds the limit of %d bytes (not a safetensors file?)", n, maxHeader)
	case n > rest:
		return 0, fmt.Errorf("header length %d exceeds the %d bytes that follow it (truncated or not a safetensors file)", n, rest)
	}
	return n, nil
}

// checkHeader checks the header of a file of size bytes (header, after
// its 8-byte length) as Unmarshal does, without the tensor data: a JSON
// object with rnntrain metadata whose tensors cover the rest of the file
// exactly. Load calls it
// before it reads the data, so that a large file that is not a checkpoint
// is refused unread.
func checkHeader(header []byte, size uint64) error {
	raw, err := parseHeader(header)
	if err != nil {
		return err
	}
	if _, err := decodeMeta(raw, new(Meta)); err != nil {
		return err
	}
	delete(raw, metadataKey)
	dataLen := size - 8 - uint64(len(header))
	if dataLen > math.MaxInt {
		return fmt.Errorf("the tensor data of %d bytes exceed what this machine addresses", dataLen)
	}
	entries := make(map[string]entry, len(raw))
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		if name == "" {
			return errors.New("header has a tensor with an empty name")
		}
		e, err := decodeEntry(name, raw[name], int(dataLen))
		if err != nil {
			return err
		}
		entries[name] = e
	}
	return checkLayout(entries, int(dataLen))
}

// Unmarshal decodes a checkpoint from the bytes of a safetensors file and
// validates it completely: the header length against the data, the header
// as a JSON object without duplicate names, each tensor's dtype (F32 or F64),
// shape and data offsets (in range, contiguous from 0 to the end of the data
// without holes or overlaps, and of exactly the size its shape and dtype
// need), the rnntrain metadata and its format version, and the checksums of
// the metadata and of the tensor data when the file has them (files written
// before they were stored have none, and load unverified). A newer format
// version gives a *VersionError, a checksum that does not match a
// *ChecksumError. Values are not checked: NaN and Inf load as they were
// saved. The returned tensors are sorted by name and do not alias data.
func Unmarshal(data []byte) (*Checkpoint, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("file is %d bytes, too short for the 8-byte header length (truncated?)", len(data))
	}
	n, err := headerLength(data, uint64(len(data)))
	if err != nil {
		return nil, err
	}
	header, body := data[8:8+n], data[8+n:]
	raw, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{}
	dataSum, err := decodeMeta(raw, &c.Meta)
	if err != nil {
		return nil, err
	}
	delete(raw, metadataKey)

	entries := make(map[string]entry, len(raw))
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		if name == "" {
			return nil, errors.New("header has a tensor with an empty name")
		}
		e, err := decodeEntry(name, raw[name], len(body))
		if err != nil {
			return nil, err
		}
		entries[name] = e
	}
	if err := checkLayout(entries, len(body)); err != nil {
		return nil, err
	}
	// After the layout, so that a truncated file is reported as such.
	if err := verify(dataSum, DataSumKey, "tensor data", body); err != nil {
		return nil, err
	}
	c.Tensors = make([]Tensor, 0, len(entries))
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		e := entries[name]
		b := body[e.DataOffsets[0]:e.DataOffsets[1]]
		t := Tensor{Name: name, Shape: e.Shape}
		switch e.DType {
		case F32:
			t.F32 = make([]float32, len(b)/4)
			for i := range t.F32 {
				t.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case F64:
			t.F64 = make([]float64, len(b)/8)
			for i := range t.F64 {
				t.F64[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			}
		}
		c.Tensors = append(c.Tensors, t)
	}
	if err := c.upgrade(); err != nil {
		return nil, err
	}
	return c, nil
}

// parseHeader splits the JSON header into its top-level members, refusing
// anything but one JSON object with unique keys (trailing spaces allowed).
func parseHeader(header []byte) (map[string]json.RawMessage, error) {
	if !utf8.Valid(header) {
		return nil, errors.New("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, fmt.Errorf("header does not start with '{' (got %q): not a safetensors file", header[:min(len(header), 16)])
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	bad := func(err error) error { return fmt.Errorf("header is not a valid JSON object: %w", err) }
	if _, err := dec.Token(); err != nil {
		return nil, bad(err)
	}
	raw := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		key := tok.(string) // inside an object the decoder yields only string keys
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, bad(fmt.Errorf("member %q: %w", key, err))
		}
		if _, dup := raw[key]; dup {
			return nil, fmt.Errorf("header names %q twice", key)
		}
		raw[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("header has data after its JSON object")
	}
	return raw, nil
}

// decodeMeta reads the rnntrain metadata, checking the format version first
// so that a newer file is refused before its contents are interpreted, and
// the metadata's checksum, if the file has one, before the metadata are
// parsed. It returns the stored checksum of the tensor data ("" if none).
func decodeMeta(raw map[string]json.RawMessage, m *Meta) (dataSum string, err error) {
	r, ok := raw[metadataKey]
	if !ok {
		return "", fmt.Errorf("header has no %s: not an rnntrain checkpoint", metadataKey)
	}
	var md map[string]string
	if err := json.Unmarshal(r, &md); err != nil {
		return "", fmt.Errorf("%s must map strings to strings: %w", metadataKey, err)
	}
	vs, ok := md[VersionKey]
	if !ok {
		return "", fmt.Errorf("%s has no %q key: not an rnntrain checkpoint", metadataKey, VersionKey)
	}
	v, err := strconv.Atoi(vs)
	if err != nil || v < 1 {
		return "", fmt.Errorf("%s %q is not a format version (a positive integer)", VersionKey, vs)
	}
	if v > FormatVersion {
		return "", &VersionError{Version: v}
	}
	ms, ok := md[MetaKey]
	if !ok {
		return "", fmt.Errorf("%s has no %q key: not an rnntrain checkpoint", metadataKey, MetaKey)
	}
	if err := checkSumKeys(md); err != nil {
		return "", err
	}
	if err := verify(md[MetaSumKey], MetaSumKey, "metadata", []byte(ms)); err != nil {
		return "", err
	}
	if err := json.Unmarshal([]byte(ms), m); err != nil {
		return "", fmt.Errorf("%s[%q] is not valid rnntrain metadata: %w", metadataKey, MetaKey, err)
	}
	if m.FormatVersion != v {
		return "", fmt.Errorf("metadata disagree on the format version: %s is %d, %s.format_version is %d", VersionKey, v, MetaKey, m.FormatVersion)
	}
	if m.Step < 0 {
		return "", fmt.Errorf("metadata step %d is negative", m.Step)
	}
	if m.ElapsedS < 0 {
		return "", fmt.Errorf("metadata elapsed_s %g is negative", m.ElapsedS)
	}
	return md[DataSumKey], nil
}

// checkSumKeys refuses a metadata key one byte away from a checksum key:
// such damage would otherwise turn verification off, as for a file written
// before checksums were stored.
func checkSumKeys(md map[string]string) error {
	for k := range md {
		for _, key := range []string{DataSumKey, MetaSumKey} {
			if len(k) != len(key) || k == key {
				continue
			}
			diff := 0
			for i := range len(k) {
				if k[i] != key[i] {
					diff++
				}
			}
			if diff == 1 {
				return fmt.Errorf("%s has a key %q where %q is expected: the file is corrupt", metadataKey, k, key)
			}
		}
	}
	return nil
}

// verify checks b, the bytes of what (for messages), against the SHA-256
// stored under key as hex digits, want; an empty want (a file written
// before checksums were stored) passes.
func verify(want, key, what string, b []byte) error {
	if want == "" {
		return nil
	}
	stored, err := hex.DecodeString(want)
	if err != nil || len(stored) != sha256.Size {
		return fmt.Errorf("%s[%q] is %q, not a SHA-256 (%d hex digits)", metadataKey, key, want, 2*sha256.Size)
	}
	got := sha256.Sum256(b)
	if !bytes.Equal(got[:], stored) {
		return &ChecksumError{What: what, Key: key, Stored: stored, Got: got[:]}
	}
	return nil
}

// ChecksumError reports a checkpoint whose tensor data or metadata do not
// hash to the SHA-256 stored with them: the file was corrupted (or changed
// by another program) after it was saved.
type ChecksumError struct {
	Path   string // the file, empty if the bytes did not come from a file
	What   string // "tensor data" or "metadata"
	Key    string // the __metadata__ key holding the checksum, DataSumKey or MetaSumKey
	Stored []byte // the stored SHA-256
	Got    []byte // the SHA-256 of the bytes read
}

func (e *ChecksumError) Error() string {
	name := "checkpoint"
	if e.Path != "" {
		name += " " + e.Path
	}
	return fmt.Sprintf("%s: the %s do not match their checksum (%s %x…, computed %x…): the file is corrupt or was changed after it was saved",
		name, e.What, e.Key, e.Stored[:min(8, len(e.Stored))], e.Got[:min(8, len(e.Got))])
}

// decodeEntry decodes and checks one tensor record: known fields only, a
// supported dtype, a non-negative shape, and offsets inside a data section
// of dataLen bytes that span exactly the bytes the shape and dtype need.
func decodeEntry(name string, r json.RawMessage, dataLen int) (entry, error) {
	var rec struct {
		DType       *DType   `json:"dtype"`
		Shape       *[]int64 `json:"shape"`
		DataOffsets *[]int64 `json:"data_offsets"`
	}
	dec := json.NewDecoder(bytes.NewReader(r))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return entry{}, fmt.Errorf("tensor %s: %w", name, err)
	}
	switch {
	case rec.DType == nil:
		return entry{}, fmt.Errorf("tensor %s has no dtype", name)
	case rec.Shape == nil:
		return entry{}, fmt.Errorf("tensor %s has no shape", name)
	case rec.DataOffsets == nil:
		return entry{}, fmt.Errorf("tensor %s has no data_offsets", name)
	case len(*rec.DataOffsets) != 2:
		return entry{}, fmt.Errorf("tensor %s: data_offsets %v must be [begin, end]", name, *rec.DataOffsets)
	}
	e := entry{DType: *rec.DType, Shape: make([]int, len(*rec.Shape))}
	for i, d := range *rec.Shape {
		if d < 0 || d > maxElements {
			return entry{}, fmt.Errorf("tensor %s: invalid shape %v", name, *rec.Shape)
		}
		e.Shape[i] = int(d)
	}
	count, ok := numElements(e.Shape)
	if !ok {
		return entry{}, fmt.Errorf("tensor %s: shape %v is too large", name, e.Shape)
	}
	begin, end := (*rec.DataOffsets)[0], (*rec.DataOffsets)[1]
	switch {
	case begin < 0 || end < begin:
		return entry{}, fmt.Errorf("tensor %s: data_offsets [%d %d] must satisfy 0 ≤ begin ≤ end", name, begin, end)
	case end > int64(dataLen):
		return entry{}, fmt.Errorf("tensor %s: data_offsets [%d %d] run past the %d bytes of tensor data (truncated?)", name, begin, end, dataLen)
	case end-begin != int64(count*e.DType.Size()):
		return entry{}, fmt.Errorf("tensor %s: shape %v of %v needs %d bytes, data_offsets [%d %d] give %d", name, e.Shape, e.DType, count*e.DType.Size(), begin, end, end-begin)
	}
	e.DataOffsets = [2]int64{begin, end}
	return e, nil
}

// checkLayout checks that the tensors tile the data section: sorted by
// offset, each begins where the previous ends, the first at 0 and the last
// at dataLen.
func checkLayout(entries map[string]entry, dataLen int) error {
	names := slices.SortedFunc(maps.Keys(entries), func(a, b string) int {
		ea, eb := entries[a].DataOffsets, entries[b].DataOffsets
		return cmp.Or(cmp.Compare(ea[0], eb[0]), cmp.Compare(ea[1], eb[1]), cmp.Compare(a, b))
	})
	var pos int64
	prev := ""
	for _, name := range names {
		o := entries[name].DataOffsets
		switch {
		case o[0] < pos:
			return fmt.Errorf("tensor %s: data_offsets [%d %d] overlap tensor %s, which ends at %d", name, o[0], o[1], prev, pos)
		case o[0] > pos:
			return fmt.Errorf("tensor %s: data_offsets [%d %d] leave bytes [%d %d) of the data unused", name, o[0], o[1], pos, o[0])
		}
		pos, prev = o[1], name
	}
	if pos != int64(dataLen) {
		return fmt.Errorf("tensor data end at byte %d but the data section holds %d bytes", pos, dataLen)
	}
	return nil
}

// VersionError reports a checkpoint written in a newer format than this
// build reads.
type VersionError struct {
	Path    string // the file, empty if the bytes did not come from a file
	Version int    // the file's format version, > FormatVersion
}

func (e *VersionError) Error() string {
	name := "checkpoint"
	if e.Path != "" {
		name += " " + e.Path
	}
	return fmt.Sprintf("%s has format version %d; this rnntrain reads versions ≤ %d: upgrade rnntrain", name, e.Version, FormatVersion)
}

// sortedKeys formats the keys of m in order, for messages.
func sortedKeys[V any](m map[string]V) string {
	return fmt.Sprint(slices.Sorted(maps.Keys(m)))
}
