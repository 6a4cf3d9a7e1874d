//go:build !noasm

#include "textflag.h"

// The 8-lane (AVX2) forms of the row gathers of spike_amd64.s and
// egru_amd64.s: a row's 64 columns in eight YMM accumulators.

// LOADROW loads the 64 floats at DI into the accumulators Y0–Y7;
// STOREROW stores them back.
#define LOADROW \
	VMOVUPS 0(DI), Y0; \
	VMOVUPS 32(DI), Y1; \
	VMOVUPS 64(DI), Y2; \
	VMOVUPS 96(DI), Y3; \
	VMOVUPS 128(DI), Y4; \
	VMOVUPS 160(DI), Y5; \
	VMOVUPS 192(DI), Y6; \
	VMOVUPS 224(DI), Y7

#define STOREROW \
	VMOVUPS Y0, 0(DI); \
	VMOVUPS Y1, 32(DI); \
	VMOVUPS Y2, 64(DI); \
	VMOVUPS Y3, 96(DI); \
	VMOVUPS Y4, 128(DI); \
	VMOVUPS Y5, 160(DI); \
	VMOVUPS Y6, 192(DI); \
	VMOVUPS Y7, 224(DI)

// func spikeAddStripUntilAVX2(p *float32, ldp int, strip *float32, rows int, idx *int32, ldi int, cnt *int32, cur *int32, jhi int)
// As spikeAddStripUntilAVX512: for r < rows, from k = cur[r], while
// k < cnt[r] and j = idx[r·ldi + k] < jhi, p[r·ldp + q] += strip[j·64 + q],
// q < 64; then cur[r] = k.
TEXT ·spikeAddStripUntilAVX2(SB), NOSPLIT, $0-72
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

arow:
	TESTQ   CX, CX
	JZ      adone
	MOVLQSX (R11), R12               // spikes of the row
	MOVLQSX (R13), BX                // first spike not yet added
	CMPQ    BX, R12
	JGE     anext
	MOVLQSX (R9)(BX*4), AX
	CMPQ    AX, R14
	JGE     anext
	LOADROW

aloop:
	SHLQ    $8, AX                   // 64 floats = 256 bytes per packed row
	VADDPS  0(SI)(AX*1), Y0, Y0
	VADDPS  32(SI)(AX*1), Y1, Y1
	VADDPS  64(SI)(AX*1), Y2, Y2
	VADDPS  96(SI)(AX*1), Y3, Y3
	VADDPS  128(SI)(AX*1), Y4, Y4
	VADDPS  160(SI)(AX*1), Y5, Y5
	VADDPS  192(SI)(AX*1), Y6, Y6
	VADDPS  224(SI)(AX*1), Y7, Y7
	INCQ    BX
	CMPQ    BX, R12
	JGE     astore
	MOVLQSX (R9)(BX*4), AX
	CMPQ    AX, R14
	JLT     aloop

astore:
	STOREROW
	MOVL    BX, (R13)

anext:
	ADDQ R8, DI
	ADDQ R10, R9
	ADDQ $4, R11
	ADDQ $4, R13
	DECQ CX
	JMP  arow

adone:
	VZEROUPPER
	RET

// func gatherPanelAVX2(dst *float32, ldd int, pan *float32, starts, ends *int32, rows int, idx *int32, vals *float32, accumulate bool)
// As gatherPanelAVX512: for i < rows, q < 64, dst[i·ldd + q] =
// (accumulate ? dst[i·ldd + q] : 0) + Σ_{k=starts[i]}^{ends[i]−1}
// vals[k]·pan[idx[k]·64 + q], in k order.
TEXT ·gatherPanelAVX2(SB), NOSPLIT, $0-65
	MOVQ    dst+0(FP), DI
	MOVQ    ldd+8(FP), R8
	SHLQ    $2, R8               // dst row stride in bytes
	MOVQ    pan+16(FP), SI
	MOVQ    starts+24(FP), R9
	MOVQ    ends+32(FP), R14
	MOVQ    rows+40(FP), R11
	MOVQ    idx+48(FP), R10
	MOVQ    vals+56(FP), R12
	MOVBQZX accumulate+64(FP), R13
	XORQ    CX, CX               // row

grow:
	CMPQ    CX, R11
	JGE     gdone
	MOVLQSX (R9)(CX*4), BX       // k = starts[i]
	MOVLQSX (R14)(CX*4), DX      // end = ends[i]
	TESTQ   R13, R13
	JZ      gzero
	CMPQ    BX, DX
	JEQ     gnext                // nothing to add to this row
	LOADROW
	JMP     gloop

gzero:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

gloop:
	CMPQ         BX, DX
	JGE          gstore
	MOVLQSX      (R10)(BX*4), AX
	SHLQ         $8, AX          // panel row j at j·256 bytes
	VBROADCASTSS (R12)(BX*4), Y15
	VFMADD231PS  0(SI)(AX*1), Y15, Y0
	VFMADD231PS  32(SI)(AX*1), Y15, Y1
	VFMADD231PS  64(SI)(AX*1), Y15, Y2
	VFMADD231PS  96(SI)(AX*1), Y15, Y3
	VFMADD231PS  128(SI)(AX*1), Y15, Y4
	VFMADD231PS  160(SI)(AX*1), Y15, Y5
	VFMADD231PS  192(SI)(AX*1), Y15, Y6
	VFMADD231PS  224(SI)(AX*1), Y15, Y7
	INCQ         BX
	JMP          gloop

gstore:
	STOREROW

gnext:
	ADDQ R8, DI
	INCQ CX
	JMP  grow

gdone:
	VZEROUPPER
	RET
