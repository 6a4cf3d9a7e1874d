//go:build !noasm

#include "textflag.h"

// func sparseGatherAVX2(dst, w *float32, ldw int, idx *int32, vals *float32, nnz, cols int, accumulate bool)
// dst[q] = (accumulate ? dst[q] : 0) + Σ_k vals[k]·w[idx[k]·ldw + q], q < cols.
TEXT ·sparseGatherAVX2(SB), NOSPLIT, $0-57
	MOVQ    dst+0(FP), DI
	MOVQ    w+8(FP), SI
	MOVQ    ldw+16(FP), R8
	SHLQ    $2, R8               // row stride in bytes
	MOVQ    idx+24(FP), R9
	MOVQ    vals+32(FP), R10
	MOVQ    nnz+40(FP), R11
	MOVQ    cols+48(FP), R12
	MOVBQZX accumulate+56(FP), R13
	XORQ    CX, CX               // first column of the block

g64:
	MOVQ  R12, AX
	SUBQ  CX, AX
	CMPQ  AX, $64
	JLT   g8
	LEAQ  (DI)(CX*4), R14        // dst block
	LEAQ  (SI)(CX*4), DX         // w block
	TESTQ R13, R13
	JZ    g64zero
	VMOVUPS 0(R14), Y0
	VMOVUPS 32(R14), Y1
	VMOVUPS 64(R14), Y2
	VMOVUPS 96(R14), Y3
	VMOVUPS 128(R14), Y4
	VMOVUPS 160(R14), Y5
	VMOVUPS 192(R14), Y6
	VMOVUPS 224(R14), Y7
	JMP     g64run

g64zero:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

g64run:
	XORQ BX, BX

g64loop:
	MOVLQSX      (R9)(BX*4), AX
	IMULQ        R8, AX
	VBROADCASTSS (R10)(BX*4), Y15
	VFMADD231PS  0(DX)(AX*1), Y15, Y0
	VFMADD231PS  32(DX)(AX*1), Y15, Y1
	VFMADD231PS  64(DX)(AX*1), Y15, Y2
	VFMADD231PS  96(DX)(AX*1), Y15, Y3
	VFMADD231PS  128(DX)(AX*1), Y15, Y4
	VFMADD231PS  160(DX)(AX*1), Y15, Y5
	VFMADD231PS  192(DX)(AX*1), Y15, Y6
	VFMADD231PS  224(DX)(AX*1), Y15, Y7
	INCQ         BX
	CMPQ         BX, R11
	JLT          g64loop
	VMOVUPS      Y0, 0(R14)
	VMOVUPS      Y1, 32(R14)
	VMOVUPS      Y2, 64(R14)
	VMOVUPS      Y3, 96(R14)
	VMOVUPS      Y4, 128(R14)
	VMOVUPS      Y5, 160(R14)
	VMOVUPS      Y6, 192(R14)
	VMOVUPS      Y7, 224(R14)
	ADDQ         $64, CX
	JMP          g64

g8:
	CMPQ  CX, R12
	JGE   gdone
	LEAQ  (DI)(CX*4), R14
	LEAQ  (SI)(CX*4), DX
	VXORPS Y0, Y0, Y0
	TESTQ R13, R13
	JZ    g8run
	VMOVUPS (R14), Y0

g8run:
	XORQ BX, BX

g8loop:
	MOVLQSX      (R9)(BX*4), AX
	IMULQ        R8, AX
	VBROADCASTSS (R10)(BX*4), Y15
	VFMADD231PS  (DX)(AX*1), Y15, Y0
	INCQ         BX
	CMPQ         BX, R11
	JLT          g8loop
	VMOVUPS      Y0, (R14)
	ADDQ         $8, CX
	JMP          g8

gdone:
	VZEROUPPER
	RET

// func sparseDotsAVX2(dst, w *float32, ldw int, idx *int32, nnz int, x *float32, cols int)
// dst[idx[k]] = Σ_q x[q]·w[idx[k]·ldw + q], q < cols.
TEXT ·sparseDotsAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ w+8(FP), SI
	MOVQ ldw+16(FP), R8
	SHLQ $2, R8
	MOVQ idx+24(FP), R9
	MOVQ nnz+32(FP), R11
	MOVQ x+40(FP), R10
	MOVQ cols+48(FP), R12
	MOVQ R12, R13
	ANDQ $-32, R13            // columns in blocks of 32
	XORQ BX, BX

drow:
	MOVLQSX (R9)(BX*4), R14   // j
	MOVQ    R14, DX
	IMULQ   R8, DX
	ADDQ    SI, DX            // row j of w
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3
	XORQ    CX, CX

d32:
	CMPQ        CX, R13
	JGE         d8
	VMOVUPS     (R10)(CX*4), Y4
	VMOVUPS     32(R10)(CX*4), Y5
	VMOVUPS     64(R10)(CX*4), Y6
	VMOVUPS     96(R10)(CX*4), Y7
	VFMADD231PS (DX)(CX*4), Y4, Y0
	VFMADD231PS 32(DX)(CX*4), Y5, Y1
	VFMADD231PS 64(DX)(CX*4), Y6, Y2
	VFMADD231PS 96(DX)(CX*4), Y7, Y3
	ADDQ        $32, CX
	JMP         d32

d8:
	CMPQ        CX, R12
	JGE         dsum
	VMOVUPS     (R10)(CX*4), Y4
	VFMADD231PS (DX)(CX*4), Y4, Y0
	ADDQ        $8, CX
	JMP         d8

dsum:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	MOVSS        X0, (DI)(R14*4)
	INCQ         BX
	CMPQ         BX, R11
	JLT          drow
	VZEROUPPER
	RET
