package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// formatVersion is the format_version of every line.
const formatVersion = 1

// Record types.
const (
	typeIntent     = "intent"
	typeResult     = "result"
	typeCheckpoint = "checkpoint"
)

// record is one line of the journal, of any type.
type record struct {
	Type          string                 `json:"type"`
	FormatVersion int                    `json:"format_version"`
	Seq           uint64                 `json:"seq"`
	Host          string                 `json:"host,omitempty"`
	Provider      string                 `json:"provider,omitempty"`
	Policy        string                 `json:"policy,omitempty"`
	ConfigCommit  string                 `json:"config_commit,omitempty"`
	Actions       []model.ProviderAction `json:"actions,omitempty"`
	StartedAt     time.Time              `json:"started_at,omitzero"`
	Run           string                 `json:"run,omitempty"`
	Results       []resultLine           `json:"results,omitempty"`
	Recovered     bool                   `json:"recovered,omitempty"` // written by Resolve
	At            time.Time              `json:"at,omitzero"`
}

// resultLine is a model.ActionResult as a result record holds it: unlike
// report.json, the journal leaves an empty message out.
type resultLine struct {
	ActionID string       `json:"action_id"`
	Status   model.Status `json:"status"`
	Message  string       `json:"message,omitempty"`
}

// resultLines returns rs as a result record holds them.
func resultLines(rs []model.ActionResult) []resultLine {
	if rs == nil {
		return nil
	}
	out := make([]resultLine, len(rs))
	for i, r := range rs {
		out[i] = resultLine(r)
	}
	return out
}

// results returns the results a result record holds.
func (r record) results() []model.ActionResult {
	if r.Results == nil {
		return nil
	}
	out := make([]model.ActionResult, len(r.Results))
	for i, l := range r.Results {
		out[i] = model.ActionResult(l)
	}
	return out
}

func intentRecord(in Intent) record {
	return record{
		Type: typeIntent, FormatVersion: formatVersion, Seq: in.Seq,
		Host: in.Host, Provider: in.Provider, Policy: in.Policy, ConfigCommit: in.ConfigCommit,
		Actions: in.Actions, StartedAt: in.StartedAt, Run: in.Run,
	}
}

func (r record) intent() Intent {
	return Intent{
		Seq: r.Seq, Host: r.Host, Provider: r.Provider, Policy: r.Policy,
		ConfigCommit: r.ConfigCommit, Actions: r.Actions, StartedAt: r.StartedAt, Run: r.Run,
	}
}

// encode renders r as one newline-terminated line.
func encode(r record) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("journal: encode %s record: %w", r.Type, err)
	}
	return append(b, '\n'), nil
}

// state is what a journal file says.
type state struct {
	seq      uint64            // highest sequence number seen
	seen     map[uint64]bool   // every intent seen
	pending  map[uint64]Intent // intents without a result
	finished []Resolution      // results, Resolve's marked Recovered
	good     int64             // length of the readable prefix
}

// parse reads a journal file. A last line that has no newline or is not
// JSON is left out of good; any other bad line is an error.
func parse(path string, data []byte) (*state, error) {
	st := &state{seen: map[uint64]bool{}, pending: map[uint64]Intent{}}
	off, n := 0, 0
	for off < len(data) {
		n++
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			break // torn: the write never finished
		}
		line, end := data[off:off+nl], off+nl+1
		if len(bytes.TrimSpace(line)) > 0 {
			var r record
			err := json.Unmarshal(line, &r)
			if err != nil && end == len(data) {
				break // torn on a power loss: garbage up to a newline
			}
			if err != nil {
				err = fmt.Errorf("not JSON: %w", err)
			} else {
				err = st.apply(r)
			}
			if err != nil {
				return nil, fmt.Errorf("journal: %s line %d: %w", path, n, err)
			}
		}
		off = end
	}
	st.good = int64(off)
	return st, nil
}

// apply adds one record to st.
func (st *state) apply(r record) error {
	if r.FormatVersion != formatVersion {
		return fmt.Errorf("format_version %d, want %d", r.FormatVersion, formatVersion)
	}
	if r.Seq == 0 {
		return fmt.Errorf("%s record without seq", r.Type)
	}
	switch r.Type {
	case typeIntent:
		if st.seen[r.Seq] {
			return fmt.Errorf("second intent with seq %d", r.Seq)
		}
		st.seen[r.Seq] = true
		st.pending[r.Seq] = r.intent()
	case typeResult:
		// A result whose intent is gone (compacted away) says nothing new.
		if in, ok := st.pending[r.Seq]; ok {
			delete(st.pending, r.Seq)
			st.finished = append(st.finished, Resolution{Intent: in, Results: r.results(), At: r.At, Recovered: r.Recovered})
		}
	case typeCheckpoint:
	default:
		return fmt.Errorf("unknown record type %q", r.Type)
	}
	st.seq = max(st.seq, r.Seq)
	return nil
}
