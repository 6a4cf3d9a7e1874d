//go:build !noasm

#include "textflag.h"

// func gruCandidateAVX2(c, r, ghn, bhn *float32, n int)
// c += r·(ghn + bhn)
TEXT ·gruCandidateAVX2(SB), NOSPLIT, $0-40
	MOVQ c+0(FP), AX
	MOVQ r+8(FP), BX
	MOVQ ghn+16(FP), CX
	MOVQ bhn+24(FP), DX
	MOVQ n+32(FP), SI
	XORQ DI, DI

candLoop:
	VMOVUPS (CX)(DI*4), Y0
	VADDPS  (DX)(DI*4), Y0, Y0
	VMULPS  (BX)(DI*4), Y0, Y0
	VADDPS  (AX)(DI*4), Y0, Y0
	VMOVUPS Y0, (AX)(DI*4)
	ADDQ    $8, DI
	CMPQ    DI, SI
	JLT     candLoop
	VZEROUPPER
	RET

// func gruMixAVX2(h, c, z, hp *float32, n int)
// h = c + z·(hp − c)
TEXT ·gruMixAVX2(SB), NOSPLIT, $0-40
	MOVQ h+0(FP), AX
	MOVQ c+8(FP), BX
	MOVQ z+16(FP), CX
	MOVQ hp+24(FP), DX
	MOVQ n+32(FP), SI
	XORQ DI, DI

mixLoop:
	VMOVUPS (BX)(DI*4), Y1
	VMOVUPS (DX)(DI*4), Y0
	VSUBPS  Y1, Y0, Y0
	VMULPS  (CX)(DI*4), Y0, Y0
	VADDPS  Y1, Y0, Y0
	VMOVUPS Y0, (AX)(DI*4)
	ADDQ    $8, DI
	CMPQ    DI, SI
	JLT     mixLoop
	VZEROUPPER
	RET

// func gruGradRCAVX2(dr, dc, dn, dh, og, r, z, c, ghn, bhn *float32, n int)
// δ = dh + og; dnPre = (δ·(1 − z))·(1 − c²); dr = ((dnPre·(ghn + bhn))·r)·(1 − r);
// dc = dnPre·r; dn = dnPre
TEXT ·gruGradRCAVX2(SB), NOSPLIT, $0-88
	MOVQ         dr+0(FP), AX
	MOVQ         dc+8(FP), BX
	MOVQ         dn+16(FP), CX
	MOVQ         dh+24(FP), DX
	MOVQ         og+32(FP), SI
	MOVQ         r+40(FP), R8
	MOVQ         z+48(FP), R9
	MOVQ         c+56(FP), R10
	MOVQ         ghn+64(FP), R11
	MOVQ         bhn+72(FP), R12
	MOVQ         n+80(FP), R13
	MOVL         $0x3f800000, R14
	VMOVD        R14, X15
	VBROADCASTSS X15, Y15
	XORQ         DI, DI

rcLoop:
	VMOVUPS (DX)(DI*4), Y0
	VADDPS  (SI)(DI*4), Y0, Y0 // δ
	VMOVUPS (R9)(DI*4), Y1
	VSUBPS  Y1, Y15, Y1        // 1 − z
	VMULPS  Y1, Y0, Y0         // δ·(1 − z)
	VMOVUPS (R10)(DI*4), Y2
	VMULPS  Y2, Y2, Y2
	VSUBPS  Y2, Y15, Y2        // 1 − c²
	VMULPS  Y2, Y0, Y0         // dnPre
	VMOVUPS Y0, (CX)(DI*4)
	VMOVUPS (R8)(DI*4), Y3     // r
	VMULPS  Y3, Y0, Y4
	VMOVUPS Y4, (BX)(DI*4)     // dc
	VMOVUPS (R11)(DI*4), Y5
	VADDPS  (R12)(DI*4), Y5, Y5
	VMULPS  Y5, Y0, Y5         // dnPre·(ghn + bhn)
	VMULPS  Y3, Y5, Y5
	VSUBPS  Y3, Y15, Y3        // 1 − r
	VMULPS  Y3, Y5, Y5
	VMOVUPS Y5, (AX)(DI*4)     // dr
	ADDQ    $8, DI
	CMPQ    DI, R13
	JLT     rcLoop
	VZEROUPPER
	RET

// func gruGradZAVX2(dz, dh, og, z, c, hp *float32, n int)
// δ = dh + og; dz = ((δ·(hp − c))·z)·(1 − z); dh = δ·z
TEXT ·gruGradZAVX2(SB), NOSPLIT, $0-56
	MOVQ         dz+0(FP), AX
	MOVQ         dh+8(FP), BX
	MOVQ         og+16(FP), CX
	MOVQ         z+24(FP), DX
	MOVQ         c+32(FP), SI
	MOVQ         hp+40(FP), R8
	MOVQ         n+48(FP), R9
	MOVL         $0x3f800000, R10
	VMOVD        R10, X15
	VBROADCASTSS X15, Y15
	XORQ         DI, DI

zLoop:
	VMOVUPS (BX)(DI*4), Y0
	VADDPS  (CX)(DI*4), Y0, Y0 // δ
	VMOVUPS (DX)(DI*4), Y1     // z
	VMOVUPS (R8)(DI*4), Y2
	VSUBPS  (SI)(DI*4), Y2, Y2 // hp − c
	VMULPS  Y2, Y0, Y2
	VMULPS  Y1, Y2, Y2
	VSUBPS  Y1, Y15, Y3        // 1 − z
	VMULPS  Y3, Y2, Y2
	VMOVUPS Y2, (AX)(DI*4)     // dz
	VMULPS  Y1, Y0, Y0
	VMOVUPS Y0, (BX)(DI*4)     // dh = δ·z
	ADDQ    $8, DI
	CMPQ    DI, R9
	JLT     zLoop
	VZEROUPPER
	RET
