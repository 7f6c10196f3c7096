package fileid

import (
	"os"
	"syscall"
	"time"
)

// changeTime is the file's status-change time (ctime), which a write, a
// chmod or a rename sets and no program can set back.
func changeTime(fi os.FileInfo) time.Time {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
	}
	return time.Time{}
}
