//go:build !linux

package local

import "syscall"

// sysProcAttr is Linux's death signal elsewhere: there is none.
func sysProcAttr() *syscall.SysProcAttr { return nil }
