// Package fleetgen generates a synthetic fleet for benchmarks: a tend
// configuration, a host list and one inventory snapshot per host, in the
// layout `tend plan -C DIR/config --inventory DIR/snapshots` reads.
//
// The output depends only on Options: the same options give byte-identical
// files. All randomness comes from one PCG generator seeded with
// Options.Seed and consumed in a fixed order (hosts in sorted order), and
// all times are fixed: updates were released in the 30 days before
// 2026-11-20, and every host was scanned at 2026-11-23T06:00:00Z.
//
// Every host has Options.Installed Debian 12 packages, always including nginx
// and linux-image-amd64, drawn from one catalogue shared by the fleet, so an
// update (say openssl 3.0.11-1~deb12u2 to 3.0.15-1~deb12u1) looks the same on
// every host that lacks it. Options.Available of them are out of date; the
// rest are at the newest version. About 30% of the catalogue's updates are
// security updates with one or two CVEs; updates of linux-image-* packages
// need a reboot.
package fleetgen
