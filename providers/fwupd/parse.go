package fwupd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// devicesDoc is what fwupdmgr get-devices --json and get-updates --json
// print.
type devicesDoc struct {
	Devices []deviceDoc `json:"Devices"`
}

// deviceDoc is one device as fwupd's FwupdDevice JSON codec writes it;
// only the keys tend reads.
type deviceDoc struct {
	Name             string       `json:"Name"`
	DeviceID         string       `json:"DeviceId"`
	Vendor           string       `json:"Vendor"`
	Version          string       `json:"Version"`
	VersionFormat    string       `json:"VersionFormat"`
	Flags            []string     `json:"Flags"`
	RequestFlags     []string     `json:"RequestFlags"`
	Problems         []string     `json:"Problems"`
	UpdateError      string       `json:"UpdateError"`
	UpdateState      int          `json:"UpdateState"`
	BatteryLevel     *int         `json:"BatteryLevel"`
	BatteryThreshold *int         `json:"BatteryThreshold"`
	Releases         []releaseDoc `json:"Releases"`
}

// releaseDoc is one release of a device (FwupdRelease's JSON).
type releaseDoc struct {
	Name     string   `json:"Name"`
	Summary  string   `json:"Summary"`
	Version  string   `json:"Version"`
	RemoteID string   `json:"RemoteId"`
	Urgency  string   `json:"Urgency"`
	Created  int64    `json:"Created"`
	Checksum []string `json:"Checksum"`
	Flags    []string `json:"Flags"`
	Issues   []string `json:"Issues"`
}

// errorDoc is what fwupdmgr --json prints when a command fails.
type errorDoc struct {
	Error *struct {
		Domain  string `json:"Domain"`
		Code    int    `json:"Code"`
		Message string `json:"Message"`
	} `json:"Error"`
}

// fwupd's FwupdUpdateState values (UpdateState).
const (
	updateStatePending     = 1
	updateStateSuccess     = 2
	updateStateNeedsReboot = 4
)

// parseDevices decodes a get-devices or get-updates document.
func parseDevices(b []byte) ([]deviceDoc, error) {
	var doc devicesDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("fwupdmgr --json: %w", err)
	}
	if doc.Devices == nil {
		return nil, fmt.Errorf(`fwupdmgr --json: the document has no "Devices" list`)
	}
	return doc.Devices, nil
}

// fwupdError is the message of a fwupdmgr --json error document, or "".
func fwupdError(b []byte) string {
	var doc errorDoc
	if json.Unmarshal(b, &doc) != nil || doc.Error == nil {
		return ""
	}
	return doc.Error.Message
}

func (d deviceDoc) has(flag string) bool { return slices.Contains(d.Flags, flag) }

// rebootPending reports whether an update of d waits for a reboot (or a
// shutdown) to take effect.
func (d deviceDoc) rebootPending() bool {
	if !d.has("needs-reboot") && !d.has("needs-shutdown") {
		return false
	}
	switch d.UpdateState {
	case updateStatePending, updateStateSuccess, updateStateNeedsReboot:
		return true
	}
	return false
}

// problemText explains fwupd's device problems (FwupdDeviceProblem).
var problemText = map[string]string{
	"system-power-too-low": "the system battery is too low",
	"power-too-low":        "the device's battery is too low",
	"require-ac-power":     "it needs AC power connected",
	"lid-is-closed":        "the laptop lid is closed",
	"unreachable":          "the device is unreachable",
	"update-pending":       "an update is already pending",
	"update-in-progress":   "an update is in progress",
	"missing-license":      "the device needs a license",
	"firmware-locked":      "the firmware is locked",
	"insecure-platform":    "the platform is not secure enough to update",
	"is-emulated":          "the device is emulated",
}

// notApplicable says why fwupd would need a person to update d, or "".
// Such an update is never planned nor attempted. With requireUsable, a
// device that cannot be used while it is written needs one too.
func (d deviceDoc) notApplicable(requireUsable bool) string {
	var why []string
	if !d.has("updatable") {
		why = append(why, "fwupd cannot update it while the system runs (not updatable)")
	}
	if requireUsable && !d.has("usable-during-update") {
		why = append(why, "it cannot be used while it updates (not usable-during-update; require_usable_during_update = true)")
	}
	if d.has("needs-activation") {
		why = append(why, "an earlier update waits to be activated (fwupdmgr activate)")
	}
	if d.rebootPending() {
		why = append(why, "an earlier update waits for a reboot")
	}
	for _, p := range d.Problems {
		if t, ok := problemText[p]; ok {
			why = append(why, t)
		} else {
			why = append(why, "fwupd reports the problem "+p)
		}
	}
	if d.BatteryLevel != nil && d.BatteryThreshold != nil && *d.BatteryLevel < *d.BatteryThreshold && !slices.Contains(d.Problems, "power-too-low") {
		why = append(why, fmt.Sprintf("the battery is at %d%%, below the %d%% the update needs", *d.BatteryLevel, *d.BatteryThreshold))
	}
	if slices.Contains(d.RequestFlags, "non-generic-request") {
		why = append(why, "the update asks a person to act on the device (replug it, press a button)")
	}
	if d.UpdateError != "" {
		why = append(why, "fwupd: "+d.UpdateError)
	}
	return strings.Join(why, "; ")
}

// displayName is the name plans and policies know a device by: its
// vendor and name ("ACME Corp. Integrated Webcam™"), the name alone when
// it already starts with the vendor or there is none.
func (d deviceDoc) displayName() string {
	name := strings.TrimSpace(d.Name)
	v := strings.TrimSpace(d.Vendor)
	if name == "" {
		name = d.DeviceID
	}
	if v == "" || strings.HasPrefix(strings.ToLower(name), strings.ToLower(v)) {
		return name
	}
	return v + " " + name
}

// names maps each device id to its display name, made unique on the host:
// devices that share one (two identical docks) get " #" and the first
// eight characters of their DeviceId appended.
func names(devs []deviceDoc) map[string]string {
	count := map[string]int{}
	for _, d := range devs {
		count[d.displayName()]++
	}
	out := make(map[string]string, len(devs))
	for _, d := range devs {
		n := d.displayName()
		if count[n] > 1 {
			n += " #" + d.DeviceID[:min(8, len(d.DeviceID))]
		}
		out[d.DeviceID] = n
	}
	return out
}

// textUrgencies reads the urgency of each release from the text of
// LC_ALL=C.UTF-8 fwupdmgr get-updates: fwupd before 2.0.21 leaves it out of the
// JSON. The key is DeviceId + " " + release version; values are lower
// case (high).
func textUrgencies(b []byte) map[string]string {
	out := map[string]string{}
	var dev, ver string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " │├└─?")
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "Device ID":
			dev, ver = val, ""
		case "New version":
			ver = val
		case "Urgency":
			if dev != "" && ver != "" {
				out[dev+" "+ver] = strings.ToLower(val)
			}
		}
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("fwupdmgr --json: %w", err)
	}
	return nil
}
