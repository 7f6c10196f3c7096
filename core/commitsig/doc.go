// Package commitsig checks that a configuration commit is signed by a
// trusted key before tend serve applies it.
//
// Two kinds of trust can be configured, alone or together:
//
//   - SSH signatures (git's gpg.format=ssh), trusted through an OpenSSH
//     allowed signers file, the format of git's gpg.ssh.allowedSignersFile.
//     SSHSIG verification is implemented here; ssh-keygen is never run.
//   - OpenPGP signatures, trusted through an armored public keyring.
//
// A Verifier built with New reports who signed a commit, or an error that
// wraps one of ErrNoTrust, ErrUnsigned, ErrUntrusted or ErrBadSignature and
// names the commit and the key.
package commitsig
