// Package tomldoc decodes the TOML documents users write (config files,
// sweep specs) after bounding how deeply they nest.
//
// # Overview
//
// Check scans a document, skipping its strings and comments, and refuses
// arrays and inline tables nested more than MaxDepth deep and a key of
// more than MaxDepth dotted parts. Decode checks a document and then
// decodes it with github.com/BurntSushi/toml. The decoder's time, and the
// walks of its result that name each value by its dotted path, grow with
// the square of the nesting: a file of a few hundred kilobytes of "[" or
// "a." would take hours or exhaust the memory, while no config nests more
// than a few levels.
//
// # Invariants and aliasing
//
// Check reads data and keeps no reference to it; Decode decodes as
// toml.Decode does.
//
// # Errors and panics
//
// Check's error names the line of the deepest point; Decode returns
// Check's or the decoder's error. Nothing here panics.
package tomldoc
