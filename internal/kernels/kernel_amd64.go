//go:build !noasm

package kernels

import "unsafe"

//go:generate go run ./asmgen

// Tile and block sizes of the assembly kernels. A kc×nr panel of B (16–32 KiB)
// stays in or next to the 32 KiB L1 while the mc rows of A stream through it;
// a kc×nc block of B (≤ 512 KiB) stays in the 1 MiB L2. The AVX-512 float32
// sizes were chosen by timing 1024³ and (64×512)·(512×512) on a Cascade Lake
// core (kc 128…1024, mc 24…480, nc 128…2048): kc = 256 gained about 5% over
// kc = 128 and the other choices were within the noise.
func avx512Kernel[E float32 | float64]() kernel[E] {
	var k kernel[E]
	switch kp := any(&k).(type) {
	case *kernel[float32]:
		*kp = kernel[float32]{name: "avx512_12x32", mr: 12, nr: 32, kc: 256, mc: 96, nc: 512, strided: f32AVX512Strided(), unpacked: f32AVX512Unpacked(), dots: f32AVX512Dots(), dotLanes: 16, packed: f32AVX512Packed(), packNN: f32AVX512PackNN, packNT: f32AVX512PackNT, ntRows: 16, packAN: f32AVX512PackAN, anCols: 16}
	case *kernel[float64]:
		*kp = kernel[float64]{name: "avx512_12x16", mr: 12, nr: 16, kc: 256, mc: 96, nc: 256, strided: f64AVX512Strided(), unpacked: f64AVX512Unpacked(), packed: f64AVX512Packed(), packNN: f64AVX512PackNN, packNT: f64AVX512PackNT, ntRows: 8, packAN: f64AVX512PackAN, anCols: 8}
	}
	return k
}

func avx2Kernel[E float32 | float64]() kernel[E] {
	var k kernel[E]
	switch kp := any(&k).(type) {
	case *kernel[float32]:
		*kp = kernel[float32]{name: "avx2_6x16", mr: 6, nr: 16, kc: 256, mc: 120, nc: 512, strided: f32AVX2Strided(), unpacked: f32AVX2Unpacked(), dots: f32AVX2Dots(), dotLanes: 8, packed: f32AVX2Packed(), packNN: f32AVX2PackNN, packNT: f32AVX2PackNT, ntRows: 8}
	case *kernel[float64]:
		*kp = kernel[float64]{name: "avx2_6x8", mr: 6, nr: 8, kc: 256, mc: 120, nc: 256, strided: f64AVX2Strided(), unpacked: f64AVX2Unpacked(), packed: f64AVX2Packed(), packNN: f64AVX2PackNN, packNT: f64AVX2PackNT, ntRows: 4}
	}
	return k
}

// f64AVX512PackAN packs a 12-row float64 A panel (see kernel.packAN) as an
// 8-row and a 4-row transpose.
func f64AVX512PackAN(kb int, src *float64, ld int, dst *float64) {
	f64AVX512PackAN8(kb, src, ld, dst)
	f64AVX512PackAN4(kb, (*float64)(unsafe.Add(unsafe.Pointer(src), 8*8*ld)), ld, (*float64)(unsafe.Add(unsafe.Pointer(dst), 8*8)))
}

func hasAVX512() bool { return features().avx512 }
func hasAVX2() bool   { return features().avx2FMA }

// vecISA is the vector instruction set a family of element-wise or sparse
// kernels runs with: the 16-lane AVX-512 loops, the 8-lane AVX2 loops or
// the plain Go loops. Each family's dispatcher takes one, so that tests can
// run every set the machine has against the plain loop.
type vecISA uint8

const (
	isaGo vecISA = iota
	isaAVX2
	isaAVX512
)

// bestISA returns the widest set this machine runs.
func bestISA() vecISA {
	switch {
	case hasAVX512():
		return isaAVX512
	case hasAVX2():
		return isaAVX2
	}
	return isaGo
}

// isasHere lists the sets this machine runs, widest first, isaGo last.
func isasHere() []vecISA {
	var l []vecISA
	if hasAVX512() {
		l = append(l, isaAVX512)
	}
	if hasAVX2() {
		l = append(l, isaAVX2)
	}
	return append(l, isaGo)
}

// part returns the part of n that the set's vector loops take: n rounded
// down to a multiple of 16 (AVX-512) or 8 (AVX2) lanes, 0 for isaGo.
func (v vecISA) part(n int) int {
	switch v {
	case isaAVX512:
		return n &^ 15
	case isaAVX2:
		return n &^ 7
	}
	return 0
}

func (v vecISA) String() string {
	switch v {
	case isaAVX512:
		return "avx512"
	case isaAVX2:
		return "avx2"
	}
	return "go"
}

// kernelsFor lists the micro-kernels usable on this machine, best first.
func kernelsFor[E float32 | float64]() []kernel[E] {
	var ks []kernel[E]
	if hasAVX512() {
		ks = append(ks, avx512Kernel[E]())
	}
	if hasAVX2() {
		ks = append(ks, avx2Kernel[E]())
	}
	return append(ks, goKernel[E]())
}

// bestKernel returns the fastest micro-kernel usable on this machine.
func bestKernel[E float32 | float64]() kernel[E] {
	switch {
	case hasAVX512():
		return avx512Kernel[E]()
	case hasAVX2():
		return avx2Kernel[E]()
	}
	return goKernel[E]()
}
