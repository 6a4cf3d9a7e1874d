//go:build !noasm

#include "textflag.h"

// The 8-lane (AVX2) loops of ALIFStep, ALIFBack and LIFStep: the AVX-512
// loops of alif_amd64.s on YMM registers, op for op, so that they give the
// same bits. A compare writes an all-ones lane mask to a YMM register where
// the AVX-512 loops set a K bit.

// func alifAdaptAVX2(a, th, aPrev, sPrev, rho *float32, n int, thr, ba float32)
// a = ρ·aPrev + (1 − ρ)·sPrev; th = thr + ba·a.
TEXT ·alifAdaptAVX2(SB), NOSPLIT, $0-56
	MOVQ         a+0(FP), DI
	MOVQ         th+8(FP), SI
	MOVQ         aPrev+16(FP), DX
	MOVQ         sPrev+24(FP), R8
	MOVQ         rho+32(FP), R9
	MOVQ         n+40(FP), CX
	VBROADCASTSS thr+48(FP), Y7
	VBROADCASTSS ba+52(FP), Y6
	MOVL         $0x3f800000, AX
	MOVQ         AX, X5
	VPBROADCASTD X5, Y5               // 1.0
	XORQ         BX, BX

aaloop:
	VMOVUPS (R9)(BX*4), Y0           // ρ
	VMULPS  (DX)(BX*4), Y0, Y1       // ρ·aPrev
	VSUBPS  Y0, Y5, Y2               // 1 − ρ
	VMULPS  (R8)(BX*4), Y2, Y2       // (1 − ρ)·sPrev
	VADDPS  Y2, Y1, Y1               // a
	VMOVUPS Y1, (DI)(BX*4)
	VMULPS  Y6, Y1, Y1               // ba·a
	VADDPS  Y1, Y7, Y1               // thr + ba·a
	VMOVUPS Y1, (SI)(BX*4)
	ADDQ    $8, BX
	CMPQ    BX, CX
	JLT     aaloop
	VZEROUPPER
	RET

// func lifStepThAVX2(u, s, v, vPrev, p, beta, th *float32, thStep, n int, subtract bool) int
// One LIF step with the threshold θ_j = th[thStep·j] (thStep 1: a
// threshold per unit; 0: one for all, th holding 8 copies):
// u = β·vPrev + p; s = [u − θ > 0]; v = u − θ where s (subtract) or 0
// where s (zero), else u. Returns the number of spikes.
TEXT ·lifStepThAVX2(SB), NOSPLIT, $0-88
	MOVQ         u+0(FP), DI
	MOVQ         s+8(FP), SI
	MOVQ         v+16(FP), DX
	MOVQ         vPrev+24(FP), R8
	MOVQ         p+32(FP), R9
	MOVQ         beta+40(FP), R10
	MOVQ         th+48(FP), R13
	MOVQ         thStep+56(FP), R14
	MOVQ         n+64(FP), CX
	MOVBQZX      subtract+72(FP), R11
	MOVL         $0x3f800000, AX
	MOVQ         AX, X6
	VPBROADCASTD X6, Y6               // 1.0
	VXORPS       Y5, Y5, Y5           // 0
	XORQ         BX, BX               // element
	XORQ         R12, R12             // spikes

ltloop:
	VMOVUPS   (R10)(BX*4), Y0
	VMULPS    (R8)(BX*4), Y0, Y0     // β·vPrev
	VADDPS    (R9)(BX*4), Y0, Y0     // u
	VMOVUPS   Y0, (DI)(BX*4)
	MOVQ      BX, AX
	IMULQ     R14, AX
	VMOVUPS   (R13)(AX*4), Y7        // θ
	VSUBPS    Y7, Y0, Y1             // u − θ
	VCMPPS    $0x1e, Y5, Y1, Y3      // u − θ > 0: the lane mask
	VANDPS    Y6, Y3, Y2             // s
	VMOVUPS   Y2, (SI)(BX*4)
	TESTQ     R11, R11
	JZ        ltzero
	VBLENDVPS Y3, Y1, Y0, Y0         // u − θ where s
	JMP       ltstore

ltzero:
	VANDNPS Y0, Y3, Y0               // 0 where s

ltstore:
	VMOVUPS   Y0, (DX)(BX*4)
	VMOVMSKPS Y3, AX
	POPCNTL   AX, AX
	ADDQ      AX, R12
	ADDQ      $8, BX
	CMPQ      BX, CX
	JLT       ltloop
	MOVQ      R12, ret+80(FP)
	VZEROUPPER
	RET

// func alifSurrAVX2(gx, og, gsr, u, aNew *float32, n int, thr, ba, k, c0 float32, arcTan bool)
// x = u − (thr + ba·aNew); gx = (og + gsr)/(1 + k·|x|)² or, with arcTan,
// (og + gsr)·c0/(1 + (k·x)²).
TEXT ·alifSurrAVX2(SB), NOSPLIT, $0-65
	MOVQ         gx+0(FP), DI
	MOVQ         og+8(FP), SI
	MOVQ         gsr+16(FP), DX
	MOVQ         u+24(FP), R8
	MOVQ         aNew+32(FP), R9
	MOVQ         n+40(FP), CX
	VBROADCASTSS thr+48(FP), Y7
	VBROADCASTSS ba+52(FP), Y6
	VBROADCASTSS k+56(FP), Y4
	VBROADCASTSS c0+60(FP), Y3
	MOVBQZX      arcTan+64(FP), R11
	MOVL         $0x3f800000, AX
	MOVQ         AX, X5
	VPBROADCASTD X5, Y5               // 1.0
	MOVL         $0x7fffffff, AX
	MOVQ         AX, X8
	VPBROADCASTD X8, Y8               // |·| mask
	XORQ         BX, BX

asloop:
	VMULPS  (R9)(BX*4), Y6, Y0       // ba·aNew
	VADDPS  Y0, Y7, Y0               // θ
	VMOVUPS (R8)(BX*4), Y2
	VSUBPS  Y0, Y2, Y0               // x = u − θ
	VMOVUPS (SI)(BX*4), Y1
	VADDPS  (DX)(BX*4), Y1, Y1       // og + gsr
	TESTQ   R11, R11
	JZ      asfast
	VMULPS  Y4, Y0, Y0               // w = k·x
	VMULPS  Y0, Y0, Y0               // w·w
	VADDPS  Y0, Y5, Y0               // 1 + w·w
	VMULPS  Y3, Y1, Y1               // ·c0
	VDIVPS  Y0, Y1, Y1
	JMP     asstore

asfast:
	VANDPS  Y8, Y0, Y0               // |x|
	VMULPS  Y4, Y0, Y0               // k·|x|
	VADDPS  Y0, Y5, Y0               // t
	VMULPS  Y0, Y0, Y0               // t·t
	VDIVPS  Y0, Y1, Y1

asstore:
	VMOVUPS Y1, (DI)(BX*4)
	ADDQ    $8, BX
	CMPQ    BX, CX
	JLT     asloop
	VZEROUPPER
	RET

// func alifBackAdaptAVX2(gv, s, gx, ga, gRho, aPrev, sPrev, rho, gsr *float32, n int, ba float32)
// gθ = −(s·gv + gx); g1 = ga + ba·gθ; gRho += g1·(aPrev − sPrev);
// ga = ρ·g1; gsr = (1 − ρ)·g1.
TEXT ·alifBackAdaptAVX2(SB), NOSPLIT, $0-84
	MOVQ         gv+0(FP), DI
	MOVQ         s+8(FP), SI
	MOVQ         gx+16(FP), DX
	MOVQ         ga+24(FP), R8
	MOVQ         gRho+32(FP), R9
	MOVQ         aPrev+40(FP), R10
	MOVQ         sPrev+48(FP), R11
	MOVQ         rho+56(FP), R12
	MOVQ         gsr+64(FP), R13
	MOVQ         n+72(FP), CX
	VBROADCASTSS ba+80(FP), Y6
	MOVL         $0x3f800000, AX
	MOVQ         AX, X5
	VPBROADCASTD X5, Y5               // 1.0
	MOVL         $0x80000000, AX
	MOVQ         AX, X4
	VPBROADCASTD X4, Y4               // sign bit
	XORQ         BX, BX

baloop:
	VMOVUPS (SI)(BX*4), Y0
	VMULPS  (DI)(BX*4), Y0, Y0       // s·gv
	VADDPS  (DX)(BX*4), Y0, Y0       // s·gv + gx
	VXORPS  Y4, Y0, Y0               // gθ
	VMULPS  Y6, Y0, Y0               // ba·gθ
	VADDPS  (R8)(BX*4), Y0, Y0       // g1 = ga + ba·gθ
	VMOVUPS (R10)(BX*4), Y1
	VSUBPS  (R11)(BX*4), Y1, Y1      // aPrev − sPrev
	VMULPS  Y1, Y0, Y1               // g1·(aPrev − sPrev)
	VADDPS  (R9)(BX*4), Y1, Y1
	VMOVUPS Y1, (R9)(BX*4)           // gRho
	VMOVUPS (R12)(BX*4), Y2          // ρ
	VMULPS  Y0, Y2, Y3               // ρ·g1
	VMOVUPS Y3, (R8)(BX*4)           // ga
	VSUBPS  Y2, Y5, Y2               // 1 − ρ
	VMULPS  Y0, Y2, Y2               // (1 − ρ)·g1
	VMOVUPS Y2, (R13)(BX*4)          // gsr
	ADDQ    $8, BX
	CMPQ    BX, CX
	JLT     baloop
	VZEROUPPER
	RET

// func lifBackTailAVX2(dp, gv, gx, gBeta, vPrev, beta *float32, n int)
// d = gx + gv; dp = d; gv = β·d; gBeta += d·vPrev.
TEXT ·lifBackTailAVX2(SB), NOSPLIT, $0-56
	MOVQ dp+0(FP), DI
	MOVQ gv+8(FP), SI
	MOVQ gx+16(FP), R8
	MOVQ gBeta+24(FP), DX
	MOVQ vPrev+32(FP), R11
	MOVQ beta+40(FP), R12
	MOVQ n+48(FP), CX
	XORQ BX, BX

btloop:
	VMOVUPS (R8)(BX*4), Y1
	VADDPS  (SI)(BX*4), Y1, Y1
	VMOVUPS Y1, (DI)(BX*4)
	VMULPS  (R12)(BX*4), Y1, Y2
	VMOVUPS Y2, (SI)(BX*4)
	VMULPS  (R11)(BX*4), Y1, Y3
	VADDPS  (DX)(BX*4), Y3, Y3
	VMOVUPS Y3, (DX)(BX*4)
	ADDQ    $8, BX
	CMPQ    BX, CX
	JLT     btloop
	VZEROUPPER
	RET
