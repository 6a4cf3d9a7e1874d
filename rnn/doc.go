// Package rnn runs networks (input → recurrent layer → readout) over whole
// sequences as one fused op on the autodiff tape.
package rnn
