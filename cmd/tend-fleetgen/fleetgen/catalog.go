package fleetgen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// pkg is one package of the catalogue and its pending update: hosts that
// lack the update have Old installed, the others New.
type pkg struct {
	Name           string
	Arch           string
	Old, New       string
	Classification string // "security" or "other"
	CVEs           []string
	ReleasedAt     time.Time
	RebootRequired bool
}

// catalog is the fleet's package universe, sorted by name.
type catalog struct {
	Pkgs      []pkg
	Mandatory []bool // Mandatory[i]: every host has Pkgs[i]
	Nginx     pkg
}

// mandatory are the packages every host has.
var mandatory = []string{"linux-image-amd64", "nginx"}

// known are well-known Debian 12 packages with plausible versions, so that the
// config's patterns (openssl, openssh-*, linux-image-*, postgresql-*) and
// its nginx pin have something to match. A "security" update gets CVEs.
var known = []struct{ name, arch, old, new, class string }{
	{"apt", "amd64", "2.6.1", "2.6.1+deb12u1", "other"},
	{"base-files", "amd64", "12.4+deb12u7", "12.4+deb12u8", "other"},
	{"bash", "amd64", "5.2.15-2+b2", "5.2.15-2+b7", "other"},
	{"ca-certificates", "all", "20230311", "20230311+deb12u1", "other"},
	{"chrony", "amd64", "4.3-2+deb12u1", "4.3-2+deb12u2", "other"},
	{"cron", "amd64", "3.0pl1-162", "3.0pl1-162+deb12u1", "other"},
	{"curl", "amd64", "7.88.1-10+deb12u8", "7.88.1-10+deb12u12", "security"},
	{"git", "amd64", "1:2.39.5-0+deb12u1", "1:2.39.5-0+deb12u2", "security"},
	{"libc-bin", "amd64", "2.36-9+deb12u7", "2.36-9+deb12u9", "security"},
	{"libc6", "amd64", "2.36-9+deb12u7", "2.36-9+deb12u9", "security"},
	{"libcurl4", "amd64", "7.88.1-10+deb12u8", "7.88.1-10+deb12u12", "security"},
	{"libexpat1", "amd64", "2.5.0-1", "2.5.0-1+deb12u1", "security"},
	{"libpq5", "amd64", "15.8-0+deb12u1", "15.10-0+deb12u1", "security"},
	{"libssl3", "amd64", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", "security"},
	{"libsystemd0", "amd64", "252.30-1~deb12u2", "252.31-1~deb12u1", "other"},
	{"libudev1", "amd64", "252.30-1~deb12u2", "252.31-1~deb12u1", "other"},
	{"libxml2", "amd64", "2.9.14+dfsg-1.3~deb12u1", "2.9.14+dfsg-1.3~deb12u2", "security"},
	{"linux-image-amd64", "amd64", "6.1.112-1", "6.1.115-1", "security"},
	{"nginx", "amd64", "1.22.1-9", "1.22.1-9+deb12u1", "security"},
	{"openssh-client", "amd64", "1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u4", "security"},
	{"openssh-server", "amd64", "1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u4", "security"},
	{"openssh-sftp-server", "amd64", "1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u4", "security"},
	{"openssl", "amd64", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", "security"},
	{"postgresql-15", "amd64", "15.8-0+deb12u1", "15.10-0+deb12u1", "security"},
	{"postgresql-client-15", "amd64", "15.8-0+deb12u1", "15.10-0+deb12u1", "security"},
	{"postgresql-common", "all", "248", "248+deb12u1", "other"},
	{"python3.11", "amd64", "3.11.2-6+deb12u4", "3.11.2-6+deb12u5", "security"},
	{"rsyslog", "amd64", "8.2302.0-1", "8.2302.0-1+deb12u1", "other"},
	{"sudo", "amd64", "1.9.13p3-1+deb12u1", "1.9.13p3-1+deb12u2", "security"},
	{"systemd", "amd64", "252.30-1~deb12u2", "252.31-1~deb12u1", "other"},
	{"tzdata", "all", "2024a-0+deb12u1", "2025b-0+deb12u1", "other"},
	{"udev", "amd64", "252.30-1~deb12u2", "252.31-1~deb12u1", "other"},
	{"vim-tiny", "amd64", "2:9.0.1378-2", "2:9.0.1378-2+deb12u1", "security"},
	{"zlib1g", "amd64", "1:1.2.13.dfsg-1", "1:1.2.13.dfsg-1+deb12u1", "other"},
}

// words make up synthetic package names.
var words = strings.Fields(`
	acl apr archive assuan attr audit blkid brotli bsd bz cap cbor crypt
	curl db dbus debconf drm edit elf event expat ffi fido fontconfig freetype
	gcrypt gdbm glib gmp gnutls gpg gpgme grpc gssapi harfbuzz hogweed icu idn
	jansson jbig jemalloc jpeg json kmod krb ldap lmdb lua lz lzma magic maxmind
	mnl mount mpfr ncurses netfilter nettle newt nghttp nl nspr nss numa onig
	pam pcap pcre pipeline png popt proc protobuf psl python readline rtmp
	sasl seccomp selinux semanage sepol slang smartcols snappy sodium sqlite
	ssh stdc tasn tcl textwrap tiff tinfo uchardet unistring usb uuid uv
	wrap xml xslt xxhash yaml zmq zstd`)

// newCatalog returns a catalogue with enough packages for hosts of installed
// packages each to differ: the known packages plus synthetic ones, about 25%
// more than installed in all.
func newCatalog(r *rand.Rand, installed int) *catalog {
	size := max(installed+installed/4, len(known))
	seen := make(map[string]bool, size)
	pkgs := make([]pkg, 0, size)
	for _, p := range known {
		seen[p.name] = true
		pkgs = append(pkgs, pkg{Name: p.name, Arch: p.arch, Old: p.old, New: p.new, Classification: p.class})
	}
	for len(pkgs) < size {
		name := syntheticName(r, seen, len(pkgs))
		seen[name] = true
		old, upd := syntheticVersions(r)
		arch := "amd64"
		if strings.HasSuffix(name, "-common") || strings.HasSuffix(name, "-data") || strings.HasPrefix(name, "python3-") {
			arch = "all"
		}
		class := "other"
		if r.IntN(10) < 3 {
			class = "security"
		}
		pkgs = append(pkgs, pkg{Name: name, Arch: arch, Old: old, New: upd, Classification: class})
	}
	for i := range pkgs {
		p := &pkgs[i]
		if p.Classification == "security" {
			p.CVEs = cves(r)
		}
		p.ReleasedAt = releaseEpoch.Add(-time.Duration(r.Int64N(int64(30*24*time.Hour/time.Second)))*time.Second - time.Second)
		p.RebootRequired = strings.HasPrefix(p.Name, "linux-image-")
	}
	slices.SortFunc(pkgs, func(a, b pkg) int { return strings.Compare(a.Name, b.Name) })

	c := &catalog{Pkgs: pkgs, Mandatory: make([]bool, len(pkgs))}
	for i, p := range pkgs {
		if slices.Contains(mandatory, p.Name) {
			c.Mandatory[i] = true
		}
		if p.Name == "nginx" {
			c.Nginx = p
		}
	}
	return c
}

// syntheticName returns a package name not in seen, shaped like Debian's:
// libzstd1, libxml-common, python3-yaml, sqlite-utils.
func syntheticName(r *rand.Rand, seen map[string]bool, n int) string {
	for range 20 {
		w := words[r.IntN(len(words))]
		var name string
		switch k := r.IntN(10); {
		case k < 6:
			name = fmt.Sprintf("lib%s%d", w, r.IntN(10))
		case k < 7:
			name = "lib" + w + "-common"
		case k < 8:
			name = "python3-" + w
		case k < 9:
			name = w + "-utils"
		default:
			name = w + "-data"
		}
		if !seen[name] {
			return name
		}
	}
	// A crowded catalogue: two words and a number of their own.
	for {
		name := fmt.Sprintf("lib%s%s%d", words[r.IntN(len(words))], words[r.IntN(len(words))], n)
		if !seen[name] {
			return name
		}
		n++
	}
}

// syntheticVersions returns an installed version and a newer one, shaped like
// Debian 12's: "1.2.3-4", "1.2.3-4+deb12u1", "2:1.8-2+b1", "0.9.7+dfsg-1".
func syntheticVersions(r *rand.Rand) (old, upd string) {
	upstream := fmt.Sprintf("%d.%d", r.IntN(10), r.IntN(30))
	if r.IntN(3) > 0 {
		upstream += fmt.Sprintf(".%d", r.IntN(20))
	}
	if r.IntN(10) == 0 {
		upstream += "+dfsg"
	}
	epoch := ""
	if r.IntN(20) == 0 {
		epoch = fmt.Sprintf("%d:", 1+r.IntN(2))
	}
	rev := 1 + r.IntN(12)
	var suffix string
	stable := 0 // the n of +deb12un, if any
	switch r.IntN(4) {
	case 0:
		stable = 1 + r.IntN(6)
		suffix = fmt.Sprintf("+deb12u%d", stable)
	case 1:
		suffix = fmt.Sprintf("+b%d", 1+r.IntN(3))
	}
	old = fmt.Sprintf("%s%s-%d%s", epoch, upstream, rev, suffix)
	switch {
	case r.IntN(5) == 0: // a new upstream release, backported
		upd = fmt.Sprintf("%s%s.1-1~deb12u1", epoch, upstream)
	default: // the next stable update (+b binNMUs sort before +deb12u)
		upd = fmt.Sprintf("%s%s-%d+deb12u%d", epoch, upstream, rev, stable+1+r.IntN(2))
	}
	return old, upd
}

// cves returns one or two CVE identifiers.
func cves(r *rand.Rand) []string {
	out := make([]string, 1+r.IntN(2))
	for i := range out {
		out[i] = fmt.Sprintf("CVE-%d-%d", 2025+r.IntN(2), 1000+r.IntN(59000))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
