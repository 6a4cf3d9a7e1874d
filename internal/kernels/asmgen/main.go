package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
)

// isa describes one vector instruction set.
type isa struct {
	name     string
	vecBytes int    // 64 for AVX-512, 32 for AVX2
	reg      string // "Z" or "Y"
	nregs    int    // vector registers available
}

// spec describes one kernel family.
type spec struct {
	isa    isa
	elem   int // 4 or 8 bytes
	mr     int // rows of the register tile
	nvec   int // vectors per row; nr = nvec·lanes
	prefix string
}

func (s spec) lanes() int { return s.isa.vecBytes / s.elem }
func (s spec) nr() int    { return s.nvec * s.lanes() }
func (s spec) sfx() string {
	if s.elem == 4 {
		return "S"
	}
	return "D"
}
func (s spec) goType() string {
	if s.elem == 4 {
		return "float32"
	}
	return "float64"
}

// Register plan: accumulators first, then B vectors, then broadcast temporaries.
func (s spec) acc(i, v int) string { return fmt.Sprintf("%s%d", s.isa.reg, i*s.nvec+v) }
func (s spec) bReg(v int) string   { return fmt.Sprintf("%s%d", s.isa.reg, s.mr*s.nvec+v) }
func (s spec) tmp(i int) string {
	first := s.mr*s.nvec + s.nvec
	n := s.isa.nregs - first
	if s.isa.nregs == 32 {
		n = min(n, 4)
	}
	return fmt.Sprintf("%s%d", s.isa.reg, first+i%n)
}

type gen struct{ b strings.Builder }

func (g *gen) f(format string, args ...any) { fmt.Fprintf(&g.b, format+"\n", args...) }

// argsSize returns the size of the argument frame; ub adds the ldb word of
// the unpacked-B kernels.
func (s spec) argsSize(ub bool) int { return 7*8 + 2*s.elem + 8*b2i(ub) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// header loads the arguments. With ub (unpacked B) the frame has an ldb word
// after b, loaded as a byte stride into R8, and every later argument sits 8
// bytes further.
func (g *gen) header(s spec, name string, ub bool) {
	t := s.goType()
	if ub {
		g.f("// func %s(kc int, a *%s, rsA, psA int, b *%s, ldb int, c *%s, ldc int, alpha, beta %s)", name, t, t, t, t)
	} else {
		g.f("// func %s(kc int, a *%s, rsA, psA int, b *%s, c *%s, ldc int, alpha, beta %s)", name, t, t, t, t)
	}
	g.f("TEXT ·%s(SB), NOSPLIT, $0-%d", name, s.argsSize(ub))
	g.f("\tMOVQ kc+0(FP), CX")
	g.f("\tMOVQ a+8(FP), SI")
	g.f("\tMOVQ b+32(FP), R10")
	o := 0
	if ub {
		g.f("\tMOVQ ldb+40(FP), R8")
		g.f("\tSHLQ $%d, R8", log2(s.elem))
		o = 8
	}
	g.f("\tMOVQ c+%d(FP), R11", 40+o)
	g.f("\tMOVQ ldc+%d(FP), R12", 48+o)
	g.f("\tSHLQ $%d, R12", log2(s.elem))
}

// prefetchC asks for the rows of the C tile early, so that the epilogue does
// not wait for them.
func (g *gen) prefetchC(s spec, rows int) {
	g.f("\tMOVQ R11, DI")
	for i := 0; i < rows; i++ {
		for off := 0; off < s.nr()*s.elem; off += 64 {
			g.f("\tPREFETCHT0 %d(DI)", off)
		}
		if i+1 < rows {
			g.f("\tADDQ R12, DI")
		}
	}
}

func log2(x int) int {
	n := 0
	for x > 1 {
		x >>= 1
		n++
	}
	return n
}

func (g *gen) zero(s spec, rows int) {
	for i := 0; i < rows; i++ {
		for v := 0; v < s.nvec; v++ {
			r := s.acc(i, v)
			g.f("\tVXORPS %s, %s, %s", r, r, r)
		}
	}
}

// step emits one k step: load the B vectors at boff(R10), then for each row
// broadcast its A value from aAddr(i) and multiply-add into the accumulators.
func (g *gen) step(s spec, rows, boff int, aAddr func(i int) string) {
	for v := 0; v < s.nvec; v++ {
		g.f("\tVMOVUP%s %d(R10), %s", s.sfx(), boff+v*s.isa.vecBytes, s.bReg(v))
	}
	for i := 0; i < rows; i++ {
		if s.isa.nregs == 32 && embedded {
			for v := 0; v < s.nvec; v++ {
				g.f("\tVFMADD231P%s.BCST %s, %s, %s", s.sfx(), aAddr(i), s.bReg(v), s.acc(i, v))
			}
			continue
		}
		t := s.tmp(i)
		g.f("\tVBROADCASTS%s %s, %s", s.sfx(), aAddr(i), t)
		for v := 0; v < s.nvec; v++ {
			g.f("\tVFMADD231P%s %s, %s, %s", s.sfx(), t, s.bReg(v), s.acc(i, v))
		}
	}
}

// epilogue scales the accumulators by alpha and adds beta·C unless beta is ±0.
func (g *gen) epilogue(s spec, name string, rows int, ub bool) {
	alpha, beta := s.bReg(0), s.bReg(1)
	if s.nvec < 2 {
		alpha, beta = s.bReg(0), s.tmp(0)
	}
	o := 56 + 8*b2i(ub) // offset of alpha
	g.f("\tVBROADCASTS%s alpha+%d(FP), %s", s.sfx(), o, alpha)
	if s.elem == 4 {
		g.f("\tMOVL beta+%d(FP), AX", o+4)
		g.f("\tSHLL $1, AX")
	} else {
		g.f("\tMOVQ beta+%d(FP), AX", o+8)
		g.f("\tSHLQ $1, AX")
	}
	g.f("\tJZ %s_store", name)
	g.f("\tVBROADCASTS%s beta+%d(FP), %s", s.sfx(), o+s.elem, beta)
	g.f("\tMOVQ R11, DI")
	for i := 0; i < rows; i++ {
		for v := 0; v < s.nvec; v++ {
			a := s.acc(i, v)
			g.f("\tVMULP%s %s, %s, %s", s.sfx(), alpha, a, a)
			g.f("\tVFMADD231P%s %d(DI), %s, %s", s.sfx(), v*s.isa.vecBytes, beta, a)
			g.f("\tVMOVUP%s %s, %d(DI)", s.sfx(), a, v*s.isa.vecBytes)
		}
		if i+1 < rows {
			g.f("\tADDQ R12, DI")
		}
	}
	g.f("\tVZEROUPPER")
	g.f("\tRET")
	g.f("%s_store:", name)
	for i := 0; i < rows; i++ {
		for v := 0; v < s.nvec; v++ {
			a := s.acc(i, v)
			g.f("\tVMULP%s %s, %s, %s", s.sfx(), alpha, a, a)
			g.f("\tVMOVUP%s %s, %d(R11)", s.sfx(), a, v*s.isa.vecBytes)
		}
		if i+1 < rows {
			g.f("\tADDQ R12, R11")
		}
	}
	g.f("\tVZEROUPPER")
	g.f("\tRET")
	g.f("")
}

const unroll = 4

// bPrefetchRows is how many rows ahead the unpacked-B kernels prefetch B:
// an index scale, so 1, 2, 4 or 8.
const bPrefetchRows = 8

const embedded = false

// packed emits the kernel for rows ≤ mr rows of an mr-tall packed A panel.
func (g *gen) packed(s spec, name string, rows int) {
	g.header(s, name, false)
	g.prefetchC(s, rows)
	g.zero(s, rows)
	aStep := s.mr * s.elem
	bStep := s.nr() * s.elem
	g.f("\tMOVQ CX, DX")
	g.f("\tSHRQ $%d, DX", log2(unroll))
	g.f("\tJZ %s_tail", name)
	g.f("%s_loop%d:", name, unroll)
	for u := 0; u < unroll; u++ {
		g.step(s, rows, u*bStep, func(i int) string { return fmt.Sprintf("%d(SI)", u*aStep+i*s.elem) })
	}
	g.f("\tADDQ $%d, SI", unroll*aStep)
	g.f("\tADDQ $%d, R10", unroll*bStep)
	g.f("\tDECQ DX")
	g.f("\tJNZ %s_loop%d", name, unroll)
	g.f("%s_tail:", name)
	g.f("\tANDQ $%d, CX", unroll-1)
	g.f("\tJZ %s_done", name)
	g.f("%s_loop1:", name)
	g.step(s, rows, 0, func(i int) string { return fmt.Sprintf("%d(SI)", i*s.elem) })
	g.f("\tADDQ $%d, SI", aStep)
	g.f("\tADDQ $%d, R10", bStep)
	g.f("\tDECQ CX")
	g.f("\tJNZ %s_loop1", name)
	g.f("%s_done:", name)
	g.epilogue(s, name, rows, false)
}

// strided emits the full-tile kernel that reads A through run-time strides.
// Rows are reached from two base registers per group of eight rows:
// base, base+rs, base+2rs, base+3rs, base+4rs, base3+2rs, base3+3rs, base3+4rs
// with base3 = base+3rs.
//
// With ub (unpacked B), B is read in place: row p of the nr-wide column block
// is at b + p·ldb, and each step prefetches the row bPrefetchRows ahead,
// since rows ldb apart often sit on different pages, which the hardware
// prefetchers do not cross.
func (g *gen) strided(s spec, name string, rows int, ub bool) {
	g.header(s, name, ub)
	g.prefetchC(s, rows)
	g.zero(s, rows)
	sh := log2(s.elem)
	g.f("\tMOVQ rsA+16(FP), BX")
	g.f("\tSHLQ $%d, BX", sh)
	g.f("\tMOVQ psA+24(FP), AX")
	g.f("\tSHLQ $%d, AX", sh)
	g.f("\tLEAQ (BX)(BX*2), DX")
	bases := [][2]string{{"SI", "R9"}, {"R13", "R14"}}
	groups := (rows + 7) / 8
	g.f("\tLEAQ (SI)(DX*1), R9")
	if groups > 1 {
		g.f("\tLEAQ (SI)(BX*8), R13")
		g.f("\tLEAQ (R13)(DX*1), R14")
	}
	addr := func(i int) string {
		b := bases[i/8]
		switch i % 8 {
		case 0:
			return fmt.Sprintf("(%s)", b[0])
		case 1:
			return fmt.Sprintf("(%s)(BX*1)", b[0])
		case 2:
			return fmt.Sprintf("(%s)(BX*2)", b[0])
		case 3:
			return fmt.Sprintf("(%s)(DX*1)", b[0])
		case 4:
			return fmt.Sprintf("(%s)(BX*4)", b[0])
		case 5:
			return fmt.Sprintf("(%s)(BX*2)", b[1])
		case 6:
			return fmt.Sprintf("(%s)(DX*1)", b[1])
		default:
			return fmt.Sprintf("(%s)(BX*4)", b[1])
		}
	}
	g.f("%s_loop:", name)
	if ub {
		for off := 0; off < s.nr()*s.elem; off += 64 {
			g.f("\tPREFETCHT0 %d(R10)(R8*%d)", off, bPrefetchRows)
		}
	}
	g.step(s, rows, 0, addr)
	for gi := 0; gi < groups; gi++ {
		g.f("\tADDQ AX, %s", bases[gi][0])
		g.f("\tADDQ AX, %s", bases[gi][1])
	}
	if ub {
		g.f("\tADDQ R8, R10")
	} else {
		g.f("\tADDQ $%d, R10", s.nr()*s.elem)
	}
	g.f("\tDECQ CX")
	g.f("\tJNZ %s_loop", name)
	g.epilogue(s, name, rows, ub)
}

// packNN emits the packer that copies a kb×(np·nr) block of B, rows at a
// stride of ld elements from src, into np consecutive kb×nr panels at dst.
// It walks B row by row so that reads stay sequential.
func (g *gen) packNN(s spec, name string) {
	g.f("// func %s(kb, np int, src *%s, ld int, dst *%s)", name, s.goType(), s.goType())
	g.f("TEXT ·%s(SB), NOSPLIT, $0-40", name)
	g.f("\tMOVQ kb+0(FP), CX")
	g.f("\tMOVQ src+16(FP), SI")
	g.f("\tMOVQ ld+24(FP), BX")
	g.f("\tSHLQ $%d, BX", log2(s.elem))
	g.f("\tMOVQ dst+32(FP), DI")
	g.f("\tMOVQ CX, R9")
	g.f("\tIMULQ $%d, R9", s.nr()*s.elem) // panel stride in bytes
	g.f("%s_row:", name)
	g.f("\tMOVQ np+8(FP), DX")
	g.f("\tMOVQ SI, R10")
	g.f("\tMOVQ DI, R11")
	g.f("%s_panel:", name)
	for v := 0; v < s.nvec; v++ {
		g.f("\tVMOVUP%s %d(R10), %s%d", s.sfx(), v*s.isa.vecBytes, s.isa.reg, v)
	}
	for v := 0; v < s.nvec; v++ {
		g.f("\tVMOVUP%s %s%d, %d(R11)", s.sfx(), s.isa.reg, v, v*s.isa.vecBytes)
	}
	g.f("\tADDQ $%d, R10", s.nr()*s.elem)
	g.f("\tADDQ R9, R11")
	g.f("\tDECQ DX")
	g.f("\tJNZ %s_panel", name)
	g.f("\tADDQ BX, SI")
	g.f("\tADDQ $%d, DI", s.nr()*s.elem)
	g.f("\tDECQ CX")
	g.f("\tJNZ %s_row", name)
	g.f("\tVZEROUPPER")
	g.f("\tRET")
	g.f("")
}

// packNT emits the AVX-512 packer that transposes a block of w rows of B
// (w = lanes: 16 float32 or 8 float64), each holding kb values at a stride of
// ld elements from src, into dst, where column p of the block becomes the w
// values at dst[p*nr:]. kb must be a positive multiple of w; the caller packs
// the remaining columns. Each w×w block is transposed in registers: unpack
// pairs of rows, then pairs of pairs (float32 only), then two rounds of
// 128-bit lane shuffles.
func (g *gen) packNT(s spec, name string) { g.transposer(s, name, s.lanes(), s.nr()*s.elem) }

// packNTAVX2 emits the AVX2 packer of transposed B, packNT with w = lanes
// rows (8 float32 or 4 float64) per call: the w rows, kb values each at a
// stride of ld elements from src (kb a positive multiple of w), go to dst,
// column p of the block as the w values at dst[p*nr:]. Each w×w block is
// transposed in registers: unpack pairs of rows, then pairs of pairs with
// VSHUFPS (float32 only), then swap 128-bit lanes with VPERM2F128.
func (g *gen) packNTAVX2(s spec, name string) {
	w := s.lanes()
	rowBytes := s.nr() * s.elem
	y := func(i int) string { return fmt.Sprintf("Y%d", i) }
	g.transposeArgs(s, name)
	g.f("%s_block:", name)
	// Stage 1 puts the unpacked pairs in Y8…: in each 128-bit lane, t[2i]
	// holds those of the lane's first columns (float32: first two), t[2i+1]
	// those of the others.
	g.loadUnpack(s, w, y, 8)
	// cols[c] is the register whose lane L holds column c + L·w/2 of the
	// rows of group r (rows 4r…4r+3 for float32, 2r…2r+1 for float64).
	var cols [][]int // [group][c]
	if s.elem == 4 {
		// Stage 2: u[4i+c] holds rows 4i…4i+3 of column c (low lane) and
		// c+4 (high lane).
		for i := 0; i < w/4; i++ {
			t0, t1, t2, t3 := 8+4*i, 8+4*i+1, 8+4*i+2, 8+4*i+3
			g.f("\tVSHUFPS $0x44, %s, %s, %s", y(t2), y(t0), y(4*i))
			g.f("\tVSHUFPS $0xEE, %s, %s, %s", y(t2), y(t0), y(4*i+1))
			g.f("\tVSHUFPS $0x44, %s, %s, %s", y(t3), y(t1), y(4*i+2))
			g.f("\tVSHUFPS $0xEE, %s, %s, %s", y(t3), y(t1), y(4*i+3))
			cols = append(cols, []int{4 * i, 4*i + 1, 4*i + 2, 4*i + 3})
		}
	} else {
		for i := 0; i < w/2; i++ {
			cols = append(cols, []int{8 + 2*i, 8 + 2*i + 1})
		}
	}
	// Stage 3: column c is the low lanes of the two groups, column c + w/2
	// their high lanes.
	out := 14
	if s.elem == 4 {
		out = 8
	}
	for c := range cols[0] {
		for h, imm := range []string{"0x20", "0x31"} {
			col := c + h*w/2
			o := y(out + h)
			g.f("\tVPERM2F128 $%s, %s, %s, %s", imm, y(cols[1][c]), y(cols[0][c]), o)
			g.f("\tVMOVUP%s %s, %d(DI)", s.sfx(), o, col*rowBytes)
		}
	}
	g.transposeNext(s, name, rowBytes)
}

// packAN emits the AVX-512 float32 packer of untransposed A: it transposes mr
// rows (kb values each, stride ld, kb a positive multiple of 16) into an
// mr-tall panel, column p at dst[p*mr:], with the 16×16 transposer of packNT,
// padding the missing rows with zeros and storing mr lanes per column.
func (g *gen) packAN(s spec, name string) { g.transposer(s, name, s.mr, s.mr*s.elem) }

// transposer emits a packer that transposes w-lane blocks of rows of a
// row-major matrix: rows ≤ lanes rows are read, each column p of the block
// is stored as rows values at dst + p·rowBytes.
func (g *gen) transposer(s spec, name string, rows, rowBytes int) {
	w := s.lanes()
	z := func(i int) string { return fmt.Sprintf("Z%d", i) }
	g.transposeArgs(s, name)
	store := fmt.Sprintf("VMOVUP%s Z28, ", s.sfx())
	if rows < w {
		g.f("\tMOVL $%d, AX", 1<<rows-1)
		g.f("\tKMOVW AX, K1")
		store += "K1, "
	}
	g.f("%s_block:", name)
	g.loadUnpack(s, rows, z, 16)
	// cols[c'] lists, for the column phase c' within a lane, the registers
	// holding that column for consecutive groups of rows.
	var per int // columns per 128-bit lane
	var groups [][]int
	if s.elem == 4 {
		// Stage 2: b[4i+c'] holds rows 4i…4i+3 of column 4L+c' in lane L.
		per = 4
		for i := 0; i < w/4; i++ {
			a0, a1, a2, a3 := 16+4*i, 16+4*i+1, 16+4*i+2, 16+4*i+3
			g.f("\tVUNPCKLPD %s, %s, %s", z(a2), z(a0), z(4*i))
			g.f("\tVUNPCKHPD %s, %s, %s", z(a2), z(a0), z(4*i+1))
			g.f("\tVUNPCKLPD %s, %s, %s", z(a3), z(a1), z(4*i+2))
			g.f("\tVUNPCKHPD %s, %s, %s", z(a3), z(a1), z(4*i+3))
		}
		for c := 0; c < 4; c++ {
			groups = append(groups, []int{c, 4 + c, 8 + c, 12 + c})
		}
	} else {
		per = 2
		for c := 0; c < 2; c++ {
			groups = append(groups, []int{16 + c, 18 + c, 20 + c, 22 + c})
		}
	}
	shuf := "VSHUFF32X4"
	if s.elem == 8 {
		shuf = "VSHUFF64X2"
	}
	for c, gr := range groups {
		x, y, zz, ww := gr[0], gr[1], gr[2], gr[3]
		e0, e1, f0, f1 := 8, 9, 10, 11
		if s.elem == 4 {
			e0, e1, f0, f1 = 24, 25, 26, 27
		}
		g.f("\t%s $0x44, %s, %s, %s", shuf, z(y), z(x), z(e0))
		g.f("\t%s $0xEE, %s, %s, %s", shuf, z(y), z(x), z(e1))
		g.f("\t%s $0x44, %s, %s, %s", shuf, z(ww), z(zz), z(f0))
		g.f("\t%s $0xEE, %s, %s, %s", shuf, z(ww), z(zz), z(f1))
		outs := []struct {
			imm  string
			a, b int
		}{{"0x88", e0, f0}, {"0xDD", e0, f0}, {"0x88", e1, f1}, {"0xDD", e1, f1}}
		for l, o := range outs {
			col := per*l + c
			g.f("\t%s $%s, %s, %s, %s", shuf, o.imm, z(o.b), z(o.a), z(28))
			g.f("\t%s%d(DI)", store, col*rowBytes)
		}
	}
	g.transposeNext(s, name, rowBytes)
}

// transposeArgs emits the header of a transposing packer,
// func(kb int, src *E, ld int, dst *E): CX = kb/lanes blocks, SI = src,
// BX = ld in bytes, DI = dst.
func (g *gen) transposeArgs(s spec, name string) {
	g.f("// func %s(kb int, src *%s, ld int, dst *%s)", name, s.goType(), s.goType())
	g.f("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	g.f("\tMOVQ kb+0(FP), CX")
	g.f("\tSHRQ $%d, CX", log2(s.lanes()))
	g.f("\tMOVQ src+8(FP), SI")
	g.f("\tMOVQ ld+16(FP), BX")
	g.f("\tSHLQ $%d, BX", log2(s.elem))
	g.f("\tMOVQ dst+24(FP), DI")
}

// transposeNext closes the block loop of a transposing packer: it steps SI
// past the lanes values it read from each row and DI past the lanes columns
// it stored, rowBytes apart, and returns when CX blocks are done.
func (g *gen) transposeNext(s spec, name string, rowBytes int) {
	w := s.lanes()
	g.f("\tADDQ $%d, SI", w*s.elem)
	g.f("\tADDQ $%d, DI", w*rowBytes)
	g.f("\tDECQ CX")
	g.f("\tJNZ %s_block", name)
	g.f("\tVZEROUPPER")
	g.f("\tRET")
	g.f("")
}

// loadUnpack emits the first stage of a lanes×lanes transpose: it loads
// rows ≤ lanes rows from SI, ld bytes (BX) apart, into r(0)…, zeroing the
// registers of the missing rows, then sets t[2i] = unpacklo(r[2i], r[2i+1])
// and t[2i+1] = unpackhi(…) in r(t0)….
func (g *gen) loadUnpack(s spec, rows int, r func(int) string, t0 int) {
	w := s.lanes()
	g.f("\tMOVQ SI, R8")
	for j := 0; j < w; j++ {
		if j >= rows {
			g.f("\tVXORPS %s, %s, %s", r(j), r(j), r(j))
			continue
		}
		g.f("\tVMOVUP%s (R8), %s", s.sfx(), r(j))
		if j+1 < rows {
			g.f("\tADDQ BX, R8")
		}
	}
	for i := 0; i < w/2; i++ {
		g.f("\tVUNPCKLP%s %s, %s, %s", s.sfx(), r(2*i+1), r(2*i), r(t0+2*i))
		g.f("\tVUNPCKHP%s %s, %s, %s", s.sfx(), r(2*i+1), r(2*i), r(t0+2*i+1))
	}
}

// dot emits a float32 kernel for products with few columns: it computes
// the rows×cols dot products out[i·cols+q] = Σ_{p<kv} a[i·lda+p]·
// b[q·ldb+p] with kv a positive multiple of the lanes (16 AVX-512, 8 AVX2),
// accumulating each in the lanes of one register in p order and then summing
// the lanes with the same fixed tree, so a product's bits do not depend on
// rows or cols. The AVX-512 kernels hold a row of A per register; the AVX2
// ones, short of registers, load each row of A into the same one.
func (g *gen) dot(is isa, name string, rows, cols int) {
	wide := is.nregs == 32
	fits := rows*cols <= 16 // A and B in Z16…, Z30 and Z31 for the sums
	if !wide {
		fits = rows*cols+cols+1 <= is.nregs
	}
	if !fits || rows > 8 || cols > maxDotCols {
		log.Fatalf("%s: %d×%d dot tile does not fit", name, rows, cols)
	}
	lanes := is.vecBytes / 4
	g.f("// func %s(kv int, a *float32, lda int, b *float32, ldb int, out *float32)", name)
	g.f("TEXT ·%s(SB), NOSPLIT, $0-48", name)
	g.f("\tMOVQ kv+0(FP), CX")
	g.f("\tSHRQ $%d, CX", log2(lanes))
	g.f("\tMOVQ a+8(FP), SI")
	g.f("\tMOVQ lda+16(FP), BX")
	g.f("\tSHLQ $2, BX")
	g.f("\tMOVQ b+24(FP), R10")
	g.f("\tMOVQ ldb+32(FP), R8")
	g.f("\tSHLQ $2, R8")
	g.f("\tMOVQ out+40(FP), DI")
	reg := func(n int) string { return fmt.Sprintf("%s%d", is.reg, n) }
	acc := func(i, q int) string { return reg(i*cols + q) }
	aReg := func(i int) string { return reg(rows*cols + cols) }
	bReg := func(q int) string { return reg(rows*cols + q) }
	if wide {
		aReg = func(i int) string { return reg(16 + i) }
		bReg = func(q int) string { return reg(16 + rows + q) }
	}
	for i := 0; i < rows; i++ {
		for q := 0; q < cols; q++ {
			g.f("\tVXORPS %s, %s, %s", acc(i, q), acc(i, q), acc(i, q))
		}
	}
	// Row i of A is at SI + i·lda: base registers SI (rows 0–3) and R9 =
	// SI + 4·lda (rows 4–7), with DX = 3·lda. Row q of B is at R10 + q·ldb,
	// with R12 = 3·ldb.
	g.f("\tLEAQ (BX)(BX*2), DX")
	g.f("\tLEAQ (SI)(BX*4), R9")
	g.f("\tLEAQ (R8)(R8*2), R12")
	aAddr := func(i int) string {
		base := "SI"
		if i >= 4 {
			base = "R9"
		}
		switch i % 4 {
		case 0:
			return "(" + base + ")"
		case 1:
			return "(" + base + ")(BX*1)"
		case 2:
			return "(" + base + ")(BX*2)"
		}
		return "(" + base + ")(DX*1)"
	}
	bAddr := func(q int) string {
		return [...]string{"(R10)", "(R10)(R8*1)", "(R10)(R8*2)", "(R10)(R12*1)"}[q]
	}
	g.f("%s_loop:", name)
	for q := 0; q < cols; q++ {
		g.f("\tVMOVUPS %s, %s", bAddr(q), bReg(q))
	}
	for i := 0; i < rows; i++ {
		g.f("\tVMOVUPS %s, %s", aAddr(i), aReg(i))
		for q := 0; q < cols; q++ {
			g.f("\tVFMADD231PS %s, %s, %s", aReg(i), bReg(q), acc(i, q))
		}
	}
	g.f("\tADDQ $%d, SI", is.vecBytes)
	g.f("\tADDQ $%d, R9", is.vecBytes)
	g.f("\tADDQ $%d, R10", is.vecBytes)
	g.f("\tDECQ CX")
	g.f("\tJNZ %s_loop", name)
	// The lane sum: halves added until one lane is left, (l + h) at each
	// step; AVX-512 starts with its 256-bit halves. t and u are free
	// registers: the AVX2 kernels' B and A registers, done with.
	t, u := 30, 31
	if !wide {
		t, u = rows*cols, rows*cols+cols
	}
	for i := 0; i < rows; i++ {
		for q := 0; q < cols; q++ {
			n := i*cols + q
			if wide {
				g.f("\tVEXTRACTF64X4 $1, Z%d, Y%d", n, t)
				g.f("\tVADDPS Y%d, Y%d, Y%d", t, n, t)
				g.f("\tVEXTRACTF32X4 $1, Y%d, X%d", t, u)
				g.f("\tVADDPS X%d, X%d, X%d", u, t, t)
			} else {
				g.f("\tVEXTRACTF128 $1, Y%d, X%d", n, u)
				g.f("\tVADDPS X%d, X%d, X%d", u, n, t)
			}
			g.f("\tVPERMILPS $0x4e, X%d, X%d", t, u)
			g.f("\tVADDPS X%d, X%d, X%d", u, t, t)
			g.f("\tVPERMILPS $0xb1, X%d, X%d", t, u)
			g.f("\tVADDSS X%d, X%d, X%d", u, t, t)
			g.f("\tVMOVSS X%d, %d(DI)", t, 4*n)
		}
	}
	g.f("\tVZEROUPPER")
	g.f("\tRET")
	g.f("")
}

// dotShapes are the (rows, cols) tiles of the dot kernels. AVX-512: eight
// rows for one or two columns, four rows for three or four. AVX2: as many
// rows as the 16 registers hold beside the B registers and the A register,
// at most eight (8, 6, 4, 2).
func dotShapes(is isa) (s [][2]int) {
	for cols := 1; cols <= maxDotCols; cols++ {
		maxRows := 8
		if is.nregs == 32 && cols > 2 {
			maxRows = 4
		}
		if is.nregs < 32 {
			maxRows = min(8, (is.nregs-cols-1)/cols)
		}
		for rows := 1; rows <= maxRows; rows++ {
			s = append(s, [2]int{rows, cols})
		}
	}
	return s
}

// maxDotCols is the widest product the dot kernels cover.
const maxDotCols = 4

func main() {
	avx512 := isa{"AVX512", 64, "Z", 32}
	avx2 := isa{"AVX2", 32, "Y", 16}
	specs := []spec{
		{avx512, 4, 12, 2, "f32AVX512"},
		{avx512, 8, 12, 2, "f64AVX512"},
		{avx2, 4, 6, 2, "f32AVX2"},
		{avx2, 8, 6, 2, "f64AVX2"},
	}
	var g gen
	var decl bytes.Buffer
	g.f("// Code generated by asmgen; DO NOT EDIT.")
	g.f("")
	g.f("//go:build !noasm")
	g.f("")
	g.f("#include \"textflag.h\"")
	g.f("")
	fmt.Fprintf(&decl, "// Code generated by asmgen; DO NOT EDIT.\n\n//go:build !noasm\n\npackage kernels\n\n")

	for _, s := range specs {
		if s.mr*s.nvec+s.nvec+2 > s.isa.nregs {
			log.Fatalf("%s: %d×%d tile does not fit in %d registers", s.prefix, s.mr, s.nvec, s.isa.nregs)
		}
		t := s.goType()
		sig := fmt.Sprintf("(kc int, a *%s, rsA, psA int, b *%s, c *%s, ldc int, alpha, beta %s)", t, t, t, t)
		for rows := 1; rows <= s.mr; rows++ {
			name := fmt.Sprintf("%sp%d", s.prefix, rows)
			g.packed(s, name, rows)
			fmt.Fprintf(&decl, "//go:noescape\nfunc %s%s\n\n", name, sig)
		}
		for rows := 1; rows <= s.mr; rows++ {
			name := fmt.Sprintf("%ss%d", s.prefix, rows)
			g.strided(s, name, rows, false)
			fmt.Fprintf(&decl, "//go:noescape\nfunc %s%s\n\n", name, sig)
		}
		usig := fmt.Sprintf("(kc int, a *%s, rsA, psA int, b *%s, ldb int, c *%s, ldc int, alpha, beta %s)", t, t, t, t)
		for rows := 1; rows <= s.mr; rows++ {
			name := fmt.Sprintf("%su%d", s.prefix, rows)
			g.strided(s, name, rows, true)
			fmt.Fprintf(&decl, "//go:noescape\nfunc %s%s\n\n", name, usig)
		}
		fmt.Fprintf(&decl, "// %sUnpacked holds the strided-A, unpacked-B kernels by row count minus one.\nfunc %sUnpacked() (k [maxMR]microFnU[%s]) {\n", s.prefix, s.prefix, t)
		for rows := 1; rows <= s.mr; rows++ {
			fmt.Fprintf(&decl, "k[%d] = %su%d\n", rows-1, s.prefix, rows)
		}
		fmt.Fprintf(&decl, "return k\n}\n\n")
		fmt.Fprintf(&decl, "// %sStrided holds the strided-A kernels by row count minus one.\nfunc %sStrided() (k [maxMR]microFn[%s]) {\n", s.prefix, s.prefix, t)
		for rows := 1; rows <= s.mr; rows++ {
			fmt.Fprintf(&decl, "k[%d] = %ss%d\n", rows-1, s.prefix, rows)
		}
		fmt.Fprintf(&decl, "return k\n}\n\n")
		psig := fmt.Sprintf("(kb int, src *%s, ld int, dst *%s)", t, t)
		g.packNN(s, s.prefix+"PackNN")
		fmt.Fprintf(&decl, "//go:noescape\nfunc %sPackNN(kb, np int, src *%s, ld int, dst *%s)\n\n", s.prefix, t, t)
		if s.isa.nregs == 32 {
			g.packNT(s, s.prefix+"PackNT")
			fmt.Fprintf(&decl, "//go:noescape\nfunc %sPackNT%s\n\n", s.prefix, psig)
			if s.elem == 4 {
				g.packAN(s, s.prefix+"PackAN")
				fmt.Fprintf(&decl, "//go:noescape\nfunc %sPackAN%s\n\n", s.prefix, psig)
			} else {
				// Twelve float64 rows: an 8-row and a 4-row transpose.
				g.transposer(s, s.prefix+"PackAN8", 8, s.mr*s.elem)
				g.transposer(s, s.prefix+"PackAN4", 4, s.mr*s.elem)
				fmt.Fprintf(&decl, "//go:noescape\nfunc %sPackAN8%s\n\n", s.prefix, psig)
				fmt.Fprintf(&decl, "//go:noescape\nfunc %sPackAN4%s\n\n", s.prefix, psig)
			}
		} else {
			g.packNTAVX2(s, s.prefix+"PackNT")
			fmt.Fprintf(&decl, "//go:noescape\nfunc %sPackNT%s\n\n", s.prefix, psig)
		}
		// The table of packed kernels by row count.
		fmt.Fprintf(&decl, "// %sPacked holds the packed-A kernels by row count minus one.\nfunc %sPacked() (k [maxMR]microFn[%s]) {\n", s.prefix, s.prefix, t)
		for rows := 1; rows <= s.mr; rows++ {
			fmt.Fprintf(&decl, "k[%d] = %sp%d\n", rows-1, s.prefix, rows)
		}
		fmt.Fprintf(&decl, "return k\n}\n\n")
	}
	// Dot kernels for products with at most maxDotCols columns, float32
	// only, tabled by [cols-1][rows-1].
	for _, is := range []isa{avx512, avx2} {
		prefix := "f32" + is.name
		fmt.Fprintf(&decl, "// %sDots holds the dot kernels by columns and rows minus one.\nfunc %sDots() (k [maxDotCols][maxDotRows]dotFn[float32]) {\n", prefix, prefix)
		var decls bytes.Buffer
		for _, sh := range dotShapes(is) {
			name := fmt.Sprintf("%sDot%dx%d", prefix, sh[0], sh[1])
			g.dot(is, name, sh[0], sh[1])
			fmt.Fprintf(&decls, "//go:noescape\nfunc %s(kv int, a *float32, lda int, b *float32, ldb int, out *float32)\n\n", name)
			fmt.Fprintf(&decl, "k[%d][%d] = %s\n", sh[1]-1, sh[0]-1, name)
		}
		fmt.Fprintf(&decl, "return k\n}\n\n")
		decl.Write(decls.Bytes())
	}
	if err := os.WriteFile("gemm_amd64.s", []byte(g.b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	src, err := format.Source(decl.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("gemm_decl_amd64.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
