// Package spell suggests, for a name nobody defined (a misspelt flag or
// config key), the defined names it most likely stands for: the "did you
// mean" of a usage error.
//
// # Overview
//
// Suggest ranks the known names by their optimal string alignment distance
// to the word (insertions, deletions, substitutions and transpositions of
// neighbouring bytes), accepting at most two edits (one for a word of four
// bytes or fewer, and never more than half of the word's bytes), and falls
// back to names that the word is a prefix or suffix of. Hint writes the
// result as a sentence for an error message. Comparisons are byte-wise and
// case-sensitive; callers that want to ignore case lower both sides (see
// package enum).
//
// # Invariants and aliasing
//
// Suggest returns a new, sorted slice of at most three names and never the
// word itself; it does not modify known. Nothing here panics or returns an
// error.
package spell
