//go:build !noasm

#include "textflag.h"

// Lane numbers 0 … 15 for spikeIndicesAVX512.
DATA spikeiota<>+0(SB)/4, $0
DATA spikeiota<>+4(SB)/4, $1
DATA spikeiota<>+8(SB)/4, $2
DATA spikeiota<>+12(SB)/4, $3
DATA spikeiota<>+16(SB)/4, $4
DATA spikeiota<>+20(SB)/4, $5
DATA spikeiota<>+24(SB)/4, $6
DATA spikeiota<>+28(SB)/4, $7
DATA spikeiota<>+32(SB)/4, $8
DATA spikeiota<>+36(SB)/4, $9
DATA spikeiota<>+40(SB)/4, $10
DATA spikeiota<>+44(SB)/4, $11
DATA spikeiota<>+48(SB)/4, $12
DATA spikeiota<>+52(SB)/4, $13
DATA spikeiota<>+56(SB)/4, $14
DATA spikeiota<>+60(SB)/4, $15
GLOBL spikeiota<>(SB), RODATA|NOPTR, $64

// LIFBACKX sets Z0 = x = u − thr of one block from v (R10) and the spikes s
// (R13), s ∈ {0, 1}: x = v − thr·(1 − s), thr·(1 − s) being thr or 0, so x
// is u − thr to the bit (v = u − thr·s); Z5 holds 1, Z7 thr, Z8 is
// scratch.
#define LIFBACKX \
	VMOVUPS (R13)(BX*4), Z0; \
	VSUBPS  Z0, Z5, Z0; \
	VMULPS  Z7, Z0, Z0; \
	VMOVUPS (R10)(BX*4), Z8; \
	VSUBPS  Z0, Z8, Z0

// LIFBACKTAIL finishes one block of a reverse LIF step from Z1 = the
// surrogate's share (og + gsr)·σ'(u − thr): d = gv + Z1, dp = d, gv = β·d,
// gBeta += d·vPrev, and advances BX by 16.
#define LIFBACKTAIL \
	VADDPS  (SI)(BX*4), Z1, Z1; \
	VMOVUPS Z1, (DI)(BX*4); \
	VMULPS  (R12)(BX*4), Z1, Z2; \
	VMOVUPS Z2, (SI)(BX*4); \
	VMULPS  (R11)(BX*4), Z1, Z3; \
	VADDPS  (DX)(BX*4), Z3, Z3; \
	VMOVUPS Z3, (DX)(BX*4); \
	ADDQ    $16, BX

// func lifBackFastSigmoidAVX512(dp, gv, gBeta, og, gsr, v, s, vPrev, beta *float32, n int, thr, slope float32)
// With u − thr = v − thr·(1 − s) (v after the reset, s ∈ {0, 1}):
// t = 1 + slope·|u − thr|; d = gv + (og + gsr)/(t·t); dp = d; gv = β·d;
// gBeta += d·vPrev.
TEXT ·lifBackFastSigmoidAVX512(SB), NOSPLIT, $0-88
	MOVQ         dp+0(FP), DI
	MOVQ         gv+8(FP), SI
	MOVQ         gBeta+16(FP), DX
	MOVQ         og+24(FP), R8
	MOVQ         gsr+32(FP), R9
	MOVQ         v+40(FP), R10
	MOVQ         s+48(FP), R13
	MOVQ         vPrev+56(FP), R11
	MOVQ         beta+64(FP), R12
	MOVQ         n+72(FP), CX
	VBROADCASTSS thr+80(FP), Z7
	VBROADCASTSS slope+84(FP), Z6
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z5               // 1.0
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z4               // |·| mask
	XORQ         BX, BX

fsloop:
	LIFBACKX
	VPANDD  Z4, Z0, Z0               // |x|
	VMULPS  Z6, Z0, Z0               // slope·|x|
	VADDPS  Z5, Z0, Z0               // t
	VMULPS  Z0, Z0, Z0               // t·t
	VMOVUPS (R8)(BX*4), Z1
	VADDPS  (R9)(BX*4), Z1, Z1       // og + gsr
	VDIVPS  Z0, Z1, Z1
	LIFBACKTAIL
	CMPQ    BX, CX
	JLT     fsloop
	VZEROUPPER
	RET

// func lifBackArcTanAVX512(dp, gv, gBeta, og, gsr, v, s, vPrev, beta *float32, n int, thr, c1, c0 float32)
// With u − thr = v − thr·(1 − s): w = c1·(u − thr); d = gv + (og + gsr)·c0/(1 + w·w); dp = d; gv = β·d;
// gBeta += d·vPrev.
TEXT ·lifBackArcTanAVX512(SB), NOSPLIT, $0-92
	MOVQ         dp+0(FP), DI
	MOVQ         gv+8(FP), SI
	MOVQ         gBeta+16(FP), DX
	MOVQ         og+24(FP), R8
	MOVQ         gsr+32(FP), R9
	MOVQ         v+40(FP), R10
	MOVQ         s+48(FP), R13
	MOVQ         vPrev+56(FP), R11
	MOVQ         beta+64(FP), R12
	MOVQ         n+72(FP), CX
	VBROADCASTSS thr+80(FP), Z7
	VBROADCASTSS c1+84(FP), Z6
	VBROADCASTSS c0+88(FP), Z4
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z5               // 1.0
	XORQ         BX, BX

atloop:
	LIFBACKX
	VMULPS  Z6, Z0, Z0               // w
	VMULPS  Z0, Z0, Z0               // w·w
	VADDPS  Z5, Z0, Z0               // 1 + w·w
	VMOVUPS (R8)(BX*4), Z1
	VADDPS  (R9)(BX*4), Z1, Z1       // og + gsr
	VMULPS  Z4, Z1, Z1               // ·c0
	VDIVPS  Z0, Z1, Z1
	LIFBACKTAIL
	CMPQ    BX, CX
	JLT     atloop
	VZEROUPPER
	RET

// func spikeIndicesAVX512(idx *int32, s *float32, n int) int
// Writes the indices j < n with s[j] ≠ 0 to idx, in order; returns their
// number. idx must hold n entries: each block stores 16 (the compressed
// indices, then junk that later blocks overwrite or that lies past the
// count).
TEXT ·spikeIndicesAVX512(SB), NOSPLIT, $0-32
	MOVQ         idx+0(FP), DI
	MOVQ         s+8(FP), SI
	MOVQ         n+16(FP), CX
	VMOVDQU32    spikeiota<>(SB), Z1  // lane indices of the block
	MOVL         $16, AX
	VPBROADCASTD AX, Z2
	VPXORD       Z3, Z3, Z3
	XORQ         BX, BX               // element
	XORQ         R8, R8               // indices written

siloop:
	VMOVUPS     (SI)(BX*4), Z0
	VCMPPS      $4, Z3, Z0, K1       // s ≠ 0 (NaN included)
	VPCOMPRESSD.Z Z1, K1, Z4          // in a register: the memory form is microcoded and slow on Zen 4
	VMOVDQU32   Z4, (DI)(R8*4)       // 16 lanes; R8 ≤ BX, so they end by BX+16 ≤ n
	KMOVW       K1, AX
	POPCNTL     AX, AX
	ADDQ        AX, R8
	VPADDD      Z2, Z1, Z1
	ADDQ        $16, BX
	CMPQ        BX, CX
	JLT         siloop
	MOVQ        R8, ret+24(FP)
	VZEROUPPER
	RET

// func spikeAddStripUntilAVX512(p *float32, ldp int, strip *float32, rows int, idx *int32, ldi int, cnt *int32, cur *int32, jhi int)
// For r < rows: from k = cur[r], while k < cnt[r] and j = idx[r·ldi + k] < jhi,
// p[r·ldp + q] += strip[j·64 + q], q < 64, in four accumulators; then cur[r] = k.
TEXT ·spikeAddStripUntilAVX512(SB), NOSPLIT, $0-72
	MOVQ p+0(FP), DI
	MOVQ ldp+8(FP), R8
	SHLQ $2, R8                      // row stride of p in bytes
	MOVQ strip+16(FP), SI
	MOVQ rows+24(FP), CX
	MOVQ idx+32(FP), R9
	MOVQ ldi+40(FP), R10
	SHLQ $2, R10                     // row stride of idx in bytes
	MOVQ cnt+48(FP), R11
	MOVQ cur+56(FP), R13
	MOVQ jhi+64(FP), R14

surow:
	TESTQ   CX, CX
	JZ      sudone
	MOVLQSX (R11), R12               // spikes of the row
	MOVLQSX (R13), BX                // first spike not yet added
	CMPQ    BX, R12
	JGE     sunext
	MOVLQSX (R9)(BX*4), AX
	CMPQ    AX, R14
	JGE     sunext
	VMOVUPS 0(DI), Z0
	VMOVUPS 64(DI), Z1
	VMOVUPS 128(DI), Z2
	VMOVUPS 192(DI), Z3

	// Two rows per pass while both lie below jhi: half the loop's
	// branches and index tests per row, the same sums in the same order.
supair:
	LEAQ    1(BX), DX
	CMPQ    DX, R12
	JGE     susingle
	MOVLQSX (R9)(DX*4), R15
	CMPQ    R15, R14
	JGE     susingle
	SHLQ    $8, AX                   // 64 floats = 256 bytes per packed row
	SHLQ    $8, R15
	VADDPS  0(SI)(AX*1), Z0, Z0
	VADDPS  64(SI)(AX*1), Z1, Z1
	VADDPS  128(SI)(AX*1), Z2, Z2
	VADDPS  192(SI)(AX*1), Z3, Z3
	VADDPS  0(SI)(R15*1), Z0, Z0
	VADDPS  64(SI)(R15*1), Z1, Z1
	VADDPS  128(SI)(R15*1), Z2, Z2
	VADDPS  192(SI)(R15*1), Z3, Z3
	ADDQ    $2, BX
	CMPQ    BX, R12
	JGE     sustore
	MOVLQSX (R9)(BX*4), AX
	CMPQ    AX, R14
	JLT     supair
	JMP     sustore

susingle:
	SHLQ    $8, AX
	VADDPS  0(SI)(AX*1), Z0, Z0
	VADDPS  64(SI)(AX*1), Z1, Z1
	VADDPS  128(SI)(AX*1), Z2, Z2
	VADDPS  192(SI)(AX*1), Z3, Z3
	INCQ    BX

sustore:
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	MOVL    BX, (R13)

sunext:
	ADDQ R8, DI
	ADDQ R10, R9
	ADDQ $4, R11
	ADDQ $4, R13
	DECQ CX
	JMP  surow

sudone:
	VZEROUPPER
	RET
