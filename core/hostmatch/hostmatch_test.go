package hostmatch

import "testing"

func TestMatch(t *testing.T) {
	tests := []struct {
		flag string
		host string
		want bool
	}{
		{"", "web_1", true},
		{"web_*", "web_1", true},
		{"web_*", "db_1", false},
		{"db_1, web_?", "web_2", true},
		{"acme_*,fabrikam_*", "fabrikam_vpn", true},
		{"web_[12]", "web_3", false},
	}
	for _, tt := range tests {
		ps, err := Parse(tt.flag)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.flag, err)
		}
		if got := ps.Match(tt.host); got != tt.want {
			t.Errorf("Parse(%q).Match(%q) = %v, want %v", tt.flag, tt.host, got, tt.want)
		}
	}
	if _, err := Parse("web_[1"); err == nil {
		t.Error("Parse(web_[1) succeeded, want a syntax error")
	}
}
