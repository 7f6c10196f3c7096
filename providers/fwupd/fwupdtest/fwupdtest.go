// Package fwupdtest runs a real fwupd for tests: a private system D-Bus
// and the fwupd daemon from the Debian package, with their configuration,
// state and cache in a directory of the test's, the test plugin's fake
// webcam (TestDevices=true) and a directory remote holding a firmware
// cabinet built with fwupdtool build-cabinet. Nothing outside that
// directory is read or written: FWUPD_SYSCONFDIR, FWUPD_LOCALSTATEDIR,
// FWUPD_RUNDIR and FWUPD_LOCKDIR point into it, and DBUS_SYSTEM_BUS_ADDRESS
// at the private bus. It needs root (fwupd runs as root) and the fwupd and
// dbus packages.
package fwupdtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The fake webcam of fwupd's test plugin, as fwupd 2.0 shows it.
const (
	WebcamID      = "08d460be0f1f9f128413f816022a6439e0078018"
	WebcamGUID    = "b585990a-003e-5270-89d5-3705a17f9a43"
	WebcamVersion = "1.2.2"
	// WebcamName is the name tend's fwupd provider gives it (vendor and
	// device name).
	WebcamName = "ACME Corp. Integrated Webcam™"
)

// Daemon is where the Debian package installs the fwupd daemon.
const Daemon = "/usr/libexec/fwupd/fwupd"

// Release is one firmware release for the webcam in the directory
// remote. Version must be a triplet (the test plugin sets the version
// the payload names); Urgency is the LVFS urgency (low, medium, high,
// critical) or empty.
type Release struct {
	Version string
	Urgency string
	Created time.Time
}

// Options choose the lab.
type Options struct {
	// Releases are built into cabinets in the directory remote.
	Releases []Release
	// NeedsReboot makes the test plugin finish updates only at the next
	// "reboot": the device is flagged needs-reboot and keeps its version.
	NeedsReboot bool
	// Flags are device flags the webcam gets through a quirk file, as
	// fwupd's plugins give them to real devices: needs-reboot makes it
	// look like a UEFI capsule update, usable-during-update like a device
	// that keeps working while it is written.
	Flags []string
}

// Lab is a running fwupd.
type Lab struct {
	// Dir holds the lab's files; Firmware the directory remote.
	Dir, Firmware string
	// Env are the variables a fwupdmgr of the test must run with to talk
	// to this fwupd (on top of the test's environment).
	Env []string
	bus *exec.Cmd
	fw  *exec.Cmd
}

// Available says why a real fwupd cannot run here, or nil.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("fwupd runs as root: these tests need root")
	}
	for _, p := range []string{"fwupdmgr", "fwupdtool", "dbus-daemon"} {
		if _, err := exec.LookPath(p); err != nil {
			return fmt.Errorf("%s not found (install the fwupd and dbus packages: make deps): %w", p, err)
		}
	}
	if _, err := os.Stat(Daemon); err != nil {
		return fmt.Errorf("the fwupd daemon: %w", err)
	}
	return nil
}

// Start builds the lab in dir and starts the bus and fwupd; Stop stops
// them. Start waits until fwupd lists the webcam and, with releases,
// their metadata is loaded.
func Start(dir string, o Options) (l *Lab, err error) {
	l = &Lab{Dir: dir, Firmware: filepath.Join(dir, "firmware")}
	for _, d := range []string{"etc/fwupd/remotes.d", "var", "run", "lock", "firmware", "cab"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	sock := filepath.Join(dir, "bus.sock")
	conf := fmt.Sprintf("[fwupd]\nTestDevices=true\n# the test cabinets are unsigned: for this test only\nOnlyTrusted=false\nIdleTimeout=0\n%s",
		map[bool]string{true: "\n[test]\nNeedsReboot=true\n"}[o.NeedsReboot])
	remote := "[fwupd Remote]\nEnabled=true\nTitle=tend test firmware\nKind=directory\nKeyring=none\nApprovalRequired=false\nMetadataURI=file://" + l.Firmware + "\n"
	files := map[string]string{
		"bus.conf":                           busConfig(sock),
		"etc/fwupd/fwupd.conf":               conf,
		"etc/fwupd/remotes.d/tend-test.conf": remote,
	}
	if len(o.Flags) > 0 {
		if err := os.MkdirAll(filepath.Join(dir, "var/lib/fwupd/quirks.d"), 0o755); err != nil {
			return nil, err
		}
		files["var/lib/fwupd/quirks.d/tend-test.quirk"] = "[" + WebcamGUID + "]\nFlags = " + strings.Join(o.Flags, ",") + "\n"
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			return nil, err
		}
	}
	l.Env = []string{
		"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + sock,
		"FWUPD_SYSCONFDIR=" + filepath.Join(dir, "etc"),
		"FWUPD_LOCALSTATEDIR=" + filepath.Join(dir, "var"),
		"FWUPD_RUNDIR=" + filepath.Join(dir, "run"),
		"FWUPD_LOCKDIR=" + filepath.Join(dir, "lock"),
	}
	for _, r := range o.Releases {
		if err := buildCabinet(dir, l.Firmware, l.Env, r); err != nil {
			return nil, err
		}
	}
	defer func() {
		if err != nil {
			l.Stop()
			l = nil
		}
	}()
	l.bus = exec.Command("dbus-daemon", "--nofork", "--nopidfile", "--config-file="+filepath.Join(dir, "bus.conf"))
	if l.bus.Stdout, err = os.Create(filepath.Join(dir, "dbus.log")); err != nil {
		return l, err
	}
	l.bus.Stderr = l.bus.Stdout
	if err := l.bus.Start(); err != nil {
		return l, fmt.Errorf("dbus-daemon: %w", err)
	}
	if err := poll(func() bool { _, err := os.Stat(sock); return err == nil }); err != nil {
		return l, fmt.Errorf("the private D-Bus did not make %s: %w", sock, err)
	}
	l.fw = exec.Command(Daemon, "--verbose")
	l.fw.Env = append(os.Environ(), l.Env...)
	if l.fw.Stdout, err = os.Create(filepath.Join(dir, "fwupd.log")); err != nil {
		return l, err
	}
	l.fw.Stderr = l.fw.Stdout
	if err := l.fw.Start(); err != nil {
		return l, fmt.Errorf("fwupd: %w", err)
	}
	err = poll(func() bool {
		out, err := l.Fwupdmgr("get-devices", "--json")
		return err == nil && strings.Contains(string(out), WebcamID)
	})
	if err != nil {
		return l, fmt.Errorf("fwupd did not list the test webcam (see %s): %w", filepath.Join(dir, "fwupd.log"), err)
	}
	if len(o.Releases) > 0 {
		if out, err := l.Fwupdmgr("refresh", "--force"); err != nil {
			return l, fmt.Errorf("fwupdmgr refresh: %w: %s", err, out)
		}
	}
	return l, nil
}

// Fwupdmgr runs fwupdmgr against the lab's fwupd and returns its stdout.
func (l *Lab) Fwupdmgr(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "fwupdmgr", append(args, "--no-unreported-check", "--no-metadata-check", "--no-remote-check")...)
	c.Env = append(os.Environ(), l.Env...)
	return c.Output()
}

// Stop stops fwupd and the bus and waits for them. The lab's directory
// stays (the test's temporary directory goes with the test).
func (l *Lab) Stop() {
	for _, c := range []*exec.Cmd{l.fw, l.bus} {
		if c == nil || c.Process == nil {
			continue
		}
		_ = c.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			_ = c.Process.Kill()
			<-done
		}
	}
	l.fw, l.bus = nil, nil
}

// poll waits for ok, for up to two minutes (fwupd loads its plugins and
// quirks first; on a loaded machine that takes a while).
func poll(ok func() bool) error {
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok() {
			return nil
		}
	}
	return errors.New("timed out")
}

// busConfig is a system bus on sock that lets root do anything: the only
// clients are the test's fwupd and fwupdmgr.
func busConfig(sock string) string {
	return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=` + sock + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`
}

// buildCabinet writes firmware-VERSION.cab into out: a payload the test
// plugin reads its new version from (the version as a 0x number, triplet
// encoded) and a metainfo for the webcam's GUID and protocol.
func buildCabinet(dir, out string, env []string, r Release) error {
	var a, b, c uint32
	if _, err := fmt.Sscanf(r.Version, "%d.%d.%d", &a, &b, &c); err != nil {
		return fmt.Errorf("release %q is not a triplet: %w", r.Version, err)
	}
	work := filepath.Join(dir, "cab", r.Version)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	payload := fmt.Sprintf("0x%x", a<<24|b<<16|c)
	attrs := fmt.Sprintf(`version="%s"`, r.Version)
	if r.Urgency != "" {
		attrs += fmt.Sprintf(` urgency="%s"`, r.Urgency)
	}
	if !r.Created.IsZero() {
		attrs += fmt.Sprintf(` timestamp="%d"`, r.Created.Unix())
	}
	meta := `<?xml version="1.0" encoding="UTF-8"?>
<component type="firmware">
  <id>com.acme.test.webcam.firmware</id>
  <name>Integrated Webcam</name>
  <summary>Firmware for the fake webcam</summary>
  <provides>
    <firmware type="flashed">` + WebcamGUID + `</firmware>
  </provides>
  <metadata_license>CC0-1.0</metadata_license>
  <project_license>proprietary</project_license>
  <developer_name>ACME Corp.</developer_name>
  <releases>
    <release ` + attrs + `>
      <description><p>Firmware ` + r.Version + ` for the test webcam.</p></description>
    </release>
  </releases>
  <custom>
    <value key="LVFS::VersionFormat">triplet</value>
    <value key="LVFS::UpdateProtocol">com.acme.test</value>
  </custom>
</component>
`
	fw, mi := filepath.Join(work, "firmware.bin"), filepath.Join(work, "firmware.metainfo.xml")
	if err := os.WriteFile(fw, []byte(payload), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(mi, []byte(meta), 0o644); err != nil {
		return err
	}
	cab := filepath.Join(out, "webcam-"+r.Version+".cab")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "fwupdtool", "build-cabinet", cab, fw, mi)
	build.Env = append(os.Environ(), env...)
	if b, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("fwupdtool build-cabinet: %w: %s", err, b)
	}
	if _, err := os.Stat(cab); err != nil {
		return fmt.Errorf("fwupdtool build-cabinet made no %s: %w", cab, err)
	}
	return nil
}
