// Package words holds the small helpers core's messages share for English
// text.
package words

// Plural returns one when n is 1, many otherwise.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
