//go:build !linux

package loader

import "syscall"

// sysProcAttr is Linux's death signal elsewhere: there is none, and the
// SDK's parent watch alone ends a provider whose tend died.
func sysProcAttr() *syscall.SysProcAttr { return nil }
