// Package render holds tend's views: a plan as the plan JSON contract
// (DESIGN.md section 4), as the text of tend plan and tend show, and as the
// Markdown comment a reviewer reads on a pull request (section 7); what a
// configuration change does to a plan; compliance reports as text,
// Markdown (SUMMARY.md, and the banner it starts with while tend serve
// rejects the head commit's configuration) and report.json; and what the
// other commands print: tend apply's progress, results and JSON, and the
// closing lines of validate, scan, fmt, init and providers. Configuration
// diagnostics have their own package, render/diagnostics.
//
// Every function here writes to the io.Writer it is given, reads no clock
// and no environment, never changes its input, and gives the same bytes
// for the same input; the one with state is ApplyProgress's function,
// which counts the hosts done. Times are shown in UTC (RFC 3339), so
// output does not depend on the machine's time zone.
package render
