// Package sink delivers notify messages: a generic JSON webhook signed
// with HMAC-SHA256, Slack (incoming webhook, Block Kit), Microsoft Teams
// (workflow webhook, Adaptive Card) and email over SMTP. Each reads its
// secrets when it sends and keeps them out of its errors.
package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/notify"
)

// New returns the sender of a sink's type; it is what notify.Options.Sender
// takes.
func New(s notify.Spec) (notify.Sender, error) {
	switch s.Type {
	case config.NotifyWebhook:
		return &Webhook{Spec: s}, nil
	case config.NotifySlack:
		return &Slack{Spec: s}, nil
	case config.NotifyTeams:
		return &Teams{Spec: s}, nil
	case config.NotifyEmail:
		return &Email{Spec: s}, nil
	}
	return nil, fmt.Errorf("notify %q: unknown sink type %q", s.Name, s.Type)
}

// client is the HTTP client of the webhook sinks; the context bounds each
// request.
var client = &http.Client{}

// post sends body to the sink's URL (read now) and fails unless the
// receiver answers 2xx. Errors never hold the URL, which is a secret.
func post(ctx context.Context, s notify.Spec, body []byte, header http.Header) error {
	u, err := s.URL.Read()
	if err != nil {
		return err
	}
	if u == "" {
		return errors.New("no url")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return errors.New("the url does not parse")
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tend-notify")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("POST to the %s url: %w", s.Type, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the %s receiver answered %s: %q", s.Type, resp.Status, bytes.TrimSpace(snippet))
	}
	return nil
}
