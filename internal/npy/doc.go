// Package npy reads and writes NumPy's .npy arrays and .npz archives of
// them, treating every file as hostile: nothing is allocated before the
// header has been parsed and its declared shape checked against the size
// of the file or archive member.
//
// # Overview
//
// ReadFile and Decode read one .npy array; OpenArchive and NewArchive open
// an .npz archive (a zip of .npy members, stored or deflated, as
// numpy.savez and numpy.savez_compressed write them) whose Header and Read
// methods read one member by name. ReadFileNumeric and
// Archive.ReadNumeric also read integer arrays, converted to float64, and
// Archive.Raw returns the bytes of a member of any fixed-size dtype for the
// caller to interpret. Encode, WriteFile, WriteArchive and ArchiveWriter
// write float32, float64 and bool arrays in C order, as numpy.save and
// numpy.savez do; EncodeValue, WriteArchiveValues and ArchiveWriter.AddValue
// write nested Go slices (also of int32 and int64), and WriteHeader writes
// a header of any dtype. Every writer of a file (WriteFile, WriteArchive,
// WriteArchiveValues) writes it atomically, through a temporary file in
// the same directory and a rename.
//
// # File format
//
// A .npy file is the magic "\x93NUMPY", a major and minor version byte, the
// header length (2 bytes little-endian in version 1, 4 bytes in versions 2
// and 3), the header, and the data. The header is a Python dict literal
// with exactly the keys 'descr' (the dtype string), 'fortran_order' (True
// or False) and 'shape' (a tuple of non-negative integers), in Latin-1
// (versions 1, 2) or UTF-8 (version 3), padded with spaces and ended by a
// newline. See
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html.
//
// # Shapes & layout
//
// Arrays are read only in C (row-major) order. Decode, ReadFile and
// Archive.Read take dtype float32 ('<f4', '>f4'), float64 ('<f8', '>f8')
// or bool ('|b1'); the Numeric readers also take signed and unsigned
// integers of 1 to 8 bytes, returned in F64 (exact up to 2⁵³). Array holds
// the values in exactly one of F32, F64 or Bool, flat, element (i, j, k) of
// a [a, b, c] array at (i·b + j)·c + k; a scalar has an empty Shape and one
// value. Other dtypes and Fortran order are errors that say what was found.
// Every Array a reader returns is newly allocated and owned by the caller.
//
// # Limits
//
// The header is at most MaxHeader bytes and the shape at most MaxDims
// dimensions; the data must be exactly the size the shape and dtype need,
// computed without overflow. An archive member's declared size is checked
// against its compressed size (at most maxRatio times larger, the bound of
// deflate), so a small file cannot claim a huge array.
//
// # Errors & panics
//
// Every problem with a file is an error naming the file (ReadFile,
// OpenArchive) and the array; nothing in this package panics on file
// contents. Encode (and so WriteFile and ArchiveWriter.Add) panics if more
// than one of an Array's F32, F64 and Bool is set or its values do not
// match its shape, and WriteArchive if it gets more names than arrays or
// fewer: programmer errors.
package npy
