//go:build noasm || !amd64

package kernels

func gatherPanel(dst []float32, ldd int, accumulate bool, pan []float32, starts, ends, idx []int32, vals []float32) {
	gatherPanelGo(dst, ldd, accumulate, pan, starts, ends, idx, vals)
}

func egruEvents(ev, y, c, pd, ct, thr []float32, gamma, eps float32, idx []int32, vals []float32) EGRUEventCounts {
	return egruEventsGo(ev, y, c, pd, ct, thr, gamma, eps, nil, idx, vals)
}

func egruBackEvents(gct, gc, thrAcc, cy, og, ev, ct, thr, pd []float32, reg float32) {
	egruBackEventsGo(gct, gc, thrAcc, cy, og, ev, ct, thr, pd, reg)
}
