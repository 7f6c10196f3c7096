package render

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
)

// ProgressOptions say how apply progress is shown.
type ProgressOptions struct {
	// Terminal keeps one status line (hosts done of total, the latest
	// event) that is rewritten in place, with finished hosts printed above
	// it; otherwise (a pipe, CI) each finished host is one line, its
	// counts without a duration, and under it what failed.
	Terminal bool
	// Verbose prints every event as one plain line, the finished hosts'
	// with their duration (tend apply -v).
	Verbose bool
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
			line = fmt.Sprintf("%s %s: done in %s: %s", e.Host, e.Provider,
				e.Done.FinishedAt.Sub(e.Done.StartedAt).Round(time.Millisecond), doneCounts(e.Done))
			if len(e.Done.Results) == 0 && e.Done.Err != nil { // not started (a blocked transaction)
				line = fmt.Sprintf("%s %s: failed: %v", e.Host, e.Provider, e.Done.Err)
			}
		}
		switch {
		case o.Verbose:
			fmt.Fprintln(w, line)
		case !o.Terminal:
			if e.Done != nil {
				hostSummary(w, e.Done)
			}
		default:
			o.redraw(w, done, total, start, line, e.Done != nil)
		}
	}
}

// doneCounts says how a host's actions went: "1 succeeded, 2 failed",
// and how many were rolled back.
func doneCounts(r *apply.HostResult) string {
	ok, failed := resultCounts(r.Results)
	s := fmt.Sprintf("%d succeeded, %d failed", ok, failed)
	if r.Rollback != nil {
		s += fmt.Sprintf(", %d rolled back", r.Rollback.RolledBack())
	}
	return s
}

// hostSummary is a finished host off a terminal: "web_1 apt: 1
// succeeded, 2 failed", then one indented line per failed or interrupted
// action (its message's first line; tend apply's results show it all),
// and the failed health check, hook or host error.
func hostSummary(w io.Writer, r *apply.HostResult) {
	if len(r.Results) == 0 && r.Err != nil {
		fmt.Fprintf(w, "%s %s: failed: %v\n", r.Host, r.Provider, firstLine(r.Err.Error()))
		return
	}
	fmt.Fprintf(w, "%s %s: %s\n", r.Host, r.Provider, doneCounts(r))
	for _, a := range r.Results {
		if a.Status == model.StatusFailed || a.Status == model.StatusInterrupted {
			fmt.Fprintf(w, "  %s %s: %s\n", a.Status, a.ActionID, firstLine(a.Message))
		}
	}
	if r.Health != nil {
		fmt.Fprintf(w, "  unhealthy: %s\n", firstLine(r.Health.Error()))
	}
	if r.Hook != nil {
		fmt.Fprintf(w, "  hook failed: %s\n", firstLine(r.Hook.Error()))
	}
	if r.Err != nil {
		fmt.Fprintf(w, "  error: %s\n", firstLine(r.Err.Error()))
	}
}

// firstLine is s up to its first line break, with "…" when more follows.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
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
