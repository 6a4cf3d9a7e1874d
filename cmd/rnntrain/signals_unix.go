//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// timeLimitContext returns a copy of ctx that SIGUSR1 cancels, as a stop
// signal does, and a flag that says it did. A batch job is sent SIGUSR1
// before its time limit when it asks for it (a sweep's array task:
// --signal=B:USR1@N; a hand-written script: --signal=USR1@N); SIGTERM
// (scancel, preemption) stays a plain stop. SIGUSR1 stays caught until the
// process exits. A ctx that already catches it (a sweep point's train run)
// is returned as it is, with its flag.
func timeLimitContext(ctx context.Context) (context.Context, *atomic.Bool) {
	if hit, ok := ctx.Value(timeLimitKey{}).(*atomic.Bool); ok {
		return ctx, hit
	}
	hit := new(atomic.Bool)
	ctx, cancel := context.WithCancelCause(context.WithValue(ctx, timeLimitKey{}, hit))
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

// timeLimitKey is the context key of the flag of a context that catches
// SIGUSR1 (timeLimitContext).
type timeLimitKey struct{}

// timeLimitSignal is SIGUSR1 as the cause of a stopped run, named for its
// messages.
type timeLimitSignal struct{}

func (timeLimitSignal) Signal()        {}
func (timeLimitSignal) String() string { return "SIGUSR1 (the time-limit warning)" }

// killedBy is the signal that ended the process of ee, or nil if it
// exited.
func killedBy(ee *exec.ExitError) os.Signal {
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal()
	}
	return nil
}
