// Package agent is the runtime of tend agent: the process on each host
// that talks to the controller (tend serve) over NATS in core/agentwire's
// format and patches the host through the local transport with the same
// providers, lock-file checks and apply code tend apply uses.
//
// The agent keeps, in its state directory, the newest desired state of each
// of its groups (and that configuration's files, loaded with core/config,
// so windows, freezes and suspensions are judged here even while the
// controller is out of reach), the job it is running (so a restart resumes
// it), the apply journal (core/journal) and an outbox of results and the
// latest scan not yet acknowledged by JetStream, published on reconnect.
//
// Layout of the state directory:
//
//	desired/<group>.json        newest agentwire.DesiredState of the group
//	config/<group>/r<revision>/ its Files, the configuration the agent loads
//	job.json                    the job being applied (removed once its result is in the outbox)
//	last-job.json               the last job finished and its result (a re-sent job gets it again)
//	outbox/result-<id>.json     results not yet stored by JetStream
//	outbox/scan.json            the latest scan not yet stored by JetStream
//	journal/                    the apply journal
//	agent.nk                    the host's nkey seed (tend agent enroll), 0600
package agent
