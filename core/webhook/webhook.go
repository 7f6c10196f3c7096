package webhook

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/commitid"
)

// Result labels, one per request, passed to Handler.Observe.
const (
	ResultAccepted         = "accepted"
	ResultIgnored          = "ignored"
	ResultUnauthorized     = "unauthorized"
	ResultBadRequest       = "bad_request"
	ResultMethodNotAllowed = "method_not_allowed"
	ResultTooLarge         = "too_large" // 413: body over Handler.MaxBody
	ResultBusy             = "busy"      // 503: MaxConcurrent requests already in progress
	ResultDuplicate        = "duplicate" // 200: a delivery already accepted, not triggered again
)

// Sources of a Push.
const (
	SourceGitHub  = "github"
	SourceGitLab  = "gitlab"
	SourceGeneric = "generic"
)

// Limits on requests.
const (
	// DefaultMaxBody is Handler.MaxBody's default, 1 MiB: a push to a
	// configuration repository is a few kilobytes.
	DefaultMaxBody = 1 << 20
	// MaxBodyLimit is the largest sensible Handler.MaxBody: GitHub drops
	// payloads over 25 MiB instead of sending them.
	MaxBodyLimit = 25 << 20
	// DefaultMaxConcurrent is Handler.MaxConcurrent's default.
	DefaultMaxConcurrent = 4
)

const msgMissingAuth = "missing signature header: expected " +
	headerGitHubSignature + ", " + headerGitLabToken + " or " + headerTendSignature

// Push is a verified push notification.
type Push struct {
	Source   string // SourceGitHub, SourceGitLab or SourceGeneric
	Ref      string // full ref, e.g. "refs/heads/main"
	After    string // the pushed commit (40 or 64 lower-case hex), "" if the payload had none
	Delivery string // delivery id header if any (X-GitHub-Delivery, X-Gitlab-Event-UUID, X-Request-Id)
}

// Handler serves the webhook endpoint. Its fields must not change while it
// serves.
type Handler struct {
	// Secret authenticates requests. It is required: an empty secret
	// rejects every request with 401.
	Secret []byte
	// Branch is the branch tend follows, "main" or "refs/heads/main".
	// Pushes to other refs are acknowledged but ignored, and so is every
	// push while Branch is empty.
	Branch string
	// Trigger is called once for each accepted push, before the response
	// is written. It must not block long: the daemon only enqueues.
	Trigger func(Push)
	// Observe, if set, is called once per request with its Result label.
	Observe func(result string)
	// Log, if set, receives one entry per request.
	Log logrus.FieldLogger
	// MaxBody is the largest body read, in bytes (default DefaultMaxBody).
	// A larger body is answered 413 before its signature is checked: at
	// once if its Content-Length says so, else when reading passes the
	// limit.
	MaxBody int64
	// MaxConcurrent is how many requests may read and verify their bodies
	// at once (default DefaultMaxConcurrent); one more is answered 503
	// without its body being read.
	MaxConcurrent int

	once    sync.Once
	slots   chan struct{} // a token per request reading its body
	replays *replays      // accepted deliveries, for duplicates
}

// outcome is what a request comes to.
type outcome struct {
	status int
	result string
	msg    string // response body without the newline; also logged
	push   Push   // as far as known
	// unread is set when the body was not read to its end: the connection
	// is closed rather than drained.
	unread bool
}

// answer is the outcome of a request that triggers nothing: a refusal, or
// a push acknowledged and ignored (a ping, another branch, a duplicate).
func answer(status int, result, msg string, p Push) outcome {
	return outcome{status: status, result: result, msg: msg, push: p}
}

// ServeHTTP authenticates the request, calls Trigger for an accepted push
// and answers with a short plain-text body.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.init)
	o := h.handle(w, r)
	if o.result == ResultAccepted && h.Trigger != nil {
		h.Trigger(o.push)
	}
	switch o.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", http.MethodPost)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
	}
	if o.unread {
		w.Header().Set("Connection", "close")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(o.status)
	_, _ = io.WriteString(w, o.msg+"\n")
	if h.Observe != nil {
		h.Observe(o.result)
	}
	h.logOutcome(r, o)
}

func (h *Handler) init() {
	n := h.MaxConcurrent
	if n <= 0 {
		n = DefaultMaxConcurrent
	}
	h.slots = make(chan struct{}, n)
	h.replays = newReplays(replayMemory)
}

func (h *Handler) maxBody() int64 {
	if h.MaxBody <= 0 {
		return DefaultMaxBody
	}
	return h.MaxBody
}

// handle checks what it can from the headers first, and reads the body
// only while holding one of MaxConcurrent slots.
func (h *Handler) handle(w http.ResponseWriter, r *http.Request) outcome {
	p, cred, early := h.checkHeaders(r)
	if early != nil {
		early.unread = r.ContentLength != 0
		return *early
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	default:
		o := answer(http.StatusServiceUnavailable, ResultBusy, "busy: too many webhook requests in progress, retry later", p)
		o.unread = r.ContentLength != 0
		return o
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody()))
	if err != nil {
		o := answer(http.StatusBadRequest, ResultBadRequest, "reading body: "+err.Error(), p)
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			o = h.tooLarge(p)
		}
		o.unread = true
		return o
	}
	if p.Source != SourceGitLab && !validSignature(h.Secret, body, cred) {
		return answer(http.StatusUnauthorized, ResultUnauthorized, "invalid signature", p)
	}
	// Authenticated from here on.
	o := h.push(r.Header, body, p)
	if o.result == ResultAccepted && !h.replays.add(replayKeys(o.push, body)...) {
		return answer(http.StatusOK, ResultDuplicate, "duplicate delivery, already accepted: not triggered again", o.push)
	}
	return o
}

// checkHeaders returns the push as far as the headers tell and the
// credential, or the outcome of a request the headers already decide.
func (h *Handler) checkHeaders(r *http.Request) (Push, string, *outcome) {
	if r.Method != http.MethodPost {
		o := answer(http.StatusMethodNotAllowed, ResultMethodNotAllowed, "method not allowed: send a POST", Push{})
		return Push{}, "", &o
	}
	source, cred := detect(r.Header)
	p := Push{Source: source, Delivery: delivery(r.Header, source)}
	var o outcome
	switch {
	case len(h.Secret) == 0:
		h.logger().Error("webhook: no secret configured, rejecting every request: configure a webhook secret")
		o = answer(http.StatusUnauthorized, ResultUnauthorized, "invalid signature", p)
	case source == "":
		o = answer(http.StatusUnauthorized, ResultUnauthorized, msgMissingAuth, p)
	case source == SourceGitLab && !validToken(h.Secret, cred):
		o = answer(http.StatusUnauthorized, ResultUnauthorized, "invalid token", p)
	case r.ContentLength > h.maxBody():
		o = h.tooLarge(p)
	default:
		return p, cred, nil
	}
	return p, cred, &o
}

func (h *Handler) tooLarge(p Push) outcome {
	return answer(http.StatusRequestEntityTooLarge, ResultTooLarge,
		fmt.Sprintf("payload too large: limit is %d bytes", h.maxBody()), p)
}

// push handles an authenticated request.
func (h *Handler) push(hdr http.Header, body []byte, p Push) outcome {
	systemHook := false
	switch p.Source {
	case SourceGitHub:
		switch ev := hdr.Get("X-GitHub-Event"); ev {
		case "push":
		case "ping":
			return answer(http.StatusOK, ResultIgnored, "pong: webhook authenticated", p)
		case "":
			return answer(http.StatusBadRequest, ResultBadRequest, "missing X-GitHub-Event header", p)
		default:
			return answer(http.StatusAccepted, ResultIgnored, fmt.Sprintf("ignored: %q event, only push is handled", clip(ev, 40)), p)
		}
	case SourceGitLab:
		switch ev := hdr.Get("X-Gitlab-Event"); ev {
		case "Push Hook":
		case "System Hook":
			systemHook = true
		case "":
			return answer(http.StatusBadRequest, ResultBadRequest, "missing X-Gitlab-Event header", p)
		default:
			return answer(http.StatusAccepted, ResultIgnored, fmt.Sprintf("ignored: %q event, only Push Hook is handled", clip(ev, 40)), p)
		}
	}

	pl, err := parsePayload(hdr, body)
	if err != nil {
		return answer(http.StatusBadRequest, ResultBadRequest, err.Error(), p)
	}
	if systemHook && pl.ObjectKind != "push" && pl.EventName != "push" {
		return answer(http.StatusAccepted, ResultIgnored, "ignored: system hook is not a push", p)
	}

	want := branchRef(h.Branch)
	p.Ref = pl.Ref
	if p.Ref == "" {
		if p.Source != SourceGeneric {
			return answer(http.StatusBadRequest, ResultBadRequest, `push payload has no "ref"`, p)
		}
		p.Ref = want
	}
	after := pl.After
	if p.Source == SourceGitLab && pl.CheckoutSHA != "" {
		after = pl.CheckoutSHA
	}
	if after != "" {
		if p.After, err = commitID(after); err != nil {
			return answer(http.StatusBadRequest, ResultBadRequest, err.Error(), p)
		}
		if isZero(p.After) {
			return answer(http.StatusAccepted, ResultIgnored, "ignored: branch deletion", p)
		}
	}
	if want == "" {
		h.logger().Error("webhook: no branch configured, ignoring every push: configure the branch tend follows")
		return answer(http.StatusAccepted, ResultIgnored, "ignored: no branch configured", p)
	}
	if p.Ref != want {
		return answer(http.StatusAccepted, ResultIgnored, fmt.Sprintf("ignored: push to %s, following %s", clip(p.Ref, 100), want), p)
	}
	msg := "accepted " + commitid.Abbrev(p.After)
	if p.After == "" {
		msg = "accepted " + p.Ref
	}
	return outcome{status: http.StatusAccepted, result: ResultAccepted, msg: msg, push: p}
}

// delivery returns the delivery id header for source, falling back to
// X-Request-Id.
func delivery(h http.Header, source string) string {
	var id string
	switch source {
	case SourceGitHub:
		id = h.Get("X-GitHub-Delivery")
	case SourceGitLab:
		id = h.Get("X-Gitlab-Event-UUID")
	}
	if id == "" {
		id = h.Get("X-Request-Id")
	}
	return clip(id, 100)
}

var discard = func() *logrus.Logger {
	l := logrus.New()
	l.Out = io.Discard
	return l
}()

func (h *Handler) logger() logrus.FieldLogger {
	if h.Log != nil {
		return h.Log
	}
	return discard
}

// logOutcome logs one entry per request. It never logs credentials.
func (h *Handler) logOutcome(r *http.Request, o outcome) {
	f := logrus.Fields{"result": o.result, "status": o.status, "remote": r.RemoteAddr}
	for k, v := range map[string]string{"source": o.push.Source, "delivery": o.push.Delivery, "ref": o.push.Ref, "after": o.push.After} {
		if v != "" {
			f[k] = clip(v, 200)
		}
	}
	e := h.logger().WithFields(f)
	switch o.result {
	case ResultAccepted:
		e.Info("webhook: " + o.msg)
	case ResultUnauthorized, ResultBadRequest:
		e.Warn("webhook: " + o.msg)
	default:
		e.Debug("webhook: " + o.msg)
	}
}
