package apply

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/plugins/sdk"
)

// DefaultHealthTimeout bounds a health check without a timeout.
const DefaultHealthTimeout = 30 * time.Second

// HealthError is a failed health check: the host's changes are in place,
// but the host does not look healthy, so its rollout counts it as failed.
type HealthError struct {
	Check *config.HealthCheck
	// URL is the URL an http check requested (the check's url with the
	// host filled in).
	URL string
	Err error
}

func (e *HealthError) Error() string {
	what := strings.Join(e.Check.Argv, " ")
	if e.Check.Type == "http" {
		what = cmp.Or(e.URL, e.Check.URL)
	}
	return fmt.Sprintf("health check %s %q failed (%s): %v", e.Check.Type, what, e.Check.DeclRange, e.Err)
}

func (e *HealthError) Unwrap() error { return e.Err }

// checkHealth runs a policy's health checks in order and returns the first
// failure. Command checks run on the host through its transport and must
// exit 0; HTTP checks are requested by tend itself and must answer with
// the expected status.
func checkHealth(ctx context.Context, checks []*config.HealthCheck, host *config.Host, runner sdk.Runner, client *http.Client) error {
	for _, hc := range checks {
		timeout := hc.Timeout
		if timeout <= 0 {
			timeout = DefaultHealthTimeout
		}
		var err error
		url := ""
		switch hc.Type {
		case "command":
			err = commandCheck(ctx, hc.Argv, runner, timeout)
		case "http":
			if url, err = hc.URLFor(host); err == nil {
				err = httpCheck(ctx, url, hc.ExpectStatus, client, timeout)
			}
		default:
			err = fmt.Errorf("unknown health check type %q", hc.Type)
		}
		if err != nil {
			return &HealthError{Check: hc, URL: url, Err: err}
		}
	}
	return nil
}

func commandCheck(ctx context.Context, argv []string, runner sdk.Runner, timeout time.Duration) error {
	res, err := runner.Run(ctx, sdk.Cmd{Argv: argv, Timeout: timeout})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return &sdk.ExitError{Cmd: sdk.Cmd{Argv: argv}, Result: res}
	}
	return nil
}

func httpCheck(ctx context.Context, url string, want int, client *http.Client, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "tend-health-check")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		return fmt.Errorf("status %d, want %d", resp.StatusCode, want)
	}
	return nil
}
