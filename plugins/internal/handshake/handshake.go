package handshake

import "github.com/hashicorp/go-plugin"

// ProtocolVersion is the provider protocol this build speaks.
const ProtocolVersion = 1

// PluginName is the name the provider service is dispensed under.
const PluginName = "provider"

// Config is go-plugin's handshake: a provider binary started by hand (not by
// tend) sees no TEND_PLUGIN cookie and says so instead of hanging.
var Config = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "TEND_PLUGIN",
	MagicCookieValue: "d4f1c2e0-tend-provider",
}
