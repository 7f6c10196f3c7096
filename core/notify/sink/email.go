package sink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tend-sh/tend/core/notify"
	"github.com/wneessen/go-mail"
)

// Email sends a message as a plain-text mail through the sink's SMTP
// server: STARTTLS required unless tls says otherwise, SMTP AUTH when a
// username is set (the mechanism the server offers, strongest first).
type Email struct{ Spec notify.Spec }

// Send implements notify.Sender.
func (e *Email) Send(ctx context.Context, m *notify.Message) error {
	s := e.Spec.SMTP
	if s == nil {
		return errors.New("no smtp settings")
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	msg := mail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(s.To...); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	msg.Subject(Subject(m))
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader("X-Tend-Delivery", m.ID)
	msg.SetBodyString(mail.TypeTextPlain, EmailBody(m))
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s:%d: %w", s.Host, s.Port, err)
	}
	return nil
}

// client makes the SMTP client of the sink's settings, its password read
// now.
func (e *Email) client() (*mail.Client, error) {
	s := e.Spec.SMTP
	opts := []mail.Option{mail.WithPort(s.Port)}
	tc := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", s.CAFile)
		}
		tc.RootCAs = pool
	}
	opts = append(opts, mail.WithTLSConfig(tc))
	switch s.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.Username != "" {
		pw, err := s.Password.Read()
		if err != nil {
			return nil, err
		}
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.Username), mail.WithPassword(pw))
	}
	return mail.NewClient(s.Host, opts...)
}

// Subject is a message's mail subject: "[tend] critical: Rollout halted: …".
func Subject(m *notify.Message) string {
	return clip(fmt.Sprintf("[tend] %s: %s", m.Severity(), m.Headline()), 200)
}

// EmailBody is a message as plain text.
func EmailBody(m *notify.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", m.Headline())
	for _, e := range m.Events {
		fmt.Fprintf(&b, "\n%s: %s\n", notify.Title(e.Kind), e.Summary)
		for _, d := range e.Details {
			fmt.Fprintf(&b, "  - %s\n", d)
		}
		for _, f := range e.Facts() {
			fmt.Fprintf(&b, "  %s: %s\n", f[0], f[1])
		}
	}
	fmt.Fprintf(&b, "\n-- \ntend serve, message %s\n", m.ID)
	return b.String()
}
