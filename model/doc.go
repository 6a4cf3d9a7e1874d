// Package model holds the contract between a network and the code that
// trains and analyses it: the options of one forward pass over a sequence
// (initial state, noise, inactivation, recording), its result, and the
// Network interface that train, analysis and the commands use. It knows no
// particular model; rnn.Network implements Network for every registered
// recurrent model.
package model
