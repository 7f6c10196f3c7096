package agentwire

import (
	"fmt"
	"regexp"
)

// Stream names.
const (
	StreamDesired = "TEND_DESIRED"
	StreamResults = "TEND_RESULTS"
	StreamScans   = "TEND_SCANS"
	// StreamJobs is the controller's own work queue of rollout jobs, one
	// consumer per policy and ring with MaxAckPending = max_parallel. Agents
	// never read it: the controller forwards each job to tend.cmd.<host>.
	StreamJobs = "TEND_JOBS"
)

// Subject prefixes, each followed by one token (a group or a host).
const (
	PrefixDesired = "tend.desired."
	PrefixCommand = "tend.cmd."
	PrefixResults = "tend.results."
	PrefixScans   = "tend.scans."
	PrefixHello   = "tend.hello."
	PrefixJobs    = "tend.jobs."
)

// Ungrouped is the desired-state group of agent hosts no config group
// matches.
const Ungrouped = "_ungrouped"

// token is what a host or group name must look like to be one subject token.
var token = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ValidToken reports whether name can be used as a subject token.
func ValidToken(name string) error {
	if !token.MatchString(name) {
		return fmt.Errorf("%q cannot be a NATS subject token: use letters, digits, '_' and '-'", name)
	}
	return nil
}

// DesiredSubject is the subject of group's desired state.
func DesiredSubject(group string) string { return PrefixDesired + group }

// CommandSubject is the subject jobs for host arrive on.
func CommandSubject(host string) string { return PrefixCommand + host }

// ResultsSubject is the subject host publishes job results on.
func ResultsSubject(host string) string { return PrefixResults + host }

// ScansSubject is the subject host publishes inventory snapshots on.
func ScansSubject(host string) string { return PrefixScans + host }

// HelloSubject is the subject host announces itself on.
func HelloSubject(host string) string { return PrefixHello + host }

// JobsSubject is the controller's work-queue subject of one policy's ring.
func JobsSubject(policy string, ring int) string {
	return fmt.Sprintf("%s%s.%d", PrefixJobs, policy, ring)
}

// DirectGetLast is the subject a client requests (empty body) to read the
// last message on subject from stream with a direct get. In a JetStream
// domain reached over a leaf node, prefix it with the domain's API prefix
// ("$JS.<domain>.API." in place of "$JS.API.").
func DirectGetLast(stream, subject string) string {
	return "$JS.API.DIRECT.GET." + stream + "." + subject
}
