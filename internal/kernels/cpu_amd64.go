//go:build !noasm

package kernels

import "sync"

// cpuid executes the CPUID instruction for a leaf and sub-leaf.
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// xgetbv0 reads XCR0, the register state the operating system saves.
func xgetbv0() (eax, edx uint32)

// cpuFeatures are the instruction sets the kernels can use: supported by the
// CPU and with their register state saved by the operating system.
type cpuFeatures struct {
	avx2FMA bool // AVX2 and FMA, YMM state enabled
	avx512  bool // AVX-512F and VL (plus AVX2 and FMA), ZMM and mask state enabled
}

// features is detected once per process: CPUID is slow under a hypervisor,
// where it traps, and the answer cannot change while the process runs.
var features = sync.OnceValue(detectFeatures)

func detectFeatures() cpuFeatures {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return cpuFeatures{}
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(osxsave|avx) != osxsave|avx {
		return cpuFeatures{}
	}
	xcr0, _ := xgetbv0()
	const ymmState, zmmState = 0x6, 0xe6 // SSE+AVX; plus opmask, ZMM0-15 upper halves, ZMM16-31
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2, avx512F, avx512VL = 1 << 5, 1 << 16, 1 << 31
	f := cpuFeatures{avx2FMA: xcr0&ymmState == ymmState && ecx1&fma != 0 && ebx7&avx2 != 0}
	f.avx512 = f.avx2FMA && xcr0&zmmState == zmmState && ebx7&(avx512F|avx512VL) == avx512F|avx512VL
	return f
}
