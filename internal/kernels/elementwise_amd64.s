//go:build !noasm

#include "textflag.h"

// Constant vectors (8 equal float32 lanes each) for the AVX2 exp, tanh and sigmoid.
// exp follows Cephes expf: x = n·ln2 + r with |r| ≤ ln2/2, exp(r) by a degree-7
// polynomial, scaled by 2ⁿ built in the exponent field. tanh uses the Cephes tanhf
// odd polynomial for |x| < 0.625 and 1 − 2/(exp(2|x|)+1) above.
DATA elemc<>+0(SB)/4, $0x42b17218 // hi
DATA elemc<>+4(SB)/4, $0x42b17218 // hi
DATA elemc<>+8(SB)/4, $0x42b17218 // hi
DATA elemc<>+12(SB)/4, $0x42b17218 // hi
DATA elemc<>+16(SB)/4, $0x42b17218 // hi
DATA elemc<>+20(SB)/4, $0x42b17218 // hi
DATA elemc<>+24(SB)/4, $0x42b17218 // hi
DATA elemc<>+28(SB)/4, $0x42b17218 // hi
DATA elemc<>+32(SB)/4, $0xc2aeac4f // lo
DATA elemc<>+36(SB)/4, $0xc2aeac4f // lo
DATA elemc<>+40(SB)/4, $0xc2aeac4f // lo
DATA elemc<>+44(SB)/4, $0xc2aeac4f // lo
DATA elemc<>+48(SB)/4, $0xc2aeac4f // lo
DATA elemc<>+52(SB)/4, $0xc2aeac4f // lo
DATA elemc<>+56(SB)/4, $0xc2aeac4f // lo
DATA elemc<>+60(SB)/4, $0xc2aeac4f // lo
DATA elemc<>+64(SB)/4, $0x3fb8aa3b // log2e
DATA elemc<>+68(SB)/4, $0x3fb8aa3b // log2e
DATA elemc<>+72(SB)/4, $0x3fb8aa3b // log2e
DATA elemc<>+76(SB)/4, $0x3fb8aa3b // log2e
DATA elemc<>+80(SB)/4, $0x3fb8aa3b // log2e
DATA elemc<>+84(SB)/4, $0x3fb8aa3b // log2e
DATA elemc<>+88(SB)/4, $0x3fb8aa3b // log2e
DATA elemc<>+92(SB)/4, $0x3fb8aa3b // log2e
DATA elemc<>+96(SB)/4, $0x3f000000 // half
DATA elemc<>+100(SB)/4, $0x3f000000 // half
DATA elemc<>+104(SB)/4, $0x3f000000 // half
DATA elemc<>+108(SB)/4, $0x3f000000 // half
DATA elemc<>+112(SB)/4, $0x3f000000 // half
DATA elemc<>+116(SB)/4, $0x3f000000 // half
DATA elemc<>+120(SB)/4, $0x3f000000 // half
DATA elemc<>+124(SB)/4, $0x3f000000 // half
DATA elemc<>+128(SB)/4, $0x3f318000 // c1
DATA elemc<>+132(SB)/4, $0x3f318000 // c1
DATA elemc<>+136(SB)/4, $0x3f318000 // c1
DATA elemc<>+140(SB)/4, $0x3f318000 // c1
DATA elemc<>+144(SB)/4, $0x3f318000 // c1
DATA elemc<>+148(SB)/4, $0x3f318000 // c1
DATA elemc<>+152(SB)/4, $0x3f318000 // c1
DATA elemc<>+156(SB)/4, $0x3f318000 // c1
DATA elemc<>+160(SB)/4, $0xb95e8083 // c2
DATA elemc<>+164(SB)/4, $0xb95e8083 // c2
DATA elemc<>+168(SB)/4, $0xb95e8083 // c2
DATA elemc<>+172(SB)/4, $0xb95e8083 // c2
DATA elemc<>+176(SB)/4, $0xb95e8083 // c2
DATA elemc<>+180(SB)/4, $0xb95e8083 // c2
DATA elemc<>+184(SB)/4, $0xb95e8083 // c2
DATA elemc<>+188(SB)/4, $0xb95e8083 // c2
DATA elemc<>+192(SB)/4, $0x39506967 // p0
DATA elemc<>+196(SB)/4, $0x39506967 // p0
DATA elemc<>+200(SB)/4, $0x39506967 // p0
DATA elemc<>+204(SB)/4, $0x39506967 // p0
DATA elemc<>+208(SB)/4, $0x39506967 // p0
DATA elemc<>+212(SB)/4, $0x39506967 // p0
DATA elemc<>+216(SB)/4, $0x39506967 // p0
DATA elemc<>+220(SB)/4, $0x39506967 // p0
DATA elemc<>+224(SB)/4, $0x3ab743ce // p1
DATA elemc<>+228(SB)/4, $0x3ab743ce // p1
DATA elemc<>+232(SB)/4, $0x3ab743ce // p1
DATA elemc<>+236(SB)/4, $0x3ab743ce // p1
DATA elemc<>+240(SB)/4, $0x3ab743ce // p1
DATA elemc<>+244(SB)/4, $0x3ab743ce // p1
DATA elemc<>+248(SB)/4, $0x3ab743ce // p1
DATA elemc<>+252(SB)/4, $0x3ab743ce // p1
DATA elemc<>+256(SB)/4, $0x3c088908 // p2
DATA elemc<>+260(SB)/4, $0x3c088908 // p2
DATA elemc<>+264(SB)/4, $0x3c088908 // p2
DATA elemc<>+268(SB)/4, $0x3c088908 // p2
DATA elemc<>+272(SB)/4, $0x3c088908 // p2
DATA elemc<>+276(SB)/4, $0x3c088908 // p2
DATA elemc<>+280(SB)/4, $0x3c088908 // p2
DATA elemc<>+284(SB)/4, $0x3c088908 // p2
DATA elemc<>+288(SB)/4, $0x3d2aa9c1 // p3
DATA elemc<>+292(SB)/4, $0x3d2aa9c1 // p3
DATA elemc<>+296(SB)/4, $0x3d2aa9c1 // p3
DATA elemc<>+300(SB)/4, $0x3d2aa9c1 // p3
DATA elemc<>+304(SB)/4, $0x3d2aa9c1 // p3
DATA elemc<>+308(SB)/4, $0x3d2aa9c1 // p3
DATA elemc<>+312(SB)/4, $0x3d2aa9c1 // p3
DATA elemc<>+316(SB)/4, $0x3d2aa9c1 // p3
DATA elemc<>+320(SB)/4, $0x3e2aaaaa // p4
DATA elemc<>+324(SB)/4, $0x3e2aaaaa // p4
DATA elemc<>+328(SB)/4, $0x3e2aaaaa // p4
DATA elemc<>+332(SB)/4, $0x3e2aaaaa // p4
DATA elemc<>+336(SB)/4, $0x3e2aaaaa // p4
DATA elemc<>+340(SB)/4, $0x3e2aaaaa // p4
DATA elemc<>+344(SB)/4, $0x3e2aaaaa // p4
DATA elemc<>+348(SB)/4, $0x3e2aaaaa // p4
DATA elemc<>+352(SB)/4, $0x3f000000 // p5
DATA elemc<>+356(SB)/4, $0x3f000000 // p5
DATA elemc<>+360(SB)/4, $0x3f000000 // p5
DATA elemc<>+364(SB)/4, $0x3f000000 // p5
DATA elemc<>+368(SB)/4, $0x3f000000 // p5
DATA elemc<>+372(SB)/4, $0x3f000000 // p5
DATA elemc<>+376(SB)/4, $0x3f000000 // p5
DATA elemc<>+380(SB)/4, $0x3f000000 // p5
DATA elemc<>+384(SB)/4, $0x3f800000 // one
DATA elemc<>+388(SB)/4, $0x3f800000 // one
DATA elemc<>+392(SB)/4, $0x3f800000 // one
DATA elemc<>+396(SB)/4, $0x3f800000 // one
DATA elemc<>+400(SB)/4, $0x3f800000 // one
DATA elemc<>+404(SB)/4, $0x3f800000 // one
DATA elemc<>+408(SB)/4, $0x3f800000 // one
DATA elemc<>+412(SB)/4, $0x3f800000 // one
DATA elemc<>+416(SB)/4, $0x40000000 // two
DATA elemc<>+420(SB)/4, $0x40000000 // two
DATA elemc<>+424(SB)/4, $0x40000000 // two
DATA elemc<>+428(SB)/4, $0x40000000 // two
DATA elemc<>+432(SB)/4, $0x40000000 // two
DATA elemc<>+436(SB)/4, $0x40000000 // two
DATA elemc<>+440(SB)/4, $0x40000000 // two
DATA elemc<>+444(SB)/4, $0x40000000 // two
DATA elemc<>+448(SB)/4, $0x0000007e // e126
DATA elemc<>+452(SB)/4, $0x0000007e // e126
DATA elemc<>+456(SB)/4, $0x0000007e // e126
DATA elemc<>+460(SB)/4, $0x0000007e // e126
DATA elemc<>+464(SB)/4, $0x0000007e // e126
DATA elemc<>+468(SB)/4, $0x0000007e // e126
DATA elemc<>+472(SB)/4, $0x0000007e // e126
DATA elemc<>+476(SB)/4, $0x0000007e // e126
DATA elemc<>+480(SB)/4, $0x7f800000 // inf
DATA elemc<>+484(SB)/4, $0x7f800000 // inf
DATA elemc<>+488(SB)/4, $0x7f800000 // inf
DATA elemc<>+492(SB)/4, $0x7f800000 // inf
DATA elemc<>+496(SB)/4, $0x7f800000 // inf
DATA elemc<>+500(SB)/4, $0x7f800000 // inf
DATA elemc<>+504(SB)/4, $0x7f800000 // inf
DATA elemc<>+508(SB)/4, $0x7f800000 // inf
DATA elemc<>+512(SB)/4, $0x80000000 // sign
DATA elemc<>+516(SB)/4, $0x80000000 // sign
DATA elemc<>+520(SB)/4, $0x80000000 // sign
DATA elemc<>+524(SB)/4, $0x80000000 // sign
DATA elemc<>+528(SB)/4, $0x80000000 // sign
DATA elemc<>+532(SB)/4, $0x80000000 // sign
DATA elemc<>+536(SB)/4, $0x80000000 // sign
DATA elemc<>+540(SB)/4, $0x80000000 // sign
DATA elemc<>+544(SB)/4, $0x7fffffff // abs
DATA elemc<>+548(SB)/4, $0x7fffffff // abs
DATA elemc<>+552(SB)/4, $0x7fffffff // abs
DATA elemc<>+556(SB)/4, $0x7fffffff // abs
DATA elemc<>+560(SB)/4, $0x7fffffff // abs
DATA elemc<>+564(SB)/4, $0x7fffffff // abs
DATA elemc<>+568(SB)/4, $0x7fffffff // abs
DATA elemc<>+572(SB)/4, $0x7fffffff // abs
DATA elemc<>+576(SB)/4, $0x3f200000 // tsmall
DATA elemc<>+580(SB)/4, $0x3f200000 // tsmall
DATA elemc<>+584(SB)/4, $0x3f200000 // tsmall
DATA elemc<>+588(SB)/4, $0x3f200000 // tsmall
DATA elemc<>+592(SB)/4, $0x3f200000 // tsmall
DATA elemc<>+596(SB)/4, $0x3f200000 // tsmall
DATA elemc<>+600(SB)/4, $0x3f200000 // tsmall
DATA elemc<>+604(SB)/4, $0x3f200000 // tsmall
DATA elemc<>+608(SB)/4, $0xbbbaf0ea // t0
DATA elemc<>+612(SB)/4, $0xbbbaf0ea // t0
DATA elemc<>+616(SB)/4, $0xbbbaf0ea // t0
DATA elemc<>+620(SB)/4, $0xbbbaf0ea // t0
DATA elemc<>+624(SB)/4, $0xbbbaf0ea // t0
DATA elemc<>+628(SB)/4, $0xbbbaf0ea // t0
DATA elemc<>+632(SB)/4, $0xbbbaf0ea // t0
DATA elemc<>+636(SB)/4, $0xbbbaf0ea // t0
DATA elemc<>+640(SB)/4, $0x3ca9134e // t1
DATA elemc<>+644(SB)/4, $0x3ca9134e // t1
DATA elemc<>+648(SB)/4, $0x3ca9134e // t1
DATA elemc<>+652(SB)/4, $0x3ca9134e // t1
DATA elemc<>+656(SB)/4, $0x3ca9134e // t1
DATA elemc<>+660(SB)/4, $0x3ca9134e // t1
DATA elemc<>+664(SB)/4, $0x3ca9134e // t1
DATA elemc<>+668(SB)/4, $0x3ca9134e // t1
DATA elemc<>+672(SB)/4, $0xbd5c1e2d // t2
DATA elemc<>+676(SB)/4, $0xbd5c1e2d // t2
DATA elemc<>+680(SB)/4, $0xbd5c1e2d // t2
DATA elemc<>+684(SB)/4, $0xbd5c1e2d // t2
DATA elemc<>+688(SB)/4, $0xbd5c1e2d // t2
DATA elemc<>+692(SB)/4, $0xbd5c1e2d // t2
DATA elemc<>+696(SB)/4, $0xbd5c1e2d // t2
DATA elemc<>+700(SB)/4, $0xbd5c1e2d // t2
DATA elemc<>+704(SB)/4, $0x3e088393 // t3
DATA elemc<>+708(SB)/4, $0x3e088393 // t3
DATA elemc<>+712(SB)/4, $0x3e088393 // t3
DATA elemc<>+716(SB)/4, $0x3e088393 // t3
DATA elemc<>+720(SB)/4, $0x3e088393 // t3
DATA elemc<>+724(SB)/4, $0x3e088393 // t3
DATA elemc<>+728(SB)/4, $0x3e088393 // t3
DATA elemc<>+732(SB)/4, $0x3e088393 // t3
DATA elemc<>+736(SB)/4, $0xbeaaaa99 // t4
DATA elemc<>+740(SB)/4, $0xbeaaaa99 // t4
DATA elemc<>+744(SB)/4, $0xbeaaaa99 // t4
DATA elemc<>+748(SB)/4, $0xbeaaaa99 // t4
DATA elemc<>+752(SB)/4, $0xbeaaaa99 // t4
DATA elemc<>+756(SB)/4, $0xbeaaaa99 // t4
DATA elemc<>+760(SB)/4, $0xbeaaaa99 // t4
DATA elemc<>+764(SB)/4, $0xbeaaaa99 // t4
GLOBL elemc<>(SB), RODATA|NOPTR, $768

// EXP computes Y3 = exp(Y0) lane-wise; it clobbers Y1, Y2, Y4, Y5 and Y6.
#define EXP \
	VMINPS elemc<>+0(SB), Y0, Y1; \
	VMAXPS elemc<>+32(SB), Y1, Y1; \
	VMOVUPS elemc<>+96(SB), Y2; \
	VFMADD231PS elemc<>+64(SB), Y1, Y2; \
	VROUNDPS $1, Y2, Y2; \
	VFNMADD231PS elemc<>+128(SB), Y2, Y1; \
	VFNMADD231PS elemc<>+160(SB), Y2, Y1; \
	VMOVUPS elemc<>+192(SB), Y3; \
	VFMADD213PS elemc<>+224(SB), Y1, Y3; \
	VFMADD213PS elemc<>+256(SB), Y1, Y3; \
	VFMADD213PS elemc<>+288(SB), Y1, Y3; \
	VFMADD213PS elemc<>+320(SB), Y1, Y3; \
	VFMADD213PS elemc<>+352(SB), Y1, Y3; \
	VMULPS Y1, Y1, Y4; \
	VFMADD213PS Y1, Y4, Y3; \
	VADDPS elemc<>+384(SB), Y3, Y3; \
	VADDPS Y3, Y3, Y3; \
	VCVTPS2DQ Y2, Y5; \
	VPADDD elemc<>+448(SB), Y5, Y5; \
	VPSLLD $23, Y5, Y5; \
	VMULPS Y5, Y3, Y3; \
	VCMPPS $0x1e, elemc<>+0(SB), Y0, Y6; \
	VBLENDVPS Y6, elemc<>+480(SB), Y3, Y3; \
	VCMPPS $3, Y0, Y0, Y6; \
	VBLENDVPS Y6, Y0, Y3, Y3

// func expAVX2(dst, src *float32, n int)
// dst[i] = exp(src[i]) for i < n, n a multiple of 8.
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ expAVX2_done
expAVX2_loop:
	VMOVUPS (SI), Y0
	EXP
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ expAVX2_loop
expAVX2_done:
	VZEROUPPER
	RET

// func sigmoidAVX2(dst, src *float32, n int)
// dst[i] = 1/(1+exp(-src[i])) for i < n, n a multiple of 8.
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ sigmoidAVX2_done
sigmoidAVX2_loop:
	VMOVUPS (SI), Y0
	VXORPS elemc<>+512(SB), Y0, Y0
	EXP
	VADDPS elemc<>+384(SB), Y3, Y3
	VMOVUPS elemc<>+384(SB), Y7
	VDIVPS Y3, Y7, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ sigmoidAVX2_loop
sigmoidAVX2_done:
	VZEROUPPER
	RET

// func tanhAVX2(dst, src *float32, n int)
// dst[i] = tanh(src[i]) for i < n, n a multiple of 8.
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ tanhAVX2_done
tanhAVX2_loop:
	VMOVUPS (SI), Y0
	VMOVUPS Y0, Y9
	VANDPS elemc<>+544(SB), Y0, Y8
	VADDPS Y8, Y8, Y0
	EXP
	VADDPS elemc<>+384(SB), Y3, Y3
	VMOVUPS elemc<>+416(SB), Y7
	VDIVPS Y3, Y7, Y3
	VMOVUPS elemc<>+384(SB), Y7
	VSUBPS Y3, Y7, Y3
	VMULPS Y8, Y8, Y4
	VMOVUPS elemc<>+608(SB), Y5
	VFMADD213PS elemc<>+640(SB), Y4, Y5
	VFMADD213PS elemc<>+672(SB), Y4, Y5
	VFMADD213PS elemc<>+704(SB), Y4, Y5
	VFMADD213PS elemc<>+736(SB), Y4, Y5
	VMULPS Y8, Y4, Y4
	VFMADD213PS Y8, Y4, Y5
	VCMPPS $0x11, elemc<>+576(SB), Y8, Y6
	VBLENDVPS Y6, Y5, Y3, Y3
	VANDPS elemc<>+512(SB), Y9, Y9
	VORPS Y9, Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ tanhAVX2_loop
tanhAVX2_done:
	VZEROUPPER
	RET


// EXP512 is EXP on 16 lanes: Z3 = exp(Z0), the same operations in the same
// order, constants broadcast from the first lane of their table rows; it
// clobbers Z1, Z2, Z4, Z5, K1 and K2.
#define EXP512 \
	VMINPS.BCST elemc<>+0(SB), Z0, Z1; \
	VMAXPS.BCST elemc<>+32(SB), Z1, Z1; \
	VBROADCASTSS elemc<>+96(SB), Z2; \
	VFMADD231PS.BCST elemc<>+64(SB), Z1, Z2; \
	VRNDSCALEPS $1, Z2, Z2; \
	VFNMADD231PS.BCST elemc<>+128(SB), Z2, Z1; \
	VFNMADD231PS.BCST elemc<>+160(SB), Z2, Z1; \
	VBROADCASTSS elemc<>+192(SB), Z3; \
	VFMADD213PS.BCST elemc<>+224(SB), Z1, Z3; \
	VFMADD213PS.BCST elemc<>+256(SB), Z1, Z3; \
	VFMADD213PS.BCST elemc<>+288(SB), Z1, Z3; \
	VFMADD213PS.BCST elemc<>+320(SB), Z1, Z3; \
	VFMADD213PS.BCST elemc<>+352(SB), Z1, Z3; \
	VMULPS Z1, Z1, Z4; \
	VFMADD213PS Z1, Z4, Z3; \
	VADDPS.BCST elemc<>+384(SB), Z3, Z3; \
	VADDPS Z3, Z3, Z3; \
	VCVTPS2DQ Z2, Z5; \
	VPADDD.BCST elemc<>+448(SB), Z5, Z5; \
	VPSLLD $23, Z5, Z5; \
	VMULPS Z5, Z3, Z3; \
	VCMPPS.BCST $0x1e, elemc<>+0(SB), Z0, K1; \
	VBROADCASTSS elemc<>+480(SB), K1, Z3; \
	VCMPPS $3, Z0, Z0, K2; \
	VMOVAPS Z0, K2, Z3

// func expAVX512(dst, src *float32, n int)
// dst[i] = exp(src[i]) for i < n, n a multiple of 16.
TEXT ·expAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ expAVX512_done
expAVX512_loop:
	VMOVUPS (SI), Z0
	EXP512
	VMOVUPS Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ expAVX512_loop
expAVX512_done:
	VZEROUPPER
	RET

// func sigmoidAVX512(dst, src *float32, n int)
// dst[i] = 1/(1+exp(-src[i])) for i < n, n a multiple of 16.
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ sigmoidAVX512_done
	VBROADCASTSS elemc<>+384(SB), Z7
sigmoidAVX512_loop:
	VMOVUPS (SI), Z0
	VPXORD.BCST elemc<>+512(SB), Z0, Z0
	EXP512
	VADDPS Z7, Z3, Z3
	VDIVPS Z3, Z7, Z3
	VMOVUPS Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ sigmoidAVX512_loop
sigmoidAVX512_done:
	VZEROUPPER
	RET

// func tanhAVX512(dst, src *float32, n int)
// dst[i] = tanh(src[i]) for i < n, n a multiple of 16.
TEXT ·tanhAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ tanhAVX512_done
	VBROADCASTSS elemc<>+384(SB), Z7
	VBROADCASTSS elemc<>+416(SB), Z10
tanhAVX512_loop:
	VMOVUPS (SI), Z0
	VMOVAPS Z0, Z9
	VPANDD.BCST elemc<>+544(SB), Z0, Z8
	VADDPS Z8, Z8, Z0
	EXP512
	VADDPS Z7, Z3, Z3
	VDIVPS Z3, Z10, Z3
	VSUBPS Z3, Z7, Z3
	VMULPS Z8, Z8, Z4
	VBROADCASTSS elemc<>+608(SB), Z5
	VFMADD213PS.BCST elemc<>+640(SB), Z4, Z5
	VFMADD213PS.BCST elemc<>+672(SB), Z4, Z5
	VFMADD213PS.BCST elemc<>+704(SB), Z4, Z5
	VFMADD213PS.BCST elemc<>+736(SB), Z4, Z5
	VMULPS Z8, Z4, Z4
	VFMADD213PS Z8, Z4, Z5
	VCMPPS.BCST $0x11, elemc<>+576(SB), Z8, K1
	VMOVAPS Z5, K1, Z3
	VPANDD.BCST elemc<>+512(SB), Z9, Z9
	VPORD Z9, Z3, Z3
	VMOVUPS Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ tanhAVX512_loop
tanhAVX512_done:
	VZEROUPPER
	RET
