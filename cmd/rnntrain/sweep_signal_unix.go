//go:build unix

package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// timeLimitContext returns a copy of ctx that SIGUSR1 cancels, as a stop
// signal does, and a flag that says it did. A Slurm array task of a sweep
// is sent SIGUSR1 before its time limit (--signal=B:USR1@N); SIGTERM
// (scancel, preemption) stays a plain stop. SIGUSR1 stays caught until the
// process exits.
func timeLimitContext(ctx context.Context) (context.Context, *atomic.Bool) {
	ctx, cancel := context.WithCancelCause(ctx)
	hit := new(atomic.Bool)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	go func() {
		for range ch {
			if !hit.Swap(true) {
				cancel(signalled{timeLimitSignal{}})
			}
		}
	}()
	return ctx, hit
}

// timeLimitSignal is SIGUSR1 as the cause of a stopped run, named for its
// messages.
type timeLimitSignal struct{}

func (timeLimitSignal) Signal()        {}
func (timeLimitSignal) String() string { return "SIGUSR1 (the time-limit warning)" }
