package sink

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tend-sh/tend/core/notify"
)

// Teams posts a message to a Microsoft Teams workflow webhook ("Post to a
// channel when a webhook request is received") as an Adaptive Card
// attachment.
type Teams struct{ Spec notify.Spec }

// TeamsMessage is the body of a Teams workflow webhook request.
type TeamsMessage struct {
	Type        string            `json:"type"` // "message"
	Attachments []TeamsAttachment `json:"attachments"`
}

// TeamsAttachment carries the card.
type TeamsAttachment struct {
	ContentType string       `json:"contentType"` // AdaptiveCardType
	ContentURL  *string      `json:"contentUrl"`
	Content     AdaptiveCard `json:"content"`
}

// A Teams message may be at most about 28 KB: a card shows at most this
// many events, and details per event.
const (
	teamsEventsMax  = 20
	teamsDetailsMax = 10
)

// AdaptiveCardType is the content type of an Adaptive Card attachment.
const AdaptiveCardType = "application/vnd.microsoft.card.adaptive"

// AdaptiveCard is an Adaptive Card (schema version 1.4, which Teams
// renders).
type AdaptiveCard struct {
	Schema  string         `json:"$schema"`
	Type    string         `json:"type"` // "AdaptiveCard"
	Version string         `json:"version"`
	Body    []AdaptiveItem `json:"body"`
}

// AdaptiveItem is a TextBlock or a FactSet.
type AdaptiveItem struct {
	Type      string         `json:"type"`
	Text      string         `json:"text,omitempty"`
	Weight    string         `json:"weight,omitempty"`
	Size      string         `json:"size,omitempty"`
	Color     string         `json:"color,omitempty"`
	Wrap      bool           `json:"wrap,omitempty"`
	Separator bool           `json:"separator,omitempty"`
	Facts     []AdaptiveFact `json:"facts,omitempty"`
}

// AdaptiveFact is one title/value pair of a FactSet.
type AdaptiveFact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// Send implements notify.Sender.
func (t *Teams) Send(ctx context.Context, m *notify.Message) error {
	body, err := json.Marshal(TeamsPayload(m))
	if err != nil {
		return err
	}
	return post(ctx, t.Spec, body, nil)
}

// TeamsPayload renders a message as an Adaptive Card in a workflow
// webhook's message envelope.
func TeamsPayload(m *notify.Message) TeamsMessage {
	color := map[string]string{notify.SeverityCritical: "Attention", notify.SeverityWarning: "Warning"}[m.Severity()]
	card := AdaptiveCard{Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		Body: []AdaptiveItem{{Type: "TextBlock", Text: m.Headline(), Weight: "Bolder", Size: "Medium", Color: color, Wrap: true}}}
	for i, e := range m.Events {
		if i == teamsEventsMax {
			card.Body = append(card.Body, AdaptiveItem{Type: "TextBlock", Text: fmt.Sprintf("… and %d more events", len(m.Events)-i), Wrap: true, Separator: true})
			break
		}
		card.Body = append(card.Body, AdaptiveItem{Type: "TextBlock", Text: notify.Title(e.Kind) + ": " + clip(e.Summary, 1000),
			Weight: "Bolder", Wrap: true, Separator: i > 0})
		for j, d := range e.Details {
			if j == teamsDetailsMax {
				card.Body = append(card.Body, AdaptiveItem{Type: "TextBlock", Text: fmt.Sprintf("- … and %d more", len(e.Details)-j), Wrap: true})
				break
			}
			card.Body = append(card.Body, AdaptiveItem{Type: "TextBlock", Text: "- " + clip(d, 1000), Wrap: true})
		}
		var facts []AdaptiveFact
		for _, f := range e.Facts() {
			facts = append(facts, AdaptiveFact{f[0], f[1]})
		}
		card.Body = append(card.Body, AdaptiveItem{Type: "FactSet", Facts: facts})
	}
	return TeamsMessage{Type: "message", Attachments: []TeamsAttachment{{ContentType: AdaptiveCardType, Content: card}}}
}
