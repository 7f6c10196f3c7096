package history

import (
	"fmt"

	"github.com/tend-sh/tend/core/reportsbranch"
)

// ReadCopies reads Recorded from every copy of the reports branch in the
// Git repository holding dir, without fetching: the local branch (tend
// report --commit writes it) and each remote's tracking branch (where git
// fetch leaves what tend serve pushed). A directory outside a Git
// repository, or a repository without the branch, has none.
func ReadCopies(dir, branch string) ([]*Recorded, error) {
	copies, err := reportsbranch.Copies(dir, branch)
	if err != nil {
		return nil, err
	}
	var out []*Recorded
	for _, c := range copies {
		rec, err := Read(c.Tree)
		if err != nil {
			return nil, fmt.Errorf("reports branch %s: %w", c.Name, err)
		}
		out = append(out, rec)
	}
	return out, nil
}
