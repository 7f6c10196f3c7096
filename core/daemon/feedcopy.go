package daemon

import (
	"maps"
	"path/filepath"

	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/reportsbranch/feedcopy"
)

// addFeedCopies adds to the reports layout the manifest of the url feeds
// this reconcile matched with and the copy of each the branch does not
// hold yet (core/reportsbranch/feedcopy), for offline plans without a
// feed cache. It returns the copies to remove (feeds no longer
// configured). A copy that cannot be made is logged and left out: the
// reports are committed all the same.
func (d *Daemon) addFeedCopies(p *pass, files map[string][]byte) (remove []string) {
	cache := &feeds.Cache{Dir: filepath.Join(d.o.StateDir, "feeds")}
	add, remove, err := feedcopy.Files(p.good.cfg, cache, p.tree)
	if err != nil {
		d.log.WithError(err).Warn("feed copies not written to the reports branch")
		return nil
	}
	maps.Copy(files, add)
	return remove
}
