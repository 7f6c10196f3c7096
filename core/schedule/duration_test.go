package schedule

import (
	"math"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "90s", want: 90 * time.Second},
		{in: "6h", want: 6 * time.Hour},
		{in: "3d", want: 72 * time.Hour},
		{in: "1w", want: 168 * time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "2d12h", want: 60 * time.Hour},
		{in: "1w2d3h4m5s", want: 9*24*time.Hour + 3*time.Hour + 4*time.Minute + 5*time.Second},
		{in: "-1d", want: -24 * time.Hour},
		{in: "+2h", want: 2 * time.Hour},
		{in: "0", want: 0},
		{in: "-0", want: 0},
		{in: "0s", want: 0},
		{in: "1.5h", want: 90 * time.Minute},
		{in: ".5d", want: 12 * time.Hour},
		{in: "1.h", want: time.Hour},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "3us", want: 3 * time.Microsecond},
		{in: "3µs", want: 3 * time.Microsecond},
		{in: "3μs", want: 3 * time.Microsecond},
		{in: "7ns", want: 7},
		{in: "9223372036854775807ns", want: math.MaxInt64},
		{in: "-9223372036854775808ns", want: math.MinInt64},

		{in: "", wantErr: `empty duration; write a number and a unit, e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "6", wantErr: `invalid duration "6": missing unit after "6"; write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "1h30", wantErr: `invalid duration "1h30": missing unit after "30"; write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "6x", wantErr: `invalid duration "6x": unknown unit "x" (units are ns, us, ms, s, m, h, d and w); write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "1D", wantErr: `invalid duration "1D": unknown unit "D" (units are ns, us, ms, s, m, h, d and w); write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "h", wantErr: `invalid duration "h": expected a number at "h"; write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "1d-1h", wantErr: `invalid duration "1d-1h": expected a number at "-1h"; write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: ".", wantErr: `invalid duration ".": expected a number at "."; write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "-", wantErr: `invalid duration "-": sign without a number; write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "1h 30m", wantErr: `invalid duration "1h 30m": spaces are not allowed; write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: " 6h", wantErr: `invalid duration " 6h": spaces are not allowed; write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "9223372036854775808ns", wantErr: `invalid duration "9223372036854775808ns": too long (the limit is about 292 years); write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "1000000w", wantErr: `invalid duration "1000000w": too long (the limit is about 292 years); write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "99999999999999999999s", wantErr: `invalid duration "99999999999999999999s": too long (the limit is about 292 years); write e.g. "90s", "6h", "3d" or "1h30m"`},
		{in: "10000w10000w", wantErr: `invalid duration "10000w10000w": too long (the limit is about 292 years); write e.g. "90s", "6h", "3d" or "1h30m"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseDuration(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestParseDurationAgreesWithGo checks that plain Go durations mean the same.
func TestParseDurationAgreesWithGo(t *testing.T) {
	for _, s := range []string{"1h2m3.5s", "-1.25h", "100ms", "0.000001s", "2562047h"} {
		want, err := time.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseDuration(s); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}
