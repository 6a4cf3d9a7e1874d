package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countParts records which parts of a job ran, and how often.
type countParts struct{ ran []atomic.Int32 }

func (c *countParts) RunPart(i int) { c.ran[i].Add(1) }

// TestPoolRun checks that Run runs every part exactly once, with more parts
// than workers and from several goroutines at once (callers then run queued
// parts themselves), and that it panics without parts.
func TestPoolRun(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for parts := 1; parts <= 6; parts++ {
				c := &countParts{ran: make([]atomic.Int32, parts)}
				p.Run(c, parts)
				for i := range c.ran {
					if n := c.ran[i].Load(); n != 1 {
						t.Errorf("goroutine %d, %d parts: part %d ran %d times", g, parts, i, n)
					}
				}
			}
		}()
	}
	wg.Wait()
	defer func() {
		if recover() == nil {
			t.Error("Run with 0 parts did not panic")
		}
	}()
	p.Run(&countParts{}, 0)
}

// TestParallelism checks which products a pool splits: by their flops, or,
// for skinny products bound by memory, by the elements they touch.
func TestParallelism(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one CPU")
	}
	p := NewPool(2)
	for _, c := range []struct {
		m, n, k, want int
	}{
		{64, 512, 512, 2},  // 33.5 MFLOP
		{64, 256, 256, 1},  // 8.4 MFLOP, 0.1 M elements
		{12800, 2, 512, 2}, // a readout's forward: 26 MFLOP, 6.6 M elements
		{12800, 512, 2, 2}, // its input gradient
		{2, 512, 12800, 2}, // its weight gradient
		{100, 2, 64, 1},    // a small readout
		{3200, 2, 256, 1},  // 0.8 M elements
	} {
		if got := p.parallelism(c.m, c.n, c.k); got != c.want {
			t.Errorf("parallelism(%d, %d, %d) = %d, want %d", c.m, c.n, c.k, got, c.want)
		}
	}
}

// handOff is a job of two parts whose part 0, run by the caller, waits for
// part 1 to start, so that part 1 runs on a worker rather than on the
// caller, which would otherwise take it back when the worker is slow.
type handOff struct {
	started atomic.Bool
	worker  atomic.Int32 // parts 1 that ran while part 0 waited
}

func (h *handOff) RunPart(i int) {
	if i == 1 {
		h.started.Store(true)
		return
	}
	for deadline := time.Now().Add(5 * time.Second); !h.started.Load() && time.Now().Before(deadline); {
		runtime.Gosched()
	}
	if h.started.Swap(false) {
		h.worker.Add(1)
	}
}

// TestPoolIdleWorkerSleeps: a worker left idle for longer than workerSpin
// between parts, as a stalled virtual CPU leaves it in the middle of a
// training step, sleeps instead of waiting on the task channel, which would
// take a record from the Go runtime that it allocates whenever a garbage
// collection has emptied its cache; only after workerIdle does it wait there.
func TestPoolIdleWorkerSleeps(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	job := &handOff{}
	for range 20 {
		p.Run(job, 2)
		time.Sleep(workerSpin + time.Millisecond)
	}
	if n := p.parks.Load(); n != 0 {
		t.Errorf("a worker idle for %v waited on the channel %d times", workerSpin+time.Millisecond, n)
	}
	deadline := time.Now().Add(workerIdle + 2*time.Second)
	for p.parks.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := p.parks.Load(); n != 1 {
		t.Errorf("a worker idle for more than %v waited on the channel %d times, want 1", workerIdle, n)
	}
	p.Run(job, 2) // the parked worker wakes for it
	if n := job.worker.Load(); n != 21 {
		t.Errorf("the worker ran %d of 21 parts while the caller waited", n)
	}
}
