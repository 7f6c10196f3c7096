package transport

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tend-sh/tend/core/internal/words"
)

// The most one command may print. A managed host is not trusted to end its
// output: an endless file (a FIFO or a device where a text file should be)
// would otherwise grow tend's memory until it is killed, for every host it
// manages. The largest legitimate output, dpkg's status file of a big
// system, is a few MiB.
const (
	// MaxStdout is the limit on a command's standard output: 64 MiB.
	MaxStdout = 64 << 20
	// MaxStderr is the limit on a command's standard error: 16 MiB.
	MaxStderr = 16 << 20
)

// ErrOutputLimit is what a Capture's writes return once its limit is passed.
var ErrOutputLimit = errors.New("output limit reached")

// OutputLimitError says a command printed more than the limit on one of its
// streams; the transport stopped reading and ended the command.
type OutputLimitError struct {
	Host   string   // the host as the transport names it: "local", user@host:port
	Argv   []string // the command
	Stream string   // "stdout" or "stderr"
	Limit  int      // in bytes
}

func (e *OutputLimitError) Error() string {
	return fmt.Sprintf("%s: %s printed more than %s on %s, the limit for one command; tend stopped reading and ended it",
		e.Host, ArgvString(e.Argv), words.Size(int64(e.Limit)), e.Stream)
}

// Is makes errors.Is(err, ErrOutputLimit) true for an *OutputLimitError.
func (e *OutputLimitError) Is(target error) bool { return target == ErrOutputLimit }

// ArgvString renders argv for an error message, each word quoted where it
// holds spaces or quotes, and the whole cut to a readable length.
func ArgvString(argv []string) string {
	const maxWord, maxTotal = 100, 300
	words := make([]string, len(argv))
	for i, w := range argv {
		if len(w) > maxWord {
			w = w[:maxWord] + "…"
		}
		if w == "" || strings.ContainsAny(w, " \t\n\"'\\") {
			w = fmt.Sprintf("%q", w)
		}
		words[i] = w
	}
	s := strings.Join(words, " ")
	if len(s) > maxTotal {
		s = s[:maxTotal] + "…"
	}
	return s
}

// Capture collects up to a limit of a command's output; it is safe for one
// writer and concurrent readers. The write that would pass the limit keeps
// what fits, fails with ErrOutputLimit (as do all later ones, so the copy
// feeding the Capture stops) and calls the onExceed function, once.
type Capture struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	limit    int
	exceeded bool
	onExceed func()
}

// NewCapture returns a Capture of at most limit bytes; onExceed may be nil.
func NewCapture(limit int, onExceed func()) *Capture {
	return &Capture{limit: limit, onExceed: onExceed}
}

// Write implements io.Writer.
func (c *Capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.exceeded {
		c.mu.Unlock()
		return 0, ErrOutputLimit
	}
	room := c.limit - c.buf.Len()
	if len(p) <= room {
		c.buf.Write(p)
		c.mu.Unlock()
		return len(p), nil
	}
	c.buf.Write(p[:room])
	c.exceeded = true
	onExceed := c.onExceed
	c.mu.Unlock()
	if onExceed != nil {
		onExceed()
	}
	return room, ErrOutputLimit
}

// Bytes returns a copy of what was kept so far.
func (c *Capture) Bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}

// Exceeded reports whether a write passed the limit.
func (c *Capture) Exceeded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exceeded
}

// Output captures a command's stdout and stderr within MaxStdout and
// MaxStderr.
type Output struct {
	Stdout, Stderr *Capture
}

// NewOutput returns empty captures that call onExceed (may be nil) when
// either of them passes its limit.
func NewOutput(onExceed func()) *Output {
	return &Output{Stdout: NewCapture(MaxStdout, onExceed), Stderr: NewCapture(MaxStderr, onExceed)}
}

// Err returns an *OutputLimitError for a stream that passed its limit, or
// nil.
func (o *Output) Err(host string, argv []string) error {
	switch {
	case o.Stdout.Exceeded():
		return &OutputLimitError{Host: host, Argv: argv, Stream: "stdout", Limit: o.Stdout.limit}
	case o.Stderr.Exceeded():
		return &OutputLimitError{Host: host, Argv: argv, Stream: "stderr", Limit: o.Stderr.limit}
	}
	return nil
}
