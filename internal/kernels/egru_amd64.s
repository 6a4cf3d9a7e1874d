//go:build !noasm

#include "textflag.h"

// func gatherPanelAVX512(dst *float32, ldd int, pan *float32, starts, ends *int32, rows int, idx *int32, vals *float32, accumulate bool)
// For i < rows, q < 64: dst[i·ldd + q] = (accumulate ? dst[i·ldd + q] : 0)
// + Σ_{k=starts[i]}^{ends[i]−1} vals[k]·pan[idx[k]·64 + q], in k order.
TEXT ·gatherPanelAVX512(SB), NOSPLIT, $0-65
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

prow:
	CMPQ    CX, R11
	JGE     pdone
	MOVLQSX (R9)(CX*4), BX       // k = starts[i]
	MOVLQSX (R14)(CX*4), DX      // end = ends[i]
	TESTQ   R13, R13
	JZ      pzero
	CMPQ    BX, DX
	JEQ     pnext                // nothing to add to this row
	VMOVUPS 0(DI), Z0
	VMOVUPS 64(DI), Z1
	VMOVUPS 128(DI), Z2
	VMOVUPS 192(DI), Z3
	JMP     ploop

pzero:
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3

ploop:
	CMPQ         BX, DX
	JGE          pstore
	MOVLQSX      (R10)(BX*4), AX
	SHLQ         $8, AX          // panel row j at j·256 bytes
	VBROADCASTSS (R12)(BX*4), Z15
	VFMADD231PS  0(SI)(AX*1), Z15, Z0
	VFMADD231PS  64(SI)(AX*1), Z15, Z1
	VFMADD231PS  128(SI)(AX*1), Z15, Z2
	VFMADD231PS  192(SI)(AX*1), Z15, Z3
	INCQ         BX
	JMP          ploop

pstore:
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)

pnext:
	ADDQ R8, DI
	INCQ CX
	JMP  prow

pdone:
	VZEROUPPER
	RET

// func egruEventsAVX512(ev, y, c, pd, ct, thr *float32, n int, gamma, eps float32, idx *int32, vals *float32, list bool, counts *[4]int)
// d = ct − thr; o = [d > 0]; ev = o; y = o ? ct : 0; c = o ? d : ct;
// pd = gamma·max(0, 1 − eps·|d|); with list, the units with y ≠ 0 go to idx
// and vals (register compress, then a 16-lane store: the memory form is
// microcoded on Zen 4). counts = fired, flat (pd = 0), need (o or pd ≠ 0),
// listed.
TEXT ·egruEventsAVX512(SB), NOSPLIT, $0-96
	MOVQ         ev+0(FP), DI
	MOVQ         y+8(FP), SI
	MOVQ         c+16(FP), DX
	MOVQ         pd+24(FP), R8
	MOVQ         ct+32(FP), R9
	MOVQ         thr+40(FP), R10
	MOVQ         n+48(FP), CX
	VBROADCASTSS gamma+56(FP), Z10
	VBROADCASTSS eps+60(FP), Z11
	MOVQ         idx+64(FP), R11
	MOVQ         vals+72(FP), R12
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z12             // 1.0
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z13             // |·| mask
	VPXORD       Z14, Z14, Z14       // 0
	MOVQ         $0x0706050403020100, R9
	MOVQ         R9, X15
	MOVQ         $0x0f0e0d0c0b0a0908, R9
	VPINSRQ      $1, R9, X15, X15
	VPMOVZXBD    X15, Z15            // unit numbers 0 … 15 of the block
	MOVQ         ct+32(FP), R9
	MOVL         $16, AX
	VPBROADCASTD AX, Z9
	XORQ         BX, BX              // unit
	XORQ         R14, R14            // fired
	XORQ         R15, R15            // flat
	XORQ         AX, AX              // need
	XORQ         R13, R13            // listed

eloop:
	VMOVUPS   (R9)(BX*4), Z0         // c̃
	VSUBPS    (R10)(BX*4), Z0, Z1    // d
	VCMPPS    $0x1e, Z14, Z1, K1     // d > 0
	VPANDD    Z13, Z1, Z2            // |d|
	VMULPS    Z11, Z2, Z2            // eps·|d|
	VSUBPS    Z2, Z12, Z2            // 1 − eps·|d|
	VMAXPS    Z2, Z14, Z2            // max(0, ·), NaN kept
	VMULPS    Z2, Z10, Z2            // gamma·max
	VMOVUPS   Z2, (R8)(BX*4)
	VCMPPS    $0, Z14, Z2, K2        // pd = 0
	VMOVAPS.Z Z12, K1, Z3            // ev
	VMOVUPS   Z3, (DI)(BX*4)
	VMOVAPS.Z Z0, K1, Z3             // y
	VMOVUPS   Z3, (SI)(BX*4)
	VMOVAPS   Z0, Z4
	VMOVAPS   Z1, K1, Z4             // c
	VMOVUPS   Z4, (DX)(BX*4)
	KMOVW     K1, R9
	POPCNTL   R9, R9
	ADDQ      R9, R14
	KMOVW     K2, R9
	POPCNTL   R9, R9
	ADDQ      R9, R15
	KNOTW     K2, K3
	KORW      K1, K3, K3             // o or pd ≠ 0
	KMOVW     K3, R9
	POPCNTL   R9, R9
	ADDQ      R9, AX
	MOVQ      ct+32(FP), R9
	CMPB      list+80(FP), $0
	JEQ       enext
	VCMPPS    $0x0c, Z14, Z0, K1, K4 // o and c̃ ≠ 0: y ≠ 0
	VPCOMPRESSD.Z Z15, K4, Z5
	VMOVDQU32 Z5, (R11)(R13*4)
	VCOMPRESSPS.Z Z0, K4, Z5
	VMOVUPS   Z5, (R12)(R13*4)
	KMOVW     K4, R9
	POPCNTL   R9, R9
	ADDQ      R9, R13
	MOVQ      ct+32(FP), R9

enext:
	VPADDD Z9, Z15, Z15
	ADDQ   $16, BX
	CMPQ   BX, CX
	JLT    eloop
	MOVQ   counts+88(FP), R9
	MOVQ   R14, 0(R9)
	MOVQ   R15, 8(R9)
	MOVQ   AX, 16(R9)
	MOVQ   R13, 24(R9)
	VZEROUPPER
	RET

// func egruBackEventsAVX512(gct, gc, thrAcc, cy, og, ev, ct, thr, pd *float32, n int, reg float32)
// gy = cy + og; gO = gy·ct − gc·thr + reg; gct = gy·ev + gc + gO·pd;
// thrAcc −= gc·ev + gO·pd; gc = 0; each operation rounded in that order.
TEXT ·egruBackEventsAVX512(SB), NOSPLIT, $0-84
	MOVQ         gct+0(FP), DI
	MOVQ         gc+8(FP), SI
	MOVQ         thrAcc+16(FP), DX
	MOVQ         cy+24(FP), R8
	MOVQ         og+32(FP), R9
	MOVQ         ev+40(FP), R10
	MOVQ         ct+48(FP), R11
	MOVQ         thr+56(FP), R12
	MOVQ         pd+64(FP), R13
	MOVQ         n+72(FP), CX
	VBROADCASTSS reg+80(FP), Z15
	VPXORD       Z14, Z14, Z14
	XORQ         BX, BX

bloop:
	VMOVUPS (R8)(BX*4), Z0
	VADDPS  (R9)(BX*4), Z0, Z0   // gy
	VMOVUPS (SI)(BX*4), Z1       // gc
	VMULPS  (R11)(BX*4), Z0, Z2  // gy·ct
	VMULPS  (R12)(BX*4), Z1, Z3  // gc·thr
	VSUBPS  Z3, Z2, Z2
	VADDPS  Z15, Z2, Z2          // gO
	VMOVUPS (R10)(BX*4), Z3      // ev
	VMULPS  Z3, Z0, Z4           // gy·ev
	VADDPS  Z1, Z4, Z4           // + gc
	VMULPS  (R13)(BX*4), Z2, Z5  // gO·pd
	VADDPS  Z5, Z4, Z4
	VMOVUPS Z4, (DI)(BX*4)       // gct
	VMULPS  Z3, Z1, Z6           // gc·ev
	VADDPS  Z5, Z6, Z6
	VMOVUPS (DX)(BX*4), Z7
	VSUBPS  Z6, Z7, Z7
	VMOVUPS Z7, (DX)(BX*4)       // thrAcc
	VMOVUPS Z14, (SI)(BX*4)      // gc = 0
	ADDQ    $16, BX
	CMPQ    BX, CX
	JLT     bloop
	VZEROUPPER
	RET
