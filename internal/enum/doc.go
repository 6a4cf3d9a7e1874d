// Package enum holds the text forms shared by the typed enums of the
// public packages: an enum is an int index into a list of names.
//
// # Overview
//
// A public enum type (layers.Activation, for one) keeps its
// names in a []string indexed by the constant's value and implements
// String, MarshalText and UnmarshalText with Name, Text and Parse. Unknown
// and Hint build the error for a name that is none of the valid ones, with
// a "did you mean" suggestion from package spell, so that every enum
// reports a bad config value the same way.
//
// # Errors and panics
//
// Nothing here panics. Name never fails: an index out of range is written
// as typ(i). Text returns an error starting with the caller's package name
// for an index out of range. Parse matches names exactly (case-sensitive)
// and returns Unknown's error otherwise: `unknown what "s" (valid: a, b, c)`
// followed by Hint's suggestion, which ignores case.
package enum
