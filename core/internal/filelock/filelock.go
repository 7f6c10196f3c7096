// Package filelock takes exclusive flock(2) locks on open files: the state
// directory's lock of tend serve, and the CLI's state files that
// concurrent runs update in turn. Closing the file releases the lock.
package filelock

import "errors"

// ErrHeld is TryLock's answer when another open file holds the lock.
var ErrHeld = errors.New("lock held")
