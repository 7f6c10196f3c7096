// Package apt is the logic of tend's apt provider: it scans a Debian-style
// host (dpkg's status file for what is installed, apt list for what could
// be), resolves the whole transaction planned actions are with apt's own
// simulation (apt-get --simulate: what else they install, upgrade,
// downgrade or remove, and for which planned package), and applies them
// (pinned installs, upgrades and downgrades in one apt-get transaction,
// checked first against the transaction the plan showed; holds with
// apt-mark; reboots).
// Every command goes through an sdk.Runner as an argv slice; nothing here
// runs a shell.
//
// # Alternate roots
//
// With Config.Root other than "/", every apt and dpkg command acts on that
// directory instead of the running system, like dpkg --root. These are the
// options, and why each is there (checked by experiment on apt 2.6 and
// dpkg 1.21, Debian 12):
//
//	-c /dev/stdin                      read ClearHooks from stdin: #clear the machine's
//	                                   DPkg::Pre-Install-Pkgs, DPkg::{Pre,Post}-Invoke and
//	                                   APT::Update::*-Invoke* hooks, which would run on the
//	                                   machine (dpkg-preconfigure on its debconf database,
//	                                   cache cleaners on its /var/cache/apt), not in the root
//	-o Dir=ROOT                        sources, lists, cache, extended_states, lock files
//	-o Dir::State::status=ROOT/var/lib/dpkg/status
//	-o Dir::Log=ROOT/var/log/apt       both follow from Dir by default; explicit so a
//	                                   machine's apt.conf.d setting absolute paths cannot
//	                                   redirect them
//	-o APT::Architecture=NATIVE        first line of ROOT/var/lib/dpkg/arch, else the
//	                                   machine's `dpkg --print-architecture`
//	-o APT::Architectures=NATIVE,…     every line of that file: the root's foreign
//	                                   architectures; it also spares apt three runs of
//	                                   `dpkg --print-foreign-architectures` (a quarter
//	                                   of apt list's time on a small root)
//	-o DPkg::Options::=--root=ROOT     dpkg installs into the root and uses its database
//	-o DPkg::Options::=--log=ROOT/var/log/dpkg.log
//	                                   else dpkg logs to the machine's /var/log/dpkg.log
//	-o DPkg::Options::=--force-script-chrootless
//	                                   maintainer scripts run on the machine with
//	                                   DPKG_ROOT=ROOT instead of in a chroot, so the root
//	                                   needs no shell or dpkg of its own
//
// and dpkg-query gets --admindir=ROOT/var/lib/dpkg (the status file is read
// as ROOT/var/lib/dpkg/status). Debug::NoLocking is not
// set: apt and dpkg take their locks inside the root
// (ROOT/var/lib/dpkg/lock-frontend, ROOT/var/cache/apt/archives/lock), which
// keeps two tend runs on one root apart. Dir::Etc::trusted is not needed:
// the root's own sources list says which repositories are trusted.
// Traced with strace, apt-get update and apt-get install with these
// options write nothing outside the root (apart from anonymous O_TMPFILE
// files in /tmp).
//
// The machine's other apt settings still apply to the root, among them
// Dir::Cache::pkgcache: where it is "" (Debian's container images), apt
// rebuilds its cache on every run rather than write one into the root,
// which may be an image being built.
//
// For root "/" no option is added: apt and dpkg run with the host's own
// configuration, hooks included.
//
// Every command gets DEBIAN_FRONTEND=noninteractive,
// APT_LISTCHANGES_FRONTEND=none and LC_ALL=C (the parsers read apt's
// untranslated output).
package apt
