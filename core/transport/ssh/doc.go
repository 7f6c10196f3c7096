// Package ssh runs provider commands on a remote host over SSH.
//
// A Client keeps one connection per host and opens a session on it for
// every command, so a provider may run several commands at once. Commands
// are never shell strings: each argument is single-quoted into the one
// command line SSH carries, and extra environment is passed through
// `env KEY=value …` because most sshd configurations refuse setenv
// requests. Host keys are always verified against a known_hosts file.
package ssh
