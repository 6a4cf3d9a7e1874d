// Package oracle checks rnntrain's autodiff engine against an independent
// implementation, gorgonia.org/gorgonia: the same computations are built in
// both, from the same float64 values, and the tests assert that the losses
// and every parameter gradient agree to rounding.
//
// It is a nested module with its own go.mod, so that the main module never
// depends on gorgonia. Its go.mod pins gorgonia v0.9.18 and tensor v0.9.24,
// and raises go4.org/unsafe/assume-no-moving-gc to a version that accepts
// Go ≥ 1.20 (tensor's own pin panics at start-up on current Go). A replace
// directive points github.com/rnntrain/rnntrain at the working tree, so the
// tests always check the engine next to them. Run them with
//
//	cd internal/oracle && go test ./...
//
// The package has no API; everything is in its tests.
package oracle
