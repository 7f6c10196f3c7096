// Package commitid shortens commit ids (and other hexadecimal digests) for
// people to read: twelve characters in logs and error messages, seven hex
// digits in reports and webhook replies, as Git itself abbreviates them.
package commitid
