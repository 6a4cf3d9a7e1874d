//go:build !noasm

package kernels

// gatherPanelAVX512 runs gatherPanel for rows rows: each row's 64 columns
// in four 16-lane accumulators, summing over the row's listed panel rows.
// ldd is in elements.
//
//go:noescape
func gatherPanelAVX512(dst *float32, ldd int, pan *float32, starts, ends *int32, rows int, idx *int32, vals *float32, accumulate bool)

// gatherPanel sets or adds, for every row i < len(starts) and q <
// PanelWidth, dst[i·ldd + q] (+)= Σ_k vals[k]·pan[idx[k]·PanelWidth + q]
// over k in [starts[i], ends[i]); the caller has checked the indices, and
// ends is as long as starts.
func gatherPanel(dst []float32, ldd int, accumulate bool, pan []float32, starts, ends, idx []int32, vals []float32) {
	gatherPanelOn(bestISA(), dst, ldd, accumulate, pan, starts, ends, idx, vals)
}

// gatherPanelAVX2 is gatherPanelAVX512 in eight 8-lane accumulators
// (gather_avx2_amd64.s).
//
//go:noescape
func gatherPanelAVX2(dst *float32, ldd int, pan *float32, starts, ends *int32, rows int, idx *int32, vals *float32, accumulate bool)

// gatherPanelOn is gatherPanel with the vector set's kernel.
func gatherPanelOn(isa vecISA, dst []float32, ldd int, accumulate bool, pan []float32, starts, ends, idx []int32, vals []float32) {
	rows := len(starts)
	if isa == isaGo || rows == 0 || len(idx) == 0 {
		gatherPanelGo(dst, ldd, accumulate, pan, starts, ends, idx, vals)
		return
	}
	if isa == isaAVX2 {
		gatherPanelAVX2(&dst[0], ldd, &pan[0], &starts[0], &ends[0], rows, &idx[0], &vals[0], accumulate)
	} else {
		gatherPanelAVX512(&dst[0], ldd, &pan[0], &starts[0], &ends[0], rows, &idx[0], &vals[0], accumulate)
	}
}

// egruEventsAVX512 runs EGRUEvents over the first n units (a positive
// multiple of 16); with list set it writes the active list to idx and vals
// (16 lanes per block, so both must hold n entries) and returns its length
// in counts[3]. counts receives Fired, Flat, Need, Listed.
//
//go:noescape
func egruEventsAVX512(ev, y, c, pd, ct, thr *float32, n int, gamma, eps float32, idx *int32, vals *float32, list bool, counts *[4]int)

// egruEventsAVX2 is egruEventsAVX512 on 8 lanes (AVX2): n is a positive
// multiple of 8, and idx and vals, with list set, must hold n entries (8
// lanes per block). It gives the same bits.
//
//go:noescape
func egruEventsAVX2(ev, y, c, pd, ct, thr *float32, n int, gamma, eps float32, idx *int32, vals *float32, list bool, counts *[4]int)

func egruEvents(ev, y, c, pd, ct, thr []float32, gamma, eps float32, idx []int32, vals []float32) EGRUEventCounts {
	return egruEventsOn(bestISA(), ev, y, c, pd, ct, thr, gamma, eps, idx, vals)
}

// egruEventsOn is egruEvents with the vector set isa: its loop takes the
// first isa.part(n) units and the plain loop the rest.
func egruEventsOn(isa vecISA, ev, y, c, pd, ct, thr []float32, gamma, eps float32, idx []int32, vals []float32) EGRUEventCounts {
	n := len(ct)
	m := isa.part(n)
	if m == 0 {
		return egruEventsGo(ev, y, c, pd, ct, thr, gamma, eps, nil, idx, vals)
	}
	var cnt [4]int
	var ip *int32
	var vp *float32
	if idx != nil {
		ip, vp = &idx[0], &vals[0]
	}
	if isa == isaAVX512 {
		egruEventsAVX512(&ev[0], &y[0], &c[0], &pd[0], &ct[0], &thr[0], m, gamma, eps, ip, vp, idx != nil, &cnt)
	} else {
		egruEventsAVX2(&ev[0], &y[0], &c[0], &pd[0], &ct[0], &thr[0], m, gamma, eps, ip, vp, idx != nil, &cnt)
	}
	k := EGRUEventCounts{Fired: cnt[0], Flat: cnt[1], Need: cnt[2], Listed: cnt[3]}
	if m < n {
		var ti []int32
		var tv []float32
		if idx != nil {
			ti, tv = idx[k.Listed:], vals[k.Listed:]
		}
		t := egruEventsGo(ev[m:], y[m:], c[m:], pd[m:], ct[m:], thr[m:], gamma, eps, nil, ti, tv)
		for q := range t.Listed {
			ti[q] += int32(m)
		}
		k.Fired, k.Flat, k.Need, k.Listed = k.Fired+t.Fired, k.Flat+t.Flat, k.Need+t.Need, k.Listed+t.Listed
	}
	return k
}

// egruBackEventsAVX512 runs EGRUBackEvents over the first n units (a
// positive multiple of 16).
//
//go:noescape
func egruBackEventsAVX512(gct, gc, thrAcc, cy, og, ev, ct, thr, pd *float32, n int, reg float32)

// egruBackEventsAVX2 is egruBackEventsAVX512 on 8 lanes (AVX2): n is a
// positive multiple of 8. It gives the same bits.
//
//go:noescape
func egruBackEventsAVX2(gct, gc, thrAcc, cy, og, ev, ct, thr, pd *float32, n int, reg float32)

func egruBackEvents(gct, gc, thrAcc, cy, og, ev, ct, thr, pd []float32, reg float32) {
	egruBackEventsOn(bestISA(), gct, gc, thrAcc, cy, og, ev, ct, thr, pd, reg)
}

// egruBackEventsOn is egruBackEvents with the vector set isa: its loop
// takes the first isa.part(n) units and the plain loop the rest.
func egruBackEventsOn(isa vecISA, gct, gc, thrAcc, cy, og, ev, ct, thr, pd []float32, reg float32) {
	n := len(gct)
	m := isa.part(n)
	switch {
	case m == 0:
	case isa == isaAVX512:
		egruBackEventsAVX512(&gct[0], &gc[0], &thrAcc[0], &cy[0], &og[0], &ev[0], &ct[0], &thr[0], &pd[0], m, reg)
	default:
		egruBackEventsAVX2(&gct[0], &gc[0], &thrAcc[0], &cy[0], &og[0], &ev[0], &ct[0], &thr[0], &pd[0], m, reg)
	}
	egruBackEventsGo(gct[m:], gc[m:], thrAcc[m:], cy[m:], og[m:], ev[m:], ct[m:], thr[m:], pd[m:], reg)
}
