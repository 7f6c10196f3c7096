package natstest

import (
	"testing"
	"time"

	"context"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestStreamSurvivesRestart checks the server keeps JetStream data across
// Restart, which the hub-restart tests rely on.
func TestStreamSurvivesRestart(t *testing.T) {
	s := Start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	nc, err := nats.Connect(s.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "t.a", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	s.Restart()
	for {
		st, err := js.Stream(ctx, "T")
		if err == nil {
			m, err := st.GetLastMsgForSubject(ctx, "t.a")
			if err == nil {
				if string(m.Data) != "kept" {
					t.Fatalf("got %q", m.Data)
				}
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("stream not readable after restart: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
