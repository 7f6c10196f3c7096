package agentwire

import "testing"

func TestSubjects(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{DesiredSubject("web"), "tend.desired.web"},
		{CommandSubject("web_1"), "tend.cmd.web_1"},
		{ResultsSubject("web_1"), "tend.results.web_1"},
		{ScansSubject("web_1"), "tend.scans.web_1"},
		{HelloSubject("web_1"), "tend.hello.web_1"},
		{JobsSubject("acme_web", 2), "tend.jobs.acme_web.2"},
		{DirectGetLast(StreamDesired, DesiredSubject("web")), "$JS.API.DIRECT.GET.TEND_DESIRED.tend.desired.web"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestValidToken(t *testing.T) {
	for _, ok := range []string{"web_1", "acme-db", "A9"} {
		if err := ValidToken(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a.b", "a b", "a*", "a>", "é"} {
		if ValidToken(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
