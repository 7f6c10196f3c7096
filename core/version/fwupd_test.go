package version

import "testing"

// TestCompareFwupd: the cases of fwupd's own self test (fu_version_compare
// in libfwupdplugin/fu-self-test.c at tag 2.0.20), then versions as real
// devices show them.
func TestCompareFwupd(t *testing.T) {
	runCompare(t, Fwupd, []compareCase{
		// fu-self-test.c, fu_version_compare
		{"1.2.3", "1.2.3", 0},
		{"001.002.003", "001.002.003", 0},
		{"0x00000002", "0x2", 0}, // FWUPD_VERSION_FORMAT_HEX
		{"1.2.3", "1.2.4", -1},
		{"001.002.000", "001.002.009", -1},
		{"1.2.3", "1.2.2", 1},
		{"001.002.009", "001.002.000", 1},
		{"1.2.3", "1.2.3.1", -1},
		{"1.2.3.1", "1.2.4", -1},
		{"1.2.3a", "1.2.3a", 0},
		{"1.2.3a", "1.2.3b", -1},
		{"1.2.3b", "1.2.3a", 1},
		{"1.2.3", "1.2.3a", -1},
		{"1.2.3a", "1.2.3", 1},
		{"alpha", "alpha", 0},
		{"alpha", "beta", -1},
		{"beta", "alpha", 1},
		{"1.2a.3", "1.2a.3", 0},
		{"1.2a.3", "1.2b.3", -1},
		{"1.2b.3", "1.2a.3", 1},
		{"1.2.3~rc1", "1.2.3~rc1", 0},
		{"1.2.3~rc1", "1.2.3", -1},
		{"1.2.3", "1.2.3~rc1", 1},
		{"1.2.3~rc2", "1.2.3~rc1", 1},
		// The fwupd test plugin's webcam, and real devices.
		{"1.2.2", "1.2.4", -1},
		{"1.2.10", "1.2.9", 1},
		{"0x0a201016", "0x0a201025", -1}, // AMD CPU microcode (hex)
		{"0x9", "0x10", -1},
		{"0x10", "0x0000000f", 1},
		{"184.77.3", "184.77.3", 0},                       // Dell system firmware (triplet)
		{"1.0", "1.0.0", -1},                              // fwupd counts sections: 1.0 < 1.0.0
		{"", "1", -1},                                     // no sections sorts first
		{"2.0-1", "2.0-10", -1},                           // the rest compared as text: "-1" < "-10"
		{"9223372036854775808", "9223372036854775807", 0}, // g_ascii_strtoll saturates
	})
}
