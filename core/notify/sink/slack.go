package sink

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tend-sh/tend/core/notify"
)

// Slack posts a message to a Slack incoming webhook as Block Kit blocks: a
// header, then per event a section with its summary, details and facts.
// text is the fallback notifications show.
type Slack struct{ Spec notify.Spec }

// SlackMessage is the body of a Slack incoming webhook request.
type SlackMessage struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks"`
}

// SlackBlock is a Block Kit layout block (header, section, context,
// divider).
type SlackBlock struct {
	Type     string      `json:"type"`
	Text     *SlackText  `json:"text,omitempty"`
	Elements []SlackText `json:"elements,omitempty"`
	Fields   []SlackText `json:"fields,omitempty"`
}

// SlackText is a Block Kit text object.
type SlackText struct {
	Type string `json:"type"` // plain_text or mrkdwn
	Text string `json:"text"`
}

// Block Kit limits: a header's text, a section's text and a message's
// blocks.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackBlocksMax  = 50
)

// Send implements notify.Sender.
func (s *Slack) Send(ctx context.Context, m *notify.Message) error {
	body, err := json.Marshal(SlackPayload(m))
	if err != nil {
		return err
	}
	return post(ctx, s.Spec, body, nil)
}

// SlackPayload renders a message as Block Kit.
func SlackPayload(m *notify.Message) SlackMessage {
	head := m.Headline()
	out := SlackMessage{Text: head, Blocks: []SlackBlock{{Type: "header", Text: &SlackText{"plain_text", clip(head, slackHeaderMax)}}}}
	for i, e := range m.Events {
		if len(out.Blocks)+3 > slackBlocksMax {
			out.Blocks = append(out.Blocks, SlackBlock{Type: "context", Elements: []SlackText{{"mrkdwn",
				fmt.Sprintf("… and %d more events", len(m.Events)-i)}}})
			break
		}
		if i > 0 {
			out.Blocks = append(out.Blocks, SlackBlock{Type: "divider"})
		}
		text := "*" + slackEscape(notify.Title(e.Kind)) + "*: " + slackEscape(e.Summary)
		for _, d := range e.Details {
			text += "\n• " + slackEscape(d)
		}
		out.Blocks = append(out.Blocks, SlackBlock{Type: "section", Text: &SlackText{"mrkdwn", clip(text, slackSectionMax)}})
		var facts []string
		for _, f := range e.Facts() {
			facts = append(facts, "*"+f[0]+"*: "+slackEscape(f[1]))
		}
		out.Blocks = append(out.Blocks, SlackBlock{Type: "context", Elements: []SlackText{{"mrkdwn", strings.Join(facts, "  ·  ")}}})
	}
	return out
}

// slackEscape escapes what mrkdwn treats as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip shortens s to at most n characters, ending in "…" when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
