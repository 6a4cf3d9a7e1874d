package kernels

import (
	"sync"
	"sync/atomic"
	"testing"
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
