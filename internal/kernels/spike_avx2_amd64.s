//go:build !noasm

#include "textflag.h"

// The 8-lane (AVX2) loops of LIFBackFastSigmoid, LIFBackArcTan and
// SpikeIndices: the AVX-512 loops of spike_amd64.s on YMM registers, op
// for op, so that they give the same bits.

// LIFBACKX8 sets Y0 = x = u − thr of one block from v (R10) and the spikes s
// (R13), s ∈ {0, 1}: x = v − thr·(1 − s), thr·(1 − s) being thr or 0, so x
// is u − thr to the bit (v = u − thr·s); Y5 holds 1, Y7 thr, Y8 is
// scratch.
#define LIFBACKX8 \
	VMOVUPS (R13)(BX*4), Y0; \
	VSUBPS  Y0, Y5, Y0; \
	VMULPS  Y7, Y0, Y0; \
	VMOVUPS (R10)(BX*4), Y8; \
	VSUBPS  Y0, Y8, Y0

// LIFBACKTAIL8 finishes one block of a reverse LIF step from Y1 = the
// surrogate's share (og + gsr)·σ'(u − thr): d = gv + Y1, dp = d, gv = β·d,
// gBeta += d·vPrev, and advances BX by 8.
#define LIFBACKTAIL8 \
	VADDPS  (SI)(BX*4), Y1, Y1; \
	VMOVUPS Y1, (DI)(BX*4); \
	VMULPS  (R12)(BX*4), Y1, Y2; \
	VMOVUPS Y2, (SI)(BX*4); \
	VMULPS  (R11)(BX*4), Y1, Y3; \
	VADDPS  (DX)(BX*4), Y3, Y3; \
	VMOVUPS Y3, (DX)(BX*4); \
	ADDQ    $8, BX

// func lifBackFastSigmoidAVX2(dp, gv, gBeta, og, gsr, v, s, vPrev, beta *float32, n int, thr, slope float32)
// t = 1 + slope·|u − thr|; d = gv + (og + gsr)/(t·t); dp = d; gv = β·d;
// gBeta += d·vPrev.
TEXT ·lifBackFastSigmoidAVX2(SB), NOSPLIT, $0-88
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
	VBROADCASTSS thr+80(FP), Y7
	VBROADCASTSS slope+84(FP), Y6
	MOVL         $0x3f800000, AX
	MOVQ         AX, X5
	VPBROADCASTD X5, Y5               // 1.0
	MOVL         $0x7fffffff, AX
	MOVQ         AX, X4
	VPBROADCASTD X4, Y4               // |·| mask
	XORQ         BX, BX

fsloop:
	LIFBACKX8
	VANDPS  Y4, Y0, Y0               // |x|
	VMULPS  Y6, Y0, Y0               // slope·|x|
	VADDPS  Y5, Y0, Y0               // t
	VMULPS  Y0, Y0, Y0               // t·t
	VMOVUPS (R8)(BX*4), Y1
	VADDPS  (R9)(BX*4), Y1, Y1       // og + gsr
	VDIVPS  Y0, Y1, Y1
	LIFBACKTAIL8
	CMPQ    BX, CX
	JLT     fsloop
	VZEROUPPER
	RET

// func lifBackArcTanAVX2(dp, gv, gBeta, og, gsr, v, s, vPrev, beta *float32, n int, thr, c1, c0 float32)
// w = c1·(u − thr); d = gv + (og + gsr)·c0/(1 + w·w); dp = d; gv = β·d;
// gBeta += d·vPrev.
TEXT ·lifBackArcTanAVX2(SB), NOSPLIT, $0-92
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
	VBROADCASTSS thr+80(FP), Y7
	VBROADCASTSS c1+84(FP), Y6
	VBROADCASTSS c0+88(FP), Y4
	MOVL         $0x3f800000, AX
	MOVQ         AX, X5
	VPBROADCASTD X5, Y5               // 1.0
	XORQ         BX, BX

atloop:
	LIFBACKX8
	VMULPS  Y6, Y0, Y0               // w
	VMULPS  Y0, Y0, Y0               // w·w
	VADDPS  Y5, Y0, Y0               // 1 + w·w
	VMOVUPS (R8)(BX*4), Y1
	VADDPS  (R9)(BX*4), Y1, Y1       // og + gsr
	VMULPS  Y4, Y1, Y1               // ·c0
	VDIVPS  Y0, Y1, Y1
	LIFBACKTAIL8
	CMPQ    BX, CX
	JLT     atloop
	VZEROUPPER
	RET

// func spikeIndicesAVX2(idx *int32, s *float32, n int) int
// Writes the indices j < n with s[j] ≠ 0 to idx, in order; returns their
// number. AVX2 has no compress: each block of 8 turns its mask of nonzero
// lanes into the lane numbers of its set bits, in order, by a table of
// 8 bytes per mask (spikelanes8), widens them to int32, adds the block's
// start and stores all 8 (the indices, then junk that later blocks
// overwrite or that lies past the count), so idx must hold n entries.
// A loop over the mask's set bits (TZCNT, clear the lowest, store one
// index) took twice as long on a Zen 3 core, random spikes, 64 Ki
// entries: 0.37–0.42 against 0.18–0.23 ns per entry (min–median of 5) at
// 20 % activity, 0.77–0.95 against 0.21–0.25 at 50 %, 0.24–0.29 against
// 0.14–0.14 at 5 %; the plain loop took 4.0–4.6 at 20 %.
TEXT ·spikeIndicesAVX2(SB), NOSPLIT, $0-32
	MOVQ         idx+0(FP), DI
	MOVQ         s+8(FP), SI
	MOVQ         n+16(FP), CX
	LEAQ         spikelanes8<>(SB), R9
	VPXOR        Y3, Y3, Y3
	VPXOR        Y1, Y1, Y1           // the block's start in every lane
	MOVL         $8, AX
	MOVQ         AX, X2
	VPBROADCASTD X2, Y2
	XORQ         BX, BX               // element
	XORQ         R8, R8               // indices written

siloop:
	VMOVUPS   (SI)(BX*4), Y0
	VCMPPS    $4, Y3, Y0, Y0         // s ≠ 0 (NaN included)
	VMOVMSKPS Y0, AX
	VPMOVZXBD (R9)(AX*8), Y4         // lane numbers of the set bits
	VPADDD    Y1, Y4, Y4
	VMOVDQU   Y4, (DI)(R8*4)         // 8 lanes; R8 ≤ BX, so they end by BX+8 ≤ n
	POPCNTL   AX, AX
	ADDQ      AX, R8
	VPADDD    Y2, Y1, Y1
	ADDQ      $8, BX
	CMPQ      BX, CX
	JLT       siloop
	MOVQ      R8, ret+24(FP)
	VZEROUPPER
	RET

// The lane numbers of the set bits of every 8-bit mask, in increasing
// order, one byte each (unused bytes 0): entry m at spikelanes8<>+8·m.
DATA spikelanes8<>+0(SB)/8, $0x0000000000000000
DATA spikelanes8<>+8(SB)/8, $0x0000000000000000
DATA spikelanes8<>+16(SB)/8, $0x0000000000000001
DATA spikelanes8<>+24(SB)/8, $0x0000000000000100
DATA spikelanes8<>+32(SB)/8, $0x0000000000000002
DATA spikelanes8<>+40(SB)/8, $0x0000000000000200
DATA spikelanes8<>+48(SB)/8, $0x0000000000000201
DATA spikelanes8<>+56(SB)/8, $0x0000000000020100
DATA spikelanes8<>+64(SB)/8, $0x0000000000000003
DATA spikelanes8<>+72(SB)/8, $0x0000000000000300
DATA spikelanes8<>+80(SB)/8, $0x0000000000000301
DATA spikelanes8<>+88(SB)/8, $0x0000000000030100
DATA spikelanes8<>+96(SB)/8, $0x0000000000000302
DATA spikelanes8<>+104(SB)/8, $0x0000000000030200
DATA spikelanes8<>+112(SB)/8, $0x0000000000030201
DATA spikelanes8<>+120(SB)/8, $0x0000000003020100
DATA spikelanes8<>+128(SB)/8, $0x0000000000000004
DATA spikelanes8<>+136(SB)/8, $0x0000000000000400
DATA spikelanes8<>+144(SB)/8, $0x0000000000000401
DATA spikelanes8<>+152(SB)/8, $0x0000000000040100
DATA spikelanes8<>+160(SB)/8, $0x0000000000000402
DATA spikelanes8<>+168(SB)/8, $0x0000000000040200
DATA spikelanes8<>+176(SB)/8, $0x0000000000040201
DATA spikelanes8<>+184(SB)/8, $0x0000000004020100
DATA spikelanes8<>+192(SB)/8, $0x0000000000000403
DATA spikelanes8<>+200(SB)/8, $0x0000000000040300
DATA spikelanes8<>+208(SB)/8, $0x0000000000040301
DATA spikelanes8<>+216(SB)/8, $0x0000000004030100
DATA spikelanes8<>+224(SB)/8, $0x0000000000040302
DATA spikelanes8<>+232(SB)/8, $0x0000000004030200
DATA spikelanes8<>+240(SB)/8, $0x0000000004030201
DATA spikelanes8<>+248(SB)/8, $0x0000000403020100
DATA spikelanes8<>+256(SB)/8, $0x0000000000000005
DATA spikelanes8<>+264(SB)/8, $0x0000000000000500
DATA spikelanes8<>+272(SB)/8, $0x0000000000000501
DATA spikelanes8<>+280(SB)/8, $0x0000000000050100
DATA spikelanes8<>+288(SB)/8, $0x0000000000000502
DATA spikelanes8<>+296(SB)/8, $0x0000000000050200
DATA spikelanes8<>+304(SB)/8, $0x0000000000050201
DATA spikelanes8<>+312(SB)/8, $0x0000000005020100
DATA spikelanes8<>+320(SB)/8, $0x0000000000000503
DATA spikelanes8<>+328(SB)/8, $0x0000000000050300
DATA spikelanes8<>+336(SB)/8, $0x0000000000050301
DATA spikelanes8<>+344(SB)/8, $0x0000000005030100
DATA spikelanes8<>+352(SB)/8, $0x0000000000050302
DATA spikelanes8<>+360(SB)/8, $0x0000000005030200
DATA spikelanes8<>+368(SB)/8, $0x0000000005030201
DATA spikelanes8<>+376(SB)/8, $0x0000000503020100
DATA spikelanes8<>+384(SB)/8, $0x0000000000000504
DATA spikelanes8<>+392(SB)/8, $0x0000000000050400
DATA spikelanes8<>+400(SB)/8, $0x0000000000050401
DATA spikelanes8<>+408(SB)/8, $0x0000000005040100
DATA spikelanes8<>+416(SB)/8, $0x0000000000050402
DATA spikelanes8<>+424(SB)/8, $0x0000000005040200
DATA spikelanes8<>+432(SB)/8, $0x0000000005040201
DATA spikelanes8<>+440(SB)/8, $0x0000000504020100
DATA spikelanes8<>+448(SB)/8, $0x0000000000050403
DATA spikelanes8<>+456(SB)/8, $0x0000000005040300
DATA spikelanes8<>+464(SB)/8, $0x0000000005040301
DATA spikelanes8<>+472(SB)/8, $0x0000000504030100
DATA spikelanes8<>+480(SB)/8, $0x0000000005040302
DATA spikelanes8<>+488(SB)/8, $0x0000000504030200
DATA spikelanes8<>+496(SB)/8, $0x0000000504030201
DATA spikelanes8<>+504(SB)/8, $0x0000050403020100
DATA spikelanes8<>+512(SB)/8, $0x0000000000000006
DATA spikelanes8<>+520(SB)/8, $0x0000000000000600
DATA spikelanes8<>+528(SB)/8, $0x0000000000000601
DATA spikelanes8<>+536(SB)/8, $0x0000000000060100
DATA spikelanes8<>+544(SB)/8, $0x0000000000000602
DATA spikelanes8<>+552(SB)/8, $0x0000000000060200
DATA spikelanes8<>+560(SB)/8, $0x0000000000060201
DATA spikelanes8<>+568(SB)/8, $0x0000000006020100
DATA spikelanes8<>+576(SB)/8, $0x0000000000000603
DATA spikelanes8<>+584(SB)/8, $0x0000000000060300
DATA spikelanes8<>+592(SB)/8, $0x0000000000060301
DATA spikelanes8<>+600(SB)/8, $0x0000000006030100
DATA spikelanes8<>+608(SB)/8, $0x0000000000060302
DATA spikelanes8<>+616(SB)/8, $0x0000000006030200
DATA spikelanes8<>+624(SB)/8, $0x0000000006030201
DATA spikelanes8<>+632(SB)/8, $0x0000000603020100
DATA spikelanes8<>+640(SB)/8, $0x0000000000000604
DATA spikelanes8<>+648(SB)/8, $0x0000000000060400
DATA spikelanes8<>+656(SB)/8, $0x0000000000060401
DATA spikelanes8<>+664(SB)/8, $0x0000000006040100
DATA spikelanes8<>+672(SB)/8, $0x0000000000060402
DATA spikelanes8<>+680(SB)/8, $0x0000000006040200
DATA spikelanes8<>+688(SB)/8, $0x0000000006040201
DATA spikelanes8<>+696(SB)/8, $0x0000000604020100
DATA spikelanes8<>+704(SB)/8, $0x0000000000060403
DATA spikelanes8<>+712(SB)/8, $0x0000000006040300
DATA spikelanes8<>+720(SB)/8, $0x0000000006040301
DATA spikelanes8<>+728(SB)/8, $0x0000000604030100
DATA spikelanes8<>+736(SB)/8, $0x0000000006040302
DATA spikelanes8<>+744(SB)/8, $0x0000000604030200
DATA spikelanes8<>+752(SB)/8, $0x0000000604030201
DATA spikelanes8<>+760(SB)/8, $0x0000060403020100
DATA spikelanes8<>+768(SB)/8, $0x0000000000000605
DATA spikelanes8<>+776(SB)/8, $0x0000000000060500
DATA spikelanes8<>+784(SB)/8, $0x0000000000060501
DATA spikelanes8<>+792(SB)/8, $0x0000000006050100
DATA spikelanes8<>+800(SB)/8, $0x0000000000060502
DATA spikelanes8<>+808(SB)/8, $0x0000000006050200
DATA spikelanes8<>+816(SB)/8, $0x0000000006050201
DATA spikelanes8<>+824(SB)/8, $0x0000000605020100
DATA spikelanes8<>+832(SB)/8, $0x0000000000060503
DATA spikelanes8<>+840(SB)/8, $0x0000000006050300
DATA spikelanes8<>+848(SB)/8, $0x0000000006050301
DATA spikelanes8<>+856(SB)/8, $0x0000000605030100
DATA spikelanes8<>+864(SB)/8, $0x0000000006050302
DATA spikelanes8<>+872(SB)/8, $0x0000000605030200
DATA spikelanes8<>+880(SB)/8, $0x0000000605030201
DATA spikelanes8<>+888(SB)/8, $0x0000060503020100
DATA spikelanes8<>+896(SB)/8, $0x0000000000060504
DATA spikelanes8<>+904(SB)/8, $0x0000000006050400
DATA spikelanes8<>+912(SB)/8, $0x0000000006050401
DATA spikelanes8<>+920(SB)/8, $0x0000000605040100
DATA spikelanes8<>+928(SB)/8, $0x0000000006050402
DATA spikelanes8<>+936(SB)/8, $0x0000000605040200
DATA spikelanes8<>+944(SB)/8, $0x0000000605040201
DATA spikelanes8<>+952(SB)/8, $0x0000060504020100
DATA spikelanes8<>+960(SB)/8, $0x0000000006050403
DATA spikelanes8<>+968(SB)/8, $0x0000000605040300
DATA spikelanes8<>+976(SB)/8, $0x0000000605040301
DATA spikelanes8<>+984(SB)/8, $0x0000060504030100
DATA spikelanes8<>+992(SB)/8, $0x0000000605040302
DATA spikelanes8<>+1000(SB)/8, $0x0000060504030200
DATA spikelanes8<>+1008(SB)/8, $0x0000060504030201
DATA spikelanes8<>+1016(SB)/8, $0x0006050403020100
DATA spikelanes8<>+1024(SB)/8, $0x0000000000000007
DATA spikelanes8<>+1032(SB)/8, $0x0000000000000700
DATA spikelanes8<>+1040(SB)/8, $0x0000000000000701
DATA spikelanes8<>+1048(SB)/8, $0x0000000000070100
DATA spikelanes8<>+1056(SB)/8, $0x0000000000000702
DATA spikelanes8<>+1064(SB)/8, $0x0000000000070200
DATA spikelanes8<>+1072(SB)/8, $0x0000000000070201
DATA spikelanes8<>+1080(SB)/8, $0x0000000007020100
DATA spikelanes8<>+1088(SB)/8, $0x0000000000000703
DATA spikelanes8<>+1096(SB)/8, $0x0000000000070300
DATA spikelanes8<>+1104(SB)/8, $0x0000000000070301
DATA spikelanes8<>+1112(SB)/8, $0x0000000007030100
DATA spikelanes8<>+1120(SB)/8, $0x0000000000070302
DATA spikelanes8<>+1128(SB)/8, $0x0000000007030200
DATA spikelanes8<>+1136(SB)/8, $0x0000000007030201
DATA spikelanes8<>+1144(SB)/8, $0x0000000703020100
DATA spikelanes8<>+1152(SB)/8, $0x0000000000000704
DATA spikelanes8<>+1160(SB)/8, $0x0000000000070400
DATA spikelanes8<>+1168(SB)/8, $0x0000000000070401
DATA spikelanes8<>+1176(SB)/8, $0x0000000007040100
DATA spikelanes8<>+1184(SB)/8, $0x0000000000070402
DATA spikelanes8<>+1192(SB)/8, $0x0000000007040200
DATA spikelanes8<>+1200(SB)/8, $0x0000000007040201
DATA spikelanes8<>+1208(SB)/8, $0x0000000704020100
DATA spikelanes8<>+1216(SB)/8, $0x0000000000070403
DATA spikelanes8<>+1224(SB)/8, $0x0000000007040300
DATA spikelanes8<>+1232(SB)/8, $0x0000000007040301
DATA spikelanes8<>+1240(SB)/8, $0x0000000704030100
DATA spikelanes8<>+1248(SB)/8, $0x0000000007040302
DATA spikelanes8<>+1256(SB)/8, $0x0000000704030200
DATA spikelanes8<>+1264(SB)/8, $0x0000000704030201
DATA spikelanes8<>+1272(SB)/8, $0x0000070403020100
DATA spikelanes8<>+1280(SB)/8, $0x0000000000000705
DATA spikelanes8<>+1288(SB)/8, $0x0000000000070500
DATA spikelanes8<>+1296(SB)/8, $0x0000000000070501
DATA spikelanes8<>+1304(SB)/8, $0x0000000007050100
DATA spikelanes8<>+1312(SB)/8, $0x0000000000070502
DATA spikelanes8<>+1320(SB)/8, $0x0000000007050200
DATA spikelanes8<>+1328(SB)/8, $0x0000000007050201
DATA spikelanes8<>+1336(SB)/8, $0x0000000705020100
DATA spikelanes8<>+1344(SB)/8, $0x0000000000070503
DATA spikelanes8<>+1352(SB)/8, $0x0000000007050300
DATA spikelanes8<>+1360(SB)/8, $0x0000000007050301
DATA spikelanes8<>+1368(SB)/8, $0x0000000705030100
DATA spikelanes8<>+1376(SB)/8, $0x0000000007050302
DATA spikelanes8<>+1384(SB)/8, $0x0000000705030200
DATA spikelanes8<>+1392(SB)/8, $0x0000000705030201
DATA spikelanes8<>+1400(SB)/8, $0x0000070503020100
DATA spikelanes8<>+1408(SB)/8, $0x0000000000070504
DATA spikelanes8<>+1416(SB)/8, $0x0000000007050400
DATA spikelanes8<>+1424(SB)/8, $0x0000000007050401
DATA spikelanes8<>+1432(SB)/8, $0x0000000705040100
DATA spikelanes8<>+1440(SB)/8, $0x0000000007050402
DATA spikelanes8<>+1448(SB)/8, $0x0000000705040200
DATA spikelanes8<>+1456(SB)/8, $0x0000000705040201
DATA spikelanes8<>+1464(SB)/8, $0x0000070504020100
DATA spikelanes8<>+1472(SB)/8, $0x0000000007050403
DATA spikelanes8<>+1480(SB)/8, $0x0000000705040300
DATA spikelanes8<>+1488(SB)/8, $0x0000000705040301
DATA spikelanes8<>+1496(SB)/8, $0x0000070504030100
DATA spikelanes8<>+1504(SB)/8, $0x0000000705040302
DATA spikelanes8<>+1512(SB)/8, $0x0000070504030200
DATA spikelanes8<>+1520(SB)/8, $0x0000070504030201
DATA spikelanes8<>+1528(SB)/8, $0x0007050403020100
DATA spikelanes8<>+1536(SB)/8, $0x0000000000000706
DATA spikelanes8<>+1544(SB)/8, $0x0000000000070600
DATA spikelanes8<>+1552(SB)/8, $0x0000000000070601
DATA spikelanes8<>+1560(SB)/8, $0x0000000007060100
DATA spikelanes8<>+1568(SB)/8, $0x0000000000070602
DATA spikelanes8<>+1576(SB)/8, $0x0000000007060200
DATA spikelanes8<>+1584(SB)/8, $0x0000000007060201
DATA spikelanes8<>+1592(SB)/8, $0x0000000706020100
DATA spikelanes8<>+1600(SB)/8, $0x0000000000070603
DATA spikelanes8<>+1608(SB)/8, $0x0000000007060300
DATA spikelanes8<>+1616(SB)/8, $0x0000000007060301
DATA spikelanes8<>+1624(SB)/8, $0x0000000706030100
DATA spikelanes8<>+1632(SB)/8, $0x0000000007060302
DATA spikelanes8<>+1640(SB)/8, $0x0000000706030200
DATA spikelanes8<>+1648(SB)/8, $0x0000000706030201
DATA spikelanes8<>+1656(SB)/8, $0x0000070603020100
DATA spikelanes8<>+1664(SB)/8, $0x0000000000070604
DATA spikelanes8<>+1672(SB)/8, $0x0000000007060400
DATA spikelanes8<>+1680(SB)/8, $0x0000000007060401
DATA spikelanes8<>+1688(SB)/8, $0x0000000706040100
DATA spikelanes8<>+1696(SB)/8, $0x0000000007060402
DATA spikelanes8<>+1704(SB)/8, $0x0000000706040200
DATA spikelanes8<>+1712(SB)/8, $0x0000000706040201
DATA spikelanes8<>+1720(SB)/8, $0x0000070604020100
DATA spikelanes8<>+1728(SB)/8, $0x0000000007060403
DATA spikelanes8<>+1736(SB)/8, $0x0000000706040300
DATA spikelanes8<>+1744(SB)/8, $0x0000000706040301
DATA spikelanes8<>+1752(SB)/8, $0x0000070604030100
DATA spikelanes8<>+1760(SB)/8, $0x0000000706040302
DATA spikelanes8<>+1768(SB)/8, $0x0000070604030200
DATA spikelanes8<>+1776(SB)/8, $0x0000070604030201
DATA spikelanes8<>+1784(SB)/8, $0x0007060403020100
DATA spikelanes8<>+1792(SB)/8, $0x0000000000070605
DATA spikelanes8<>+1800(SB)/8, $0x0000000007060500
DATA spikelanes8<>+1808(SB)/8, $0x0000000007060501
DATA spikelanes8<>+1816(SB)/8, $0x0000000706050100
DATA spikelanes8<>+1824(SB)/8, $0x0000000007060502
DATA spikelanes8<>+1832(SB)/8, $0x0000000706050200
DATA spikelanes8<>+1840(SB)/8, $0x0000000706050201
DATA spikelanes8<>+1848(SB)/8, $0x0000070605020100
DATA spikelanes8<>+1856(SB)/8, $0x0000000007060503
DATA spikelanes8<>+1864(SB)/8, $0x0000000706050300
DATA spikelanes8<>+1872(SB)/8, $0x0000000706050301
DATA spikelanes8<>+1880(SB)/8, $0x0000070605030100
DATA spikelanes8<>+1888(SB)/8, $0x0000000706050302
DATA spikelanes8<>+1896(SB)/8, $0x0000070605030200
DATA spikelanes8<>+1904(SB)/8, $0x0000070605030201
DATA spikelanes8<>+1912(SB)/8, $0x0007060503020100
DATA spikelanes8<>+1920(SB)/8, $0x0000000007060504
DATA spikelanes8<>+1928(SB)/8, $0x0000000706050400
DATA spikelanes8<>+1936(SB)/8, $0x0000000706050401
DATA spikelanes8<>+1944(SB)/8, $0x0000070605040100
DATA spikelanes8<>+1952(SB)/8, $0x0000000706050402
DATA spikelanes8<>+1960(SB)/8, $0x0000070605040200
DATA spikelanes8<>+1968(SB)/8, $0x0000070605040201
DATA spikelanes8<>+1976(SB)/8, $0x0007060504020100
DATA spikelanes8<>+1984(SB)/8, $0x0000000706050403
DATA spikelanes8<>+1992(SB)/8, $0x0000070605040300
DATA spikelanes8<>+2000(SB)/8, $0x0000070605040301
DATA spikelanes8<>+2008(SB)/8, $0x0007060504030100
DATA spikelanes8<>+2016(SB)/8, $0x0000070605040302
DATA spikelanes8<>+2024(SB)/8, $0x0007060504030200
DATA spikelanes8<>+2032(SB)/8, $0x0007060504030201
DATA spikelanes8<>+2040(SB)/8, $0x0706050403020100
GLOBL spikelanes8<>(SB), RODATA|NOPTR, $2048
