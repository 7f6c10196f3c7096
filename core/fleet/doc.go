// Package fleet is the controller side of agent mode: over one NATS
// connection it keeps the JetStream streams, publishes each group's
// desired state with compare-and-swap, ingests agents' scans into the
// inventory directory tend plan reads, dispatches rollout jobs through a
// work queue (core/apply's Agents seam) and tracks which agents said hello.
//
// Desired-state subjects: every config group with at least one agent host
// has tend.desired.<group>; agent hosts in no group share
// tend.desired._ungrouped (tend names start with a letter, so it cannot
// clash with a group). A host in several groups is in several documents;
// they carry the same configuration files.
package fleet
