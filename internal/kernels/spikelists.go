package kernels

import "fmt"

// SpikeLists is a set of index lists in compressed form with a fixed
// stride: list r holds Count(r) increasing indices, each below the bound
// the set was built with, with the values of the entries they came from.
// Only this package's methods write the indices, so SumStripLists reads
// the rows they name without checking every index again (SumStripRows,
// which takes lists from its caller, must: at N = 256 that check cost a
// third as much as the sums). The zero value is an empty set; the buffers
// grow on demand and are reused, so a set allocates only when it needs
// more room than any earlier call.
type SpikeLists struct {
	idx     []int32   // list r at r·ld
	vals    []float32 // the entries' values, beside idx
	cnt     []int32   // the lists' lengths
	scratch []int32   // one row's nonzero columns (ListColumns)
	ld      int
	bound   int
	binary  bool
	valued  bool // vals holds every entry's value (else a binary set's 1s are not yet written)
}

// Len returns the number of lists.
func (l *SpikeLists) Len() int { return len(l.cnt) }

// Binary reports whether every listed entry was exactly 1.
func (l *SpikeLists) Binary() bool { return l.binary }

// Entries returns list r's indices and the values of their entries. The
// slices alias the set's buffers and stay valid until its next build; the
// caller only reads them. It panics if r is out of range.
func (l *SpikeLists) Entries(r int) ([]int32, []float32) {
	k := int(l.cnt[r])
	if !l.valued {
		l.fillOnes() // a binary set's values, once per build
	}
	return l.idx[r*l.ld : r*l.ld+k : r*l.ld+k], l.vals[r*l.ld : r*l.ld+k : r*l.ld+k]
}

// note: while a set is binary its builds store only indices, the values
// being 1; at the first entry other than 1 they fill in the values of the
// entries listed so far (unbinary) and store every value from there on.

// unbinary ends the binary mode of a build: it sets the values of the
// entries listed so far to 1.
func (l *SpikeLists) unbinary() {
	l.binary = false
	l.fillOnes()
}

// fillOnes sets the value of every entry listed so far to 1 and marks the
// values stored (valued).
func (l *SpikeLists) fillOnes() {
	l.valued = true
	for r, k := range l.cnt {
		vals := l.vals[r*l.ld : r*l.ld+int(k)]
		for i := range vals {
			vals[i] = 1
		}
	}
}

// reset sizes the set for lists lists of stride ld below bound.
func (l *SpikeLists) reset(lists, ld, bound int) {
	if cap(l.cnt) < lists {
		l.cnt = make([]int32, lists)
	}
	l.cnt = l.cnt[:lists]
	if len(l.idx) < lists*ld {
		l.idx, l.vals = make([]int32, lists*ld), make([]float32, lists*ld)
	}
	l.ld, l.bound, l.binary, l.valued = ld, bound, true, false
}

// ListRows builds one list per row of s [rows×n]: the columns of the row's
// nonzero entries (SpikeIndices), with bound n. It returns the number of
// entries listed and panics unless n > 0, rows ≥ 0 and len(s) = rows·n.
func (l *SpikeLists) ListRows(s []float32, rows, n int) int {
	if n <= 0 || rows < 0 || len(s) != rows*n {
		panic(fmt.Sprintf("kernels: SpikeLists.ListRows with rows=%d n=%d and %d values", rows, n, len(s)))
	}
	l.reset(rows, n, n)
	clear(l.cnt)
	total := 0
	for r := range rows {
		sr, ir, vr := s[r*n:(r+1)*n], l.idx[r*n:(r+1)*n], l.vals[r*n:(r+1)*n]
		k := spikeIndices(ir, sr)
		if l.binary {
			for _, j := range ir[:k] {
				if sr[j] != 1 {
					l.unbinary() // the rows before r; this row's values follow
					break
				}
			}
		}
		if !l.binary {
			for q, j := range ir[:k] {
				vr[q] = sr[j]
			}
		}
		l.cnt[r] = int32(k)
		total += k
	}
	return total
}

// ListColumns builds one list per column j in [lo, hi) of s [rows×n]: the
// rows r with s[r, j] ≠ 0, in increasing order, with bound rows (list
// j − lo, stride rows). It returns the number of entries listed and panics
// unless n > 0, rows ≥ 0, len(s) = rows·n and 0 ≤ lo ≤ hi ≤ n.
func (l *SpikeLists) ListColumns(s []float32, rows, n, lo, hi int) int {
	if n <= 0 || rows < 0 || len(s) != rows*n || lo < 0 || hi < lo || hi > n {
		panic(fmt.Sprintf("kernels: SpikeLists.ListColumns with rows=%d n=%d columns [%d, %d) and %d values", rows, n, lo, hi, len(s)))
	}
	m := hi - lo
	l.reset(m, rows, rows)
	clear(l.cnt)
	if len(l.scratch) < m {
		l.scratch = make([]int32, m)
	}
	total := 0
	for r := range rows {
		sr := s[r*n+lo : r*n+hi]
		k := spikeIndices(l.scratch[:m], sr)
		for _, c := range l.scratch[:k] {
			q := int(c)*rows + int(l.cnt[c])
			l.idx[q] = int32(r)
			if v := sr[c]; v != 1 || !l.binary {
				if l.binary {
					l.unbinary()
				}
				l.vals[q] = v
			}
			l.cnt[c]++
		}
		total += k
	}
	return total
}

// RowLists gives the nonzero columns of the rows of a binary matrix, as
// ListColumnsOfRows reads them: Row(r) lists row r's columns (every entry
// 1) in increasing order, as SpikeIndices does.
type RowLists interface {
	Row(r int) []int32
}

// ListColumnsOfRows is ListColumns from lists of the rows made earlier
// (while the rows were in cache) instead of a pass over the matrix: for
// every row r < rows, rl.Row(r0 + r) names the row's nonzero columns, all
// of them 1, and the set gets one list per column j in [lo, hi) of the
// rows r with j among them, in increasing order, with bound rows. Columns
// outside [lo, hi) are skipped. It returns the number of entries listed
// and panics unless rows ≥ 0 and 0 ≤ lo ≤ hi, or if a column gets more
// than rows entries. The rows' lists must increase: the columns of one that
// does not may be missed (or its row listed twice for a column it names
// twice), though every index listed stays below the bound.
func (l *SpikeLists) ListColumnsOfRows(rl RowLists, r0, rows, lo, hi int) int {
	if rows < 0 || lo < 0 || hi < lo {
		panic(fmt.Sprintf("kernels: SpikeLists.ListColumnsOfRows with rows=%d columns [%d, %d)", rows, lo, hi))
	}
	m := hi - lo
	l.reset(m, rows, rows)
	clear(l.cnt)
	idx, cnt := l.idx[:m*rows], l.cnt[:m]
	total := 0
	for r := range rows {
		list := rl.Row(r0 + r)
		// The first column ≥ lo, by bisection; the list increases.
		a, b := 0, len(list)
		for a < b {
			if h := int(uint(a+b) >> 1); int(list[h]) < lo {
				a = h + 1
			} else {
				b = h
			}
		}
		for _, j := range list[a:] {
			c := int(j) - lo
			if c >= m {
				break
			}
			if c < 0 {
				continue // a list that does not increase (see RowLists)
			}
			q := cnt[c]
			if int(q) >= rows {
				panic(fmt.Sprintf("kernels: SpikeLists.ListColumnsOfRows: column %d named more than once in a row", j))
			}
			idx[c*rows+int(q)] = int32(r)
			cnt[c] = q + 1
			total++
		}
	}
	return total
}

// SumStripLists is SumStripRows with the lists of l: it adds to every row
// r < l.Len() of dst the rows of the packed [rows×n] matrix that list r
// names. It panics if l is not binary, was built with a bound above rows,
// or the lengths do not fit (see SumStripRows); it checks no index.
func SumStripLists(dst []float32, ldd int, packed []float32, rows, n int, l *SpikeLists) {
	lists := l.Len()
	if n <= 0 || n%SpikeStrip != 0 || rows < 0 || len(packed) != rows*n || ldd < n || l.bound > rows || !l.binary ||
		(lists > 0 && len(dst) < (lists-1)*ldd+n) {
		panic(fmt.Sprintf("kernels: SumStripLists with rows=%d n=%d ldd=%d: dst %d, packed %d, %d lists below %d (binary %t)", rows, n, ldd, len(dst), len(packed), lists, l.bound, l.binary))
	}
	if lists == 0 || rows == 0 {
		return
	}
	sumStripRows(dst, ldd, packed, rows, n, l.idx, l.ld, l.cnt)
}
