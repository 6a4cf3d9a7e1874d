//go:build !noasm

#include "textflag.h"

// func alifAdaptAVX512(a, th, aPrev, sPrev, rho *float32, n int, thr, ba float32)
// a = ρ·aPrev + (1 − ρ)·sPrev; th = thr + ba·a.
TEXT ·alifAdaptAVX512(SB), NOSPLIT, $0-56
	MOVQ         a+0(FP), DI
	MOVQ         th+8(FP), SI
	MOVQ         aPrev+16(FP), DX
	MOVQ         sPrev+24(FP), R8
	MOVQ         rho+32(FP), R9
	MOVQ         n+40(FP), CX
	VBROADCASTSS thr+48(FP), Z7
	VBROADCASTSS ba+52(FP), Z6
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z5               // 1.0
	XORQ         BX, BX

aaloop:
	VMOVUPS (R9)(BX*4), Z0           // ρ
	VMULPS  (DX)(BX*4), Z0, Z1       // ρ·aPrev
	VSUBPS  Z0, Z5, Z2               // 1 − ρ
	VMULPS  (R8)(BX*4), Z2, Z2       // (1 − ρ)·sPrev
	VADDPS  Z2, Z1, Z1               // a
	VMOVUPS Z1, (DI)(BX*4)
	VMULPS  Z6, Z1, Z1               // ba·a
	VADDPS  Z1, Z7, Z1               // thr + ba·a
	VMOVUPS Z1, (SI)(BX*4)
	ADDQ    $16, BX
	CMPQ    BX, CX
	JLT     aaloop
	VZEROUPPER
	RET

// func lifStepThAVX512(u, s, v, vPrev, p, beta, th *float32, thStep, n int, subtract bool) int
// One LIF step with the threshold θ_j = th[thStep·j] (thStep 1: a
// threshold per unit; 0: one for all, th holding 16 copies):
// u = β·vPrev + p; s = [u − θ > 0]; v = u − θ where s (subtract) or 0
// where s (zero), else u. Returns the number of spikes.
TEXT ·lifStepThAVX512(SB), NOSPLIT, $0-88
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
	VPBROADCASTD AX, Z6               // 1.0
	VPXORD       Z5, Z5, Z5           // 0
	XORQ         BX, BX               // element
	XORQ         R12, R12             // spikes

ltloop:
	VMOVUPS   (R10)(BX*4), Z0
	VMULPS    (R8)(BX*4), Z0, Z0     // β·vPrev
	VADDPS    (R9)(BX*4), Z0, Z0     // u
	VMOVUPS   Z0, (DI)(BX*4)
	MOVQ      BX, AX
	IMULQ     R14, AX
	VMOVUPS   (R13)(AX*4), Z7        // θ
	VSUBPS    Z7, Z0, Z1             // u − θ
	VCMPPS    $0x1e, Z5, Z1, K1      // u − θ > 0
	VMOVAPS.Z Z6, K1, Z2             // s
	VMOVUPS   Z2, (SI)(BX*4)
	TESTQ     R11, R11
	JZ        ltzero
	VSUBPS    Z7, Z0, K1, Z0         // u − θ where s
	JMP       ltstore

ltzero:
	KNOTW     K1, K2
	VMOVAPS.Z Z0, K2, Z0             // 0 where s

ltstore:
	VMOVUPS Z0, (DX)(BX*4)
	KMOVW   K1, AX
	POPCNTL AX, AX
	ADDQ    AX, R12
	ADDQ    $16, BX
	CMPQ    BX, CX
	JLT     ltloop
	MOVQ    R12, ret+80(FP)
	VZEROUPPER
	RET

// func alifSurrAVX512(gx, og, gsr, u, aNew *float32, n int, thr, ba, k, c0 float32, arcTan bool)
// x = u − (thr + ba·aNew); gx = (og + gsr)/(1 + k·|x|)² or, with arcTan,
// (og + gsr)·c0/(1 + (k·x)²).
TEXT ·alifSurrAVX512(SB), NOSPLIT, $0-65
	MOVQ         gx+0(FP), DI
	MOVQ         og+8(FP), SI
	MOVQ         gsr+16(FP), DX
	MOVQ         u+24(FP), R8
	MOVQ         aNew+32(FP), R9
	MOVQ         n+40(FP), CX
	VBROADCASTSS thr+48(FP), Z7
	VBROADCASTSS ba+52(FP), Z6
	VBROADCASTSS k+56(FP), Z4
	VBROADCASTSS c0+60(FP), Z3
	MOVBQZX      arcTan+64(FP), R11
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z5               // 1.0
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z8               // |·| mask
	XORQ         BX, BX

asloop:
	VMULPS  (R9)(BX*4), Z6, Z0       // ba·aNew
	VADDPS  Z0, Z7, Z0               // θ
	VMOVUPS (R8)(BX*4), Z2
	VSUBPS  Z0, Z2, Z0               // x = u − θ
	VMOVUPS (SI)(BX*4), Z1
	VADDPS  (DX)(BX*4), Z1, Z1       // og + gsr
	TESTQ   R11, R11
	JZ      asfast
	VMULPS  Z4, Z0, Z0               // w = k·x
	VMULPS  Z0, Z0, Z0               // w·w
	VADDPS  Z0, Z5, Z0               // 1 + w·w
	VMULPS  Z3, Z1, Z1               // ·c0
	VDIVPS  Z0, Z1, Z1
	JMP     asstore

asfast:
	VPANDD  Z8, Z0, Z0               // |x|
	VMULPS  Z4, Z0, Z0               // k·|x|
	VADDPS  Z0, Z5, Z0               // t
	VMULPS  Z0, Z0, Z0               // t·t
	VDIVPS  Z0, Z1, Z1

asstore:
	VMOVUPS Z1, (DI)(BX*4)
	ADDQ    $16, BX
	CMPQ    BX, CX
	JLT     asloop
	VZEROUPPER
	RET

// func alifBackAdaptAVX512(gv, s, gx, ga, gRho, aPrev, sPrev, rho, gsr *float32, n int, ba float32)
// gθ = −(s·gv + gx); g1 = ga + ba·gθ; gRho += g1·(aPrev − sPrev);
// ga = ρ·g1; gsr = (1 − ρ)·g1.
TEXT ·alifBackAdaptAVX512(SB), NOSPLIT, $0-84
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
	VBROADCASTSS ba+80(FP), Z6
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z5               // 1.0
	MOVL         $0x80000000, AX
	VPBROADCASTD AX, Z4               // sign bit
	XORQ         BX, BX

baloop:
	VMOVUPS (SI)(BX*4), Z0
	VMULPS  (DI)(BX*4), Z0, Z0       // s·gv
	VADDPS  (DX)(BX*4), Z0, Z0       // s·gv + gx
	VPXORD  Z4, Z0, Z0               // gθ
	VMULPS  Z6, Z0, Z0               // ba·gθ
	VADDPS  (R8)(BX*4), Z0, Z0       // g1 = ga + ba·gθ
	VMOVUPS (R10)(BX*4), Z1
	VSUBPS  (R11)(BX*4), Z1, Z1      // aPrev − sPrev
	VMULPS  Z1, Z0, Z1               // g1·(aPrev − sPrev)
	VADDPS  (R9)(BX*4), Z1, Z1
	VMOVUPS Z1, (R9)(BX*4)           // gRho
	VMOVUPS (R12)(BX*4), Z2          // ρ
	VMULPS  Z0, Z2, Z3               // ρ·g1
	VMOVUPS Z3, (R8)(BX*4)           // ga
	VSUBPS  Z2, Z5, Z2               // 1 − ρ
	VMULPS  Z0, Z2, Z2               // (1 − ρ)·g1
	VMOVUPS Z2, (R13)(BX*4)          // gsr
	ADDQ    $16, BX
	CMPQ    BX, CX
	JLT     baloop
	VZEROUPPER
	RET

// func lifBackTailAVX512(dp, gv, gx, gBeta, vPrev, beta *float32, n int)
// d = gx + gv; dp = d; gv = β·d; gBeta += d·vPrev.
TEXT ·lifBackTailAVX512(SB), NOSPLIT, $0-56
	MOVQ dp+0(FP), DI
	MOVQ gv+8(FP), SI
	MOVQ gx+16(FP), R8
	MOVQ gBeta+24(FP), DX
	MOVQ vPrev+32(FP), R11
	MOVQ beta+40(FP), R12
	MOVQ n+48(FP), CX
	XORQ BX, BX

btloop:
	VMOVUPS (R8)(BX*4), Z1
	VADDPS  (SI)(BX*4), Z1, Z1
	VMOVUPS Z1, (DI)(BX*4)
	VMULPS  (R12)(BX*4), Z1, Z2
	VMOVUPS Z2, (SI)(BX*4)
	VMULPS  (R11)(BX*4), Z1, Z3
	VADDPS  (DX)(BX*4), Z3, Z3
	VMOVUPS Z3, (DX)(BX*4)
	ADDQ    $16, BX
	CMPQ    BX, CX
	JLT     btloop
	VZEROUPPER
	RET
