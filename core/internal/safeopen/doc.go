// Package safeopen holds the flags for opening, for reading, a file that
// input named (a host list, a snapshot) without blocking should it be a
// FIFO: callers check the file's type before opening and again, on the open
// file, after.
package safeopen
