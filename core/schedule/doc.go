// Package schedule is the time logic of maintenance windows: durations and
// times of day as users write them in configuration, 5-field cron
// expressions, and recurring windows (cron or Patch Tuesday based) with a
// length and a cutoff.
//
// Everything here is pure: no I/O and no clock. Every function that needs
// the time takes it as an argument, so the same inputs always give the same
// answer and `tend plan --at` can preview any moment.
//
// # Wall clock and daylight saving time
//
// Openings are wall-clock times in the window's location: "0 22 * * SAT" in
// Europe/Berlin opens at 22:00 Berlin time every Saturday, summer or winter.
// A window's length and cutoff are elapsed time: a 6h window that opens at
// 22:00 on the night clocks go back closes 6 real hours later, at 03:00 on
// the wall clock rather than 04:00.
//
// Two wall times need a rule:
//
//   - A wall time that does not exist (skipped when clocks spring forward,
//     such as 02:30 on 2026-03-29 in Europe/Berlin) opens at the first instant
//     after the gap (03:00 CEST), as cron implementations that skip forward do.
//     Several such times collapse into that one opening.
//   - A wall time that happens twice (repeated when clocks fall back, such as
//     02:30 on 2026-10-25 in Europe/Berlin) opens once, at its first
//     occurrence (02:30 CEST). This holds for every field, so "* * * * *"
//     has no matches during the repeated part of the hour.
//
// # Cutoff
//
// A window's cutoff is the last part of each opening in which no new action
// starts: an opening at s with duration d and cutoff c is usable during
// [s, s+d-c). Running actions may continue until s+d; this package only
// answers when new work may begin.
package schedule
