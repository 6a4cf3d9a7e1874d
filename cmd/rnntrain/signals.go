package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses of a training run stopped by a signal after saving its
// checkpoint (the run resumes with -resume).
const (
	// exitInterrupted follows SIGINT (Ctrl-C): 128 + 2, as shells report it.
	exitInterrupted = 130
	// exitTerminated follows SIGTERM, SIGHUP or SIGPIPE (a batch system's
	// time limit or preemption, a closed terminal, a reader of the output
	// that went away, as head does): EX_TEMPFAIL of sysexits.h, "try
	// again", distinct from the 143, 129 or 141 of a process the signal
	// killed before it could save.
	exitTerminated = 75
)

// stopSignals are the signals that stop a run cleanly. SIGPIPE is among
// them so that a write to a standard output or error whose reader has gone
// (rnntrain train | head) fails instead of killing the process, and the
// run saves its checkpoint as after SIGHUP.
func stopSignals() []os.Signal {
	return []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}
}

// signalled is the cause of a context cancelled by a signal.
type signalled struct{ sig os.Signal }

func (s signalled) Error() string { return "received " + signalName(s.sig) }

// signalName is the conventional name of a stop signal.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGPIPE:
		return "SIGPIPE (the reader of the output went away)"
	case syscall.SIGKILL:
		return "SIGKILL"
	}
	return sig.String()
}

// signalContext returns a copy of parent that is cancelled, with a
// signalled cause, by the first stop signal. Later stop signals are caught
// too, and reported on stderr, so that a second Ctrl-C or a repeated SIGTERM
// cannot kill the process while it writes its checkpoint (the writes are
// atomic, so even SIGKILL leaves the previous checkpoint valid). The
// signals stay caught until the process exits: restoring their default
// action before os.Exit would let a late SIGHUP or SIGTERM kill a run that
// has already saved and is exiting cleanly.
func signalContext(parent context.Context, stderr io.Writer) context.Context {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, stopSignals()...)
	go func() {
		first := true
		for sig := range ch {
			if first {
				cancel(signalled{sig})
				first = false
				continue
			}
			if sig == syscall.SIGPIPE {
				continue // every later write to the broken pipe raises it again
			}
			fmt.Fprintf(stderr, "rnntrain: %s again: still stopping; the checkpoint is being written (SIGKILL stops at once and keeps the previous checkpoint)\n", signalName(sig))
		}
	}()
	return ctx
}

// interruptedError reports a run stopped by a signal (or a cancelled
// context) after saving its checkpoint.
type interruptedError struct{ cause error }

func (e interruptedError) Error() string {
	if e.cause != nil {
		return "stopped: " + e.cause.Error()
	}
	return "interrupted"
}

// status is the exit status of the stopped run: exitTerminated after
// SIGTERM, SIGHUP or SIGPIPE, exitInterrupted otherwise.
func (e interruptedError) status() int {
	if s, ok := errors.AsType[signalled](e.cause); ok && s.sig != os.Interrupt {
		return exitTerminated
	}
	return exitInterrupted
}

// abandonedError reports a command with nothing to save that a stop
// signal ended (see command.Saves).
type abandonedError struct{ cause error }

func (e abandonedError) Error() string {
	if s, ok := errors.AsType[signalled](e.cause); ok {
		return "stopped by " + signalName(s.sig)
	}
	return "interrupted"
}

// brokenPipe reports whether a broken output pipe ended the command.
func (e abandonedError) brokenPipe() bool { return isBrokenPipe(e.cause) }

// status is the shell's exit status of a process the signal ended,
// 128 + its number: 130 after SIGINT, 143 after SIGTERM, 129 after SIGHUP,
// 141 after SIGPIPE.
func (e abandonedError) status() int {
	if s, ok := errors.AsType[signalled](e.cause); ok {
		if n, ok := s.sig.(syscall.Signal); ok {
			return 128 + int(n)
		}
	}
	return exitInterrupted
}

// brokenPipe reports whether a broken output pipe (SIGPIPE) stopped ctx.
func brokenPipe(ctx context.Context) bool { return isBrokenPipe(context.Cause(ctx)) }

// isBrokenPipe reports whether cause, what stopped a command, is a broken
// output pipe (SIGPIPE).
func isBrokenPipe(cause error) bool {
	s, ok := errors.AsType[signalled](cause)
	return ok && s.sig == syscall.SIGPIPE
}

// stopOutput is where a stopped run's last message goes: stderr when a
// broken pipe stopped it (its standard output has no reader left), else
// stdout.
func stopOutput(ctx context.Context, stdout, stderr io.Writer) io.Writer {
	if brokenPipe(ctx) {
		return stderr
	}
	return stdout
}

// stoppedBy describes what stopped a run, for its last message.
func stoppedBy(ctx context.Context) string {
	if s, ok := errors.AsType[signalled](context.Cause(ctx)); ok {
		return "stopped by " + signalName(s.sig)
	}
	return "interrupted"
}
