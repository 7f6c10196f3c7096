// Package config loads a tend configuration: every *.tend.hcl file under a
// directory, decoded block by block into typed values with the source range
// of each, references (host.x, group.y, window.z) resolved, and every problem
// reported as an hcl.Diagnostic pointing at the offending file:line:col.
//
// Load never stops at the first problem: it collects them all and returns a
// partial Config together with the diagnostics. Callers must not plan from a
// Config whose diagnostics contain errors.
//
// Each block type has its file, holding its type, its schema and its
// decoder, a function decodeX(block) (*X, hcl.Diagnostics): tend.go,
// provider.go, host.go, hostlist.go, group.go, window.go, policy.go and
// the blocks nested in a policy (approve.go, exclude.go, pin.go,
// rollout.go, health.go). values.go and names.go decode single attributes.
// The checks across blocks are in two places: declare.go (a name once per
// kind, as blocks arrive) and resolve.go (references, once every file is
// decoded).
package config
