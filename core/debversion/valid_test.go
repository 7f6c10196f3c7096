package debversion

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for _, s := range []string{
		"0", "1.0", "1.0-1", "0:1.0", "1:0.9", "2147483647:1",
		"1.0~rc1", "3.0.11-1~deb12u1", "7.88.1-10+deb12u8", "2.30-1+b1",
		"1:9.2p1-2+deb12u3", "3.0pl1-162", "1.0-1-1", "1:2:3", "1:2:3-4",
		"20230311+deb12u1", "0.0~git20230101.abcdef-1", "1.4.0+ds1-1",
		"6.1.0-27-amd64", "1.0-1~bpo12+1", "9a", "1.0+.~-a",
	} {
		if err := Valid(s); err != nil {
			t.Errorf("Valid(%q) = %v, want nil", s, err)
		}
	}
}

// validErrorCases are invalid versions and the problem Valid reports, in
// dpkg's words. TestValidDpkg checks them against dpkg too.
var validErrorCases = []struct{ in, want string }{
	{"", "version string is empty"},
	{" 1.0", "version string has blanks around it; write it without them"},
	{"1.0 ", "version string has blanks around it; write it without them"},
	{"1.0 2", "version string has embedded spaces"},
	{"1.0\t", "version string has blanks around it; write it without them"},
	{":1.0", "epoch in version is empty"},
	{"a:1.0", "epoch in version is empty"},
	{"1a:1.0", "epoch in version is not number"},
	{"+1:1.0", "epoch in version is not number"},
	{"-1:1.0", "epoch in version is not number"},
	{"1.0:2", "epoch in version is not number"},
	{"1-2:3", "epoch in version is not number"},
	{"2147483648:1", "epoch in version is too big"},
	{"99999999999999999999:1", "epoch in version is too big"},
	{"1:", "nothing after colon in version number"},
	{"1.0-", "revision number is empty"},
	{"-1", "version number is empty"},
	{"1:-1", "version number is empty"},
	{"a1.0", "version number does not start with digit"},
	{"~1", "version number does not start with digit"},
	{"1:a1.0-1", "version number does not start with digit"},
	{"1.0_1", "invalid character in version number"},
	{"1.0/2-1", "invalid character in version number"},
	{"1.0\xff", "invalid character in version number"},
	{"1:1.0-1:2", "invalid character in revision number"},
	{"1.0-1_2", "invalid character in revision number"},
	{"1.0-1\n", "invalid character in revision number"},
	{"1.0\r", "invalid character in version number"},
}

func TestValidErrors(t *testing.T) {
	for _, tc := range validErrorCases {
		err := Valid(tc.in)
		if err == nil {
			t.Errorf("Valid(%q) = nil, want %q", tc.in, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Valid(%q) = %q, want it to contain %q", tc.in, err, tc.want)
		}
	}
}
