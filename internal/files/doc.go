// Package files holds the file-system checks that every reader of a user's
// file shares: opening only regular files (a FIFO's open blocks until a
// writer comes, and a device such as /dev/zero never ends) and naming
// files by absolute path in a run's config.
package files
