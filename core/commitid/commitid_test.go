package commitid

import "testing"

func TestShort(t *testing.T) {
	for id, want := range map[string]string{
		"":             "(none)",
		"9f2c3e8":      "9f2c3e8",
		"9f2c3e8a1b2c": "9f2c3e8a1b2c",
		"9f2c3e8a1b2c3d4e5f60718293a4b5c6d7e8f901": "9f2c3e8a1b2c",
	} {
		if got := Short(id); got != want {
			t.Errorf("Short(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestAbbrev(t *testing.T) {
	for id, want := range map[string]string{
		"":                            "",
		"dirty":                       "dirty",
		"v1.2.3-rc1-with-a-long-name": "v1.2.3-rc1-with-a-long-name",
		"9f2c3e8a1b2":                 "9f2c3e8a1b2",
		"9f2c3e8a1b2c":                "9f2c3e8",
		"9F2C3E8A1B2C3D4E5F60718293A4B5C6D7E8F901": "9F2C3E8",
	} {
		if got := Abbrev(id); got != want {
			t.Errorf("Abbrev(%q) = %q, want %q", id, got, want)
		}
	}
}
