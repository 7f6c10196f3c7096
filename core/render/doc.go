// Package render holds tend's views: a plan as the plan JSON contract
// (DESIGN.md section 4), as the text of tend plan and tend show, and as the
// Markdown comment a reviewer reads on a pull request (section 7); what a
// configuration change does to a plan; and compliance reports as text,
// Markdown (SUMMARY.md, and the banner it starts with while tend serve
// rejects the head commit's configuration) and report.json.
//
// Every function here is pure: it writes to the io.Writer it is given,
// reads no clock and no environment, never changes its input, and gives
// the same bytes for the same input. Times are shown in UTC (RFC 3339), so
// output does not depend on the machine's time zone.
package render
