// Package handshake holds what tend and its provider plugins must agree on
// before they talk: go-plugin's handshake and the plugin's name.
package handshake
