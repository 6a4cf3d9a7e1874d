package layers

import "unsafe"

// maxCachedOps bounds how many fused-op records a layer keeps for reuse.
// A layer recorded more often than this on live tapes allocates fresh
// records for the excess; nothing breaks.
const maxCachedOps = 64

// opCache recycles the records of a layer's fused ops so that a steady-state
// training step allocates nothing. A record can be reused once the tape it
// was recorded on has been Reset. That is detected without any hook into the
// tape: a fused op's first arena buffer is its key, and the arena hands out
// the same buffer again only after a Reset, so a new recording whose first
// buffer equals a cached record's key proves that record dead.
type opCache[O any] struct {
	ops  []*O
	keys []unsafe.Pointer // address of each record's first arena buffer
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
	}
	return o
}
