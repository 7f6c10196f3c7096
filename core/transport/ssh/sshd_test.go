package ssh

import (
	"time"

	"github.com/tend-sh/tend/core/transport/ssh/sshtest"
)

// options returns Options that reach s with its authorized user key.
func options(s *sshtest.Server) Options {
	return Options{
		Address:        s.Addr(),
		User:           s.User,
		IdentityFile:   s.UserKey,
		KnownHostsFile: s.KnownHosts,
		ConnectTimeout: time.Minute, // a loaded machine can be slow to hand shake
	}
}
