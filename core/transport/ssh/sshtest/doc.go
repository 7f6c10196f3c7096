// Package sshtest starts a real sshd on 127.0.0.1 with throwaway keys, for
// tests of code that reaches hosts over SSH.
package sshtest
