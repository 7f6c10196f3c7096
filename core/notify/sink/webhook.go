package sink

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/tend-sh/tend/core/notify"
)

// WebhookFormatVersion is the format_version of a generic webhook's body.
const WebhookFormatVersion = "1"

// Webhook posts a message as JSON (WebhookPayload). With a secret, the
// body is signed like GitHub's webhooks: X-Hub-Signature-256 is "sha256="
// and the hex HMAC-SHA256 of the body under the secret.
type Webhook struct{ Spec notify.Spec }

// WebhookPayload is the body a generic webhook receives (docs/operations.md).
type WebhookPayload struct {
	FormatVersion string         `json:"format_version"`
	ID            string         `json:"id"`
	Sink          string         `json:"sink"`
	Digest        bool           `json:"digest"`
	Severity      string         `json:"severity"`
	Headline      string         `json:"headline"`
	CreatedAt     time.Time      `json:"created_at"`
	Events        []notify.Event `json:"events"`
}

// Headers of a generic webhook request.
const (
	HeaderSignature = "X-Hub-Signature-256"
	HeaderEvent     = "X-Tend-Event"
	HeaderDelivery  = "X-Tend-Delivery"
)

// Send implements notify.Sender.
func (w *Webhook) Send(ctx context.Context, m *notify.Message) error {
	body, err := json.Marshal(WebhookPayload{FormatVersion: WebhookFormatVersion, ID: m.ID, Sink: m.Sink.Name,
		Digest: m.Digest, Severity: m.Severity(), Headline: m.Headline(), CreatedAt: m.CreatedAt, Events: m.Events})
	if err != nil {
		return err
	}
	h := http.Header{}
	kind := "digest"
	if !m.Digest && len(m.Events) == 1 {
		kind = m.Events[0].Kind
	}
	h.Set(HeaderEvent, kind)
	h.Set(HeaderDelivery, m.ID)
	secret, err := w.Spec.Secret.Read()
	if err != nil {
		return err
	}
	if secret != "" {
		h.Set(HeaderSignature, Sign([]byte(secret), body))
	}
	return post(ctx, w.Spec, body, h)
}

// Sign returns the X-Hub-Signature-256 value of body under secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
