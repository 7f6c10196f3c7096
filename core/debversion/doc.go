// Package debversion compares and checks Debian package versions the way
// dpkg does.
//
// A version is [epoch:]upstream[-revision]. The epoch is a decimal number
// (missing means 0); the revision is everything after the last hyphen
// (missing means empty). Versions compare by epoch numerically, then by
// upstream, then by revision, each part with dpkg's verrevcmp: alternating
// runs of non-digits and digits, where non-digit runs compare character by
// character with '~' before everything (even the end of the string), then
// the end of the string, then letters, then all other characters; and digit
// runs compare numerically. So "1.0~rc1" < "1.0" < "1.0a" < "1.0+b1" <
// "1.0.1".
package debversion
