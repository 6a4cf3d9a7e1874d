//go:build !unix

package main

import (
	"context"
	"sync/atomic"
)

// timeLimitContext returns ctx: without SIGUSR1 there is no time-limit
// warning to catch.
func timeLimitContext(ctx context.Context) (context.Context, *atomic.Bool) {
	return ctx, new(atomic.Bool)
}
