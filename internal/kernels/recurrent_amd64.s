//go:build !noasm

#include "textflag.h"

// func tanhRateGradAVX2(gx, dp, gt, grec *float32, n int, alpha, decay float32)
// s = (g + grec) + decay·gx; gx = s; dp = (alpha·s)·(1 − dp²)
TEXT ·tanhRateGradAVX2(SB), NOSPLIT, $0-48
	MOVQ         gx+0(FP), AX
	MOVQ         dp+8(FP), BX
	MOVQ         gt+16(FP), CX
	MOVQ         grec+24(FP), DX
	MOVQ         n+32(FP), SI
	VBROADCASTSS alpha+40(FP), Y14
	VBROADCASTSS decay+44(FP), Y15
	MOVL         $0x3f800000, R8
	VMOVD        R8, X13
	VBROADCASTSS X13, Y13
	XORQ         DI, DI

rateLoop:
	CMPQ    DI, SI
	JGE     rateDone
	VMOVUPS (CX)(DI*4), Y0
	VADDPS  (DX)(DI*4), Y0, Y0
	VMULPS  (AX)(DI*4), Y15, Y1
	VADDPS  Y1, Y0, Y0
	VMOVUPS Y0, (AX)(DI*4)
	VMOVUPS (BX)(DI*4), Y2
	VMULPS  Y2, Y2, Y2
	VSUBPS  Y2, Y13, Y2
	VMULPS  Y0, Y14, Y0
	VMULPS  Y2, Y0, Y0
	VMOVUPS Y0, (BX)(DI*4)
	ADDQ    $8, DI
	JMP     rateLoop

rateDone:
	VZEROUPPER
	RET

// func tanhStateGradAVX2(gx, dp, gt, grec, r *float32, n int, alpha, decay float32)
// s = (g + grec)·(1 − r²) + decay·gx; gx = s; dp = alpha·s
TEXT ·tanhStateGradAVX2(SB), NOSPLIT, $0-56
	MOVQ         gx+0(FP), AX
	MOVQ         dp+8(FP), BX
	MOVQ         gt+16(FP), CX
	MOVQ         grec+24(FP), DX
	MOVQ         r+32(FP), R9
	MOVQ         n+40(FP), SI
	VBROADCASTSS alpha+48(FP), Y14
	VBROADCASTSS decay+52(FP), Y15
	MOVL         $0x3f800000, R8
	VMOVD        R8, X13
	VBROADCASTSS X13, Y13
	XORQ         DI, DI

stateLoop:
	CMPQ    DI, SI
	JGE     stateDone
	VMOVUPS (R9)(DI*4), Y2
	VMULPS  Y2, Y2, Y2
	VSUBPS  Y2, Y13, Y2
	VMOVUPS (CX)(DI*4), Y0
	VADDPS  (DX)(DI*4), Y0, Y0
	VMULPS  Y2, Y0, Y0
	VMULPS  (AX)(DI*4), Y15, Y1
	VADDPS  Y1, Y0, Y0
	VMOVUPS Y0, (AX)(DI*4)
	VMULPS  Y0, Y14, Y0
	VMOVUPS Y0, (BX)(DI*4)
	ADDQ    $8, DI
	JMP     stateLoop

stateDone:
	VZEROUPPER
	RET

// func leakyMixAVX2(dst, x, y *float32, n int, decay, alpha float32)
// dst = decay·x + alpha·y
TEXT ·leakyMixAVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), AX
	MOVQ         x+8(FP), BX
	MOVQ         y+16(FP), CX
	MOVQ         n+24(FP), SI
	VBROADCASTSS decay+32(FP), Y15
	VBROADCASTSS alpha+36(FP), Y14
	XORQ         DI, DI

mixLoop:
	CMPQ    DI, SI
	JGE     mixDone
	VMULPS  (BX)(DI*4), Y15, Y0
	VMULPS  (CX)(DI*4), Y14, Y1
	VADDPS  Y1, Y0, Y0
	VMOVUPS Y0, (AX)(DI*4)
	ADDQ    $8, DI
	JMP     mixLoop

mixDone:
	VZEROUPPER
	RET

// func tanhCarryAVX2(dst, og, d, da, a *float32, n int, decay float32)
TEXT ·tanhCarryAVX2(SB), NOSPLIT, $0-52
	MOVQ         dst+0(FP), AX
	MOVQ         og+8(FP), BX
	MOVQ         d+16(FP), CX
	MOVQ         da+24(FP), DX
	MOVQ         a+32(FP), R9
	MOVQ         n+40(FP), SI
	VBROADCASTSS decay+48(FP), Y15
	MOVL         $0x3f800000, R8
	VMOVD        R8, X13
	VBROADCASTSS X13, Y13
	XORQ         DI, DI

carryLoop:
	CMPQ    DI, SI
	JGE     carryDone
	VMULPS  (CX)(DI*4), Y15, Y0
	VADDPS  (BX)(DI*4), Y0, Y0
	VMOVUPS (R9)(DI*4), Y2
	VMULPS  Y2, Y2, Y2
	VSUBPS  Y2, Y13, Y2
	VMULPS  (DX)(DI*4), Y2, Y2
	VADDPS  Y2, Y0, Y0
	VMOVUPS Y0, (AX)(DI*4)
	ADDQ    $8, DI
	JMP     carryLoop

carryDone:
	VZEROUPPER
	RET
