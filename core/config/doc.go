// Package config loads a tend configuration: every *.tend.hcl file under a
// directory, decoded block by block into typed values with the source range
// of each, references (host.x, group.y, window.z) resolved, and every problem
// reported as an hcl.Diagnostic pointing at the offending file:line:col.
//
// Load never stops at the first problem: it collects them all and returns a
// partial Config together with the diagnostics. Callers must not plan from a
// Config whose diagnostics contain errors.
package config
