// Package journal is the apply journal of the daemon (tend serve), kept in
// its state directory so that a crash during an apply never loses track of
// what was in flight.
//
// Before asking a provider to apply actions on a host the daemon records an
// intent (Begin) and after the provider returns it records the results
// (Finish); both are fsynced before the call returns. On restart, intents
// without results are Pending: the daemon re-scans those hosts and records
// what it found with Resolve. Finished results stay listed (Finished), also
// across restarts, until Compact drops them: the daemon compacts only once
// the reports holding them are on the remote.
//
// The file is dir/journal.jsonl, one JSON object per line, each written with
// a single write(2):
//
//	{"type":"intent","format_version":1,"seq":7,"host":"web_1",...,"actions":[...],"started_at":"..."}
//	{"type":"result","format_version":1,"seq":7,"results":[...],"at":"..."}
//	{"type":"checkpoint","format_version":1,"seq":9,"at":"..."}
//
// A checkpoint starts a compacted file and carries the last sequence number
// so numbering continues. A torn last line (a crash mid-write) is ignored
// and cut off; any other unreadable line is an error naming its number.
//
// An exclusive flock(2) on dir/journal.lock, holding the owner's pid, keeps
// two daemons from sharing a state directory; the kernel releases it when
// the process dies, however it dies.
package journal
