// Package words holds the small helpers core's messages share for English
// text.
package words
