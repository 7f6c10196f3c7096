package agent

import (
	"context"
	"encoding/json"
	"path/filepath"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishCore publishes v as JSON on core NATS.
func (a *Agent) publishCore(subject string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return a.nc.Publish(subject, data)
}

// queue puts v in the outbox under name and asks for a flush. JetStream
// stores it once, by msgID, however often it is sent.
func (a *Agent) queue(name, subject, msgID string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := a.st.putOutbox(name, outboxItem{Subject: subject, MsgID: msgID, Data: data}); err != nil {
		return err
	}
	a.signal(a.flush)
	return nil
}

// flushOutbox publishes what the outbox holds, each removed once
// JetStream acknowledged it; while disconnected it waits for the next
// connection.
func (a *Agent) flushOutbox(ctx context.Context) {
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	if a.nc.Status() != nats.CONNECTED {
		return
	}
	names, err := a.st.outbox()
	if err != nil {
		a.log.WithError(err).Error("could not read the outbox")
		return
	}
	for _, name := range names {
		rel := filepath.Join("outbox", name+".json")
		var it outboxItem
		if ok, err := a.st.readJSON(rel, &it); err != nil || !ok {
			if err != nil {
				a.log.WithError(err).Error("unreadable outbox message dropped")
				_ = a.st.remove(rel)
			}
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, a.o.RequestTimeout)
		_, err := a.js.PublishMsg(pctx, &nats.Msg{Subject: it.Subject, Data: it.Data}, jetstream.WithMsgID(it.MsgID))
		cancel()
		if err != nil {
			a.log.WithError(err).WithField("msg_id", it.MsgID).Warn("not published yet; kept in the outbox")
			return
		}
		// A newer scan may have replaced the file meanwhile: keep that one.
		var now outboxItem
		if ok, _ := a.st.readJSON(rel, &now); ok && now.MsgID != it.MsgID {
			continue
		}
		if err := a.st.remove(rel); err != nil {
			a.log.WithError(err).Error("could not clear the outbox")
		}
		a.log.WithField("msg_id", it.MsgID).Debug("published")
	}
}
