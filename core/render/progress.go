package render

import (
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/internal/words"
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
	// Now tells the time for the elapsed time on the status line (default
	// time.Now).
	Now func() time.Time
}

// ApplyProgress returns a progress function for an apply of total hosts
// (apply.Options.Progress) that writes each event to w. It may be
// called from several goroutines at once.
func ApplyProgress(w io.Writer, total int, o ProgressOptions) func(apply.Event) {
	var mu sync.Mutex
	done := 0
	start := o.now()
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
		o.redraw(w, done, total, start, line, e.Done != nil)
	}
}

// redraw prints a finished host's line above the status line, then the
// status line "[done/total hosts, elapsed] line", cut to the terminal's
// width; it clears the status line once every host is done.
func (o ProgressOptions) redraw(w io.Writer, done, total int, start time.Time, line string, finished bool) {
	count := fmt.Sprintf("%d/%d hosts", done, total)
	if total <= 0 {
		count = fmt.Sprintf("%d %s", done, words.Plural(done, "host", "hosts"))
	}
	status := fmt.Sprintf("[%s, %s] %s", count, o.now().Sub(start).Round(time.Second), line)
	if width := o.width(); width > 10 && utf8.RuneCountInString(status) > width-1 {
		status = string([]rune(status)[:width-2]) + "…"
	}
	if finished {
		fmt.Fprintf(w, "\r\033[K%s\n", line)
	}
	fmt.Fprintf(w, "\r\033[K%s", status)
	if done == total {
		fmt.Fprint(w, "\r\033[K")
	}
}

// ScanProgress returns a progress function for a scan of total hosts (0
// when not known ahead)
// (session.ScanOptions.Progress): one line per host scanned ("scan web_1:
// ok", or the failure); on a terminal also a status line with the count,
// the elapsed time and the last host, rewritten in place. It may be
// called from several goroutines at once.
func ScanProgress(w io.Writer, total int, o ProgressOptions) func(host string, err error) {
	var mu sync.Mutex
	done := 0
	start := o.now()
	return func(host string, err error) {
		mu.Lock()
		defer mu.Unlock()
		done++
		line := fmt.Sprintf("scan %s: ok", host)
		if err != nil {
			line = fmt.Sprintf("scan %s: failed: %v", host, err)
		}
		if !o.Terminal {
			fmt.Fprintln(w, line)
			return
		}
		if total > 0 {
			total = max(total, done)
		}
		o.redraw(w, done, total, start, line, true)
	}
}

func (o ProgressOptions) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o ProgressOptions) width() int {
	if o.Width == nil {
		return 0
	}
	return o.Width()
}
