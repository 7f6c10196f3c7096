package render

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/tend-sh/tend/core/apply"
)

// ProgressOptions say how apply progress is shown.
type ProgressOptions struct {
	// Terminal keeps one status line (hosts done of total, the latest
	// event) that is rewritten in place, with finished hosts printed above
	// it; otherwise every event is one plain line.
	Terminal bool
	// Width, when set, returns the terminal's width in columns (0 when
	// unknown); a longer status line is cut to fit.
	Width func() int
}

// ApplyProgress returns a progress function for an apply of total hosts
// (apply.Options.Progress) that writes each event to w. It may be
// called from several goroutines at once.
func ApplyProgress(w io.Writer, total int, o ProgressOptions) func(apply.Event) {
	var mu sync.Mutex
	done := 0
	return func(e apply.Event) {
		mu.Lock()
		defer mu.Unlock()
		line := fmt.Sprintf("%s %s: %s", e.Host, e.Provider, e.Message)
		if e.Done != nil {
			done++
			ok, failed := resultCounts(e.Done.Results)
			line = fmt.Sprintf("%s %s: done in %s: %d succeeded, %d failed", e.Host, e.Provider,
				e.Done.FinishedAt.Sub(e.Done.StartedAt).Round(time.Millisecond), ok, failed)
			if e.Done.Rollback != nil {
				line += fmt.Sprintf(", %d rolled back", e.Done.Rollback.RolledBack())
			}
			if len(e.Done.Results) == 0 && e.Done.Err != nil { // not started (a blocked transaction)
				line = fmt.Sprintf("%s %s: failed: %v", e.Host, e.Provider, e.Done.Err)
			}
		}
		if !o.Terminal {
			fmt.Fprintln(w, line)
			return
		}
		status := fmt.Sprintf("[%d/%d hosts] %s", done, total, line)
		if width := o.width(); width > 10 && len(status) > width-1 {
			status = status[:width-2] + "…"
		}
		if e.Done != nil {
			fmt.Fprintf(w, "\r\033[K%s\n", line)
		}
		fmt.Fprintf(w, "\r\033[K%s", status)
		if done == total {
			fmt.Fprint(w, "\r\033[K")
		}
	}
}

func (o ProgressOptions) width() int {
	if o.Width == nil {
		return 0
	}
	return o.Width()
}
