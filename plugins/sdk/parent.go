package sdk

import (
	"fmt"
	"os"
	"runtime"
	"time"
)

// parentPoll is how often a served provider checks that tend still runs.
const parentPoll = time.Second

// watchParent calls gone once the process that started this one (tend)
// has exited. The kernel then hands the orphan to another parent (init or
// a subreaper), so the parent pid changes. tend stops its providers when
// it exits and, on Linux, the kernel kills them when tend is killed; this
// covers the rest: other systems, and a provider started by something else
// than tend's loader. A parent of pid 1 (a container's init, or a tend
// that died before the provider got here, which on Linux the death signal
// covers) is never left, and Windows keeps the parent pid of an orphan:
// then there is nothing to watch.
func watchParent(every time.Duration, gone func()) {
	parent := os.Getppid()
	if parent <= 1 || runtime.GOOS == "windows" {
		return
	}
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for range tick.C {
			if os.Getppid() != parent {
				gone()
				return
			}
		}
	}()
}

// exitOrphaned ends a provider whose tend is gone: nobody is left to ask
// it anything, and the commands it asked for ran in tend, so there is no
// work of its own to finish.
func exitOrphaned() {
	fmt.Fprintf(os.Stderr, "tend, which started this provider, has exited; the provider exits too\n")
	os.Exit(1)
}
