package inventory

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestStream(t *testing.T) {
	dir := t.TempDir()
	for _, h := range []string{"web_1", "web_2", "web_3", "other"} {
		write(t, dir, h, strings.Replace(good, `"host": "web_1"`, `"host": "`+h+`"`, 1))
	}
	write(t, dir, "broken", `{"format_version": "1",`)
	// web_9 has no directory: it has no snapshot.
	s, err := OpenStream(dir, []string{"web_2", "web_9", "web_1", "web_2", "broken"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, h := range []string{"web_2", "web_9", "web_1", "web_2"} {
		snap := s.Next(h)
		switch {
		case h == "web_9" && snap != nil:
			t.Errorf("Next(web_9) = %+v, want nil", snap)
		case h != "web_9" && (snap == nil || snap.Host != h || len(snap.Providers["apt"].Installed) != 1):
			t.Errorf("Next(%s) = %+v, want its whole snapshot", h, snap)
		}
	}
	if snap := s.Next("web_3"); snap == nil || snap.Host != "web_3" { // out of order
		t.Errorf("Next(web_3) out of order = %+v", snap)
	}
	s.Rest() // broken, then other
	err = s.Err()
	if err == nil || !strings.Contains(err.Error(), "broken") || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("Err() = %v, want broken's decode error", err)
	}
	kept := s.Kept()
	if got := slices.Sorted(maps.Keys(kept)); !slices.Equal(got, []string{"other", "web_1", "web_2", "web_3"}) {
		t.Errorf("kept %v", got)
	}
	for h, snap := range kept {
		p := snap.Providers["apt"]
		if p.Installed != nil || len(p.Available) != 1 || p.Facts["os"] != "debian" {
			t.Errorf("kept %s = %+v, want it without its installed list only", h, p)
		}
	}
}

func TestStreamStopsEarly(t *testing.T) {
	dir := t.TempDir()
	var order []string
	for i := range 100 {
		h := "web_" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))
		write(t, dir, h, strings.Replace(good, `"host": "web_1"`, `"host": "`+h+`"`, 1))
		order = append(order, h)
	}
	s, err := OpenStream(dir, order)
	if err != nil {
		t.Fatal(err)
	}
	s.Next(order[0])
	s.Close() // does not wait for a reader that never comes
}

func TestStreamSourceMissingDir(t *testing.T) {
	if _, _, err := StreamSource("", t.TempDir()+"/nope", nil); err == nil || !strings.Contains(err.Error(), "reading inventory") {
		t.Errorf("err = %v", err)
	}
	if s, _, err := StreamSource("", "git:tend/reports", nil); s != nil || err != nil {
		t.Errorf("git source streamed: %v, %v", s, err)
	}
}
