//go:build !unix

package main

import (
	"context"
	"os"
	"os/exec"
	"sync/atomic"
)

// timeLimitContext returns ctx: without SIGUSR1 there is no time-limit
// warning to catch.
func timeLimitContext(ctx context.Context) (context.Context, *atomic.Bool) {
	return ctx, new(atomic.Bool)
}

// killedBy is nil: the exit status says no more than the exit code.
func killedBy(*exec.ExitError) os.Signal { return nil }
