// Package fifotest checks readers against a FIFO, whose open blocks until
// a writer comes: a reader that should refuse it must return at once, and
// a test of one that does not must fail instead of hanging.
//
// # Overview
//
// Make creates the FIFO (skipping the test where none can be made),
// Within runs a reader or writer of it with a deadline of Wait, and
// Refused checks that a reader returned within the deadline with the error
// package files gives for anything that is not a regular file ("PATH: not
// a regular file"). The functions exist on Unix only; their tests carry the
// unix build constraint.
//
// # Errors and panics
//
// Failures are reported on t with t.Errorf, naming the FIFO; nothing here
// panics or stops the test. When the reader is still blocked after Wait,
// Within opens the FIFO's other ends without blocking so that the blocked
// open returns, waits for the reader to finish and only then fails t, so
// that no goroutine outlives the test.
package fifotest
