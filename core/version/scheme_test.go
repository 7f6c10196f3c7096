package version

import (
	"encoding/json"
	"testing"
)

func TestParseScheme(t *testing.T) {
	for _, s := range []string{"", "debian", "semver", "dotted", "winget", "fwupd", "opaque"} {
		got, err := ParseScheme(s)
		if err != nil || string(got) != s {
			t.Errorf("ParseScheme(%q) = %q, %v", s, got, err)
		}
	}
	_, err := ParseScheme("Debian")
	want := `unknown version scheme "Debian": tend knows debian, semver, dotted, winget, fwupd, opaque`
	if err == nil || err.Error() != want {
		t.Errorf("ParseScheme(Debian): err = %v, want %q", err, want)
	}
}

func TestSchemeJSON(t *testing.T) {
	var v struct {
		S Scheme `json:"version_scheme,omitempty"`
	}
	if err := json.Unmarshal([]byte(`{"version_scheme": "dotted"}`), &v); err != nil || v.S != Dotted {
		t.Errorf("decoded %q, %v", v.S, err)
	}
	if err := json.Unmarshal([]byte(`{"version_scheme": "calver"}`), &v); err == nil {
		t.Error("an unknown scheme decoded")
	}
	v.S = ""
	if b, _ := json.Marshal(v); string(b) != `{}` {
		t.Errorf("the zero Scheme marshals as %s, want it omitted", b)
	}
	v.S = Semver
	if b, _ := json.Marshal(v); string(b) != `{"version_scheme":"semver"}` {
		t.Errorf("marshalled %s", b)
	}
}
