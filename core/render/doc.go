// Package render turns a plan into its three views: the plan JSON contract
// (DESIGN.md section 4), the human text view of tend plan and tend show, and
// the Markdown comment a reviewer reads on a pull request (section 7).
//
// Every function here is pure: it writes to the io.Writer it is given,
// reads no clock and no environment, never changes the plan, and gives the
// same bytes for the same input. Times are shown in UTC (RFC 3339), so
// output does not depend on the machine's time zone.
package render
