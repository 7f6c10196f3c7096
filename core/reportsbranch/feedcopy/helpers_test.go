package feedcopy

import (
	"encoding/json"
	"testing"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/feeds"
)

func jsonIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }

func remoteConfig(name string) *gitconfig.RemoteConfig {
	return &gitconfig.RemoteConfig{Name: name, URLs: []string{"file:///nowhere"}}
}

func setRef(t *testing.T, repo *git.Repository, name string, to *plumbing.Reference) {
	t.Helper()
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(name), to.Hash())); err != nil {
		t.Fatal(err)
	}
}

// rows lists a tracker's (source, CVE, release, fixed) rows.
func rows(t *feeds.TrackerFixes) [][4]string {
	var out [][4]string
	start := uint32(0)
	for i, end := range t.SourceEnds {
		for r := start; r < end; r++ {
			out = append(out, [4]string{t.Str(t.Sources[i]), t.Str(t.CVE[r]), t.Str(t.Release[r]), t.Str(t.Fixed[r])})
		}
		start = end
	}
	return out
}
