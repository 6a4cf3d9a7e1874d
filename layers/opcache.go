package layers

import "unsafe"

// maxCachedOps bounds how many fused-op records a layer keeps for reuse. A
// record references its tape's buffers, so the bound also caps the memory
// kept alive by records of tapes that were dropped without a Reset: at most
// this many forward passes' worth.
const maxCachedOps = 4

// opCache recycles the records of a layer's fused ops so that a steady-state
// training step allocates nothing. A record can be reused once the tape it
// was recorded on has been Reset. That is detected without any hook into the
// tape: a fused op's first arena buffer is its key, and the arena hands out
// the same buffer again only after a Reset, so a new recording whose first
// buffer equals a cached record's key proves that record dead.
//
// When no cached record is dead and the cache is full, get returns a fresh
// record and evicts the oldest cached one from the cache (without touching
// it: a live tape may still hold it).
type opCache[O any] struct {
	ops  []*O
	keys []unsafe.Pointer // address of each record's first arena buffer
	next int              // slot evicted next when full
}

// get returns a record for the recording whose first arena buffer starts at
// key: a dead cached record if there is one, else a new one.
func (c *opCache[O]) get(key unsafe.Pointer) *O {
	for i, k := range c.keys {
		if k == key {
			var zero O
			*c.ops[i] = zero
			return c.ops[i]
		}
	}
	o := new(O)
	if len(c.ops) < maxCachedOps {
		c.ops = append(c.ops, o)
		c.keys = append(c.keys, key)
		return o
	}
	c.ops[c.next], c.keys[c.next] = o, key
	c.next = (c.next + 1) % maxCachedOps
	return o
}
