// Package files holds the file-system checks that every reader of a user's
// file shares: opening only regular files (a FIFO's open blocks until a
// writer comes, and a device such as /dev/zero never ends) and naming
// files by absolute path in a run's config.
//
// # Overview
//
// OpenRegular opens a file for reading and returns its size, ReadRegular
// reads a whole file up to a size limit, and OpenRegularFile opens one for
// writing as os.OpenFile does. All three refuse anything but a regular
// file: they stat the path before opening it, open it with O_NONBLOCK
// where the system has one (so that a FIFO put in its place meanwhile is
// not waited on), and check the opened file again. AbsPaths rewrites the
// paths of a config relative to the working directory, so that the config
// names its files wherever it is read again. SyncDir flushes a
// directory's entries to the disk after a rename into it, so that the
// renamed file survives a crash. Alive reports whether a process of this
// machine still runs, so that a file a dead process left can be told from
// one a live process is writing.
//
// # Invariants and aliasing
//
// The caller owns, and must close, the *os.File that OpenRegular and
// OpenRegularFile return. ReadRegular returns a new slice. AbsPaths writes
// through its pointers, leaves empty paths empty and does not check that
// a path exists.
//
// # Errors and panics
//
// A path that exists but is not a regular file gives a *NotRegularError,
// "PATH: not a regular file"; a file longer than ReadRegular's limit gives
// "PATH: more than LIMIT bytes", after at most limit+1 bytes were read.
// Errors from the operating system are returned as they are
// (*fs.PathError, naming the path), so a missing file satisfies
// errors.Is(err, fs.ErrNotExist). AbsPaths returns filepath.Abs's error; it
// panics on a nil pointer, a programmer error.
package files
