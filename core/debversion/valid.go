package debversion

import (
	"errors"
	"fmt"
	"strings"
)

// maxEpoch is the largest epoch dpkg accepts (INT_MAX), in decimal.
const maxEpoch = "2147483647"

// Valid reports whether s is a syntactically valid Debian version, by the
// rules of dpkg's parseversion: an optional epoch of decimal digits
// (at most 2147483647) ending at the first colon; an upstream version that
// starts with a digit and holds only letters, digits and ".+~-:"; and an
// optional revision after the last hyphen, holding only letters, digits and
// ".+~". The error names the first problem found, in dpkg's words.
//
// Valid is stricter than dpkg in two places, for versions people write
// (pins): it rejects surrounding blanks, which dpkg trims (Trim does, for
// versions read from a package manager), and an epoch with a sign ("+1:"
// and "-0:", which dpkg's strtol accepts).
func Valid(s string) error {
	if err := valid(s); err != nil {
		return fmt.Errorf("invalid Debian version %q: %w", s, err)
	}
	return nil
}

// Trim removes what dpkg's parseversion skips around a version: blanks
// (spaces and tabs) before and after it, as Compare does. Versions read
// from provider output are trimmed so; a version with blanks inside stays
// invalid.
func Trim(s string) string { return trimBlanks(s) }

func valid(s string) error {
	if s == "" {
		return errors.New("version string is empty")
	}
	if t := Trim(s); t != s && t != "" && !strings.ContainsAny(t, " \t") {
		return errors.New("version string has blanks around it; write it without them")
	}
	if strings.ContainsAny(s, " \t") {
		return errors.New("version string has embedded spaces")
	}
	rest := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if err := validEpoch(s[:i]); err != nil {
			return err
		}
		rest = s[i+1:]
		if rest == "" {
			return errors.New("nothing after colon in version number")
		}
	}
	upstream, revision := rest, ""
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		upstream, revision = rest[:i], rest[i+1:]
		if revision == "" {
			return errors.New("revision number is empty")
		}
	}
	if upstream == "" {
		return errors.New("version number is empty")
	}
	if !isDigit(upstream[0]) {
		return errors.New("version number does not start with digit")
	}
	for i := 1; i < len(upstream); i++ {
		if c := upstream[i]; !isDigit(c) && !isAlpha(c) && strings.IndexByte(".-+~:", c) < 0 {
			return errors.New("invalid character in version number")
		}
	}
	for i := 0; i < len(revision); i++ {
		if c := revision[i]; !isDigit(c) && !isAlpha(c) && strings.IndexByte(".+~", c) < 0 {
			return errors.New("invalid character in revision number")
		}
	}
	return nil
}

// validEpoch checks the part before the first colon. dpkg reads it with
// strtol, so a part that does not start with a digit is "empty".
func validEpoch(epoch string) error {
	switch {
	case epoch != "" && (epoch[0] == '+' || epoch[0] == '-'):
		return errors.New("epoch in version is not number")
	case epoch == "" || !isDigit(epoch[0]):
		return errors.New("epoch in version is empty")
	case !allDigits(epoch):
		return errors.New("epoch in version is not number")
	case compareEpoch(epoch, maxEpoch) > 0:
		return errors.New("epoch in version is too big")
	}
	return nil
}
