package daemon

import "github.com/tend-sh/tend/core/lastapply"

// unreported folds in the results the journal holds (finished since its
// last compaction, that is not known to be on the remote), run by run.
func (d *Daemon) unreported(lastApply *lastapply.Set) {
	run := ""
	for i, f := range d.journal.Finished() {
		if i == 0 || f.Intent.Run != run || run == "" {
			lastApply.NewRun()
			run = f.Intent.Run
		}
		lastApply.AddResults(f.Intent.Host, f.Intent.StartedAt.UTC(), f.At.UTC(), f.Results)
	}
}
