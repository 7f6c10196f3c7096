package schedule

import "testing"

func TestParseClock(t *testing.T) {
	tests := []struct {
		in      string
		want    Clock
		wantErr string
	}{
		{in: "22:00", want: Clock{22, 0}},
		{in: "7:30", want: Clock{7, 30}},
		{in: "07:30", want: Clock{7, 30}},
		{in: "0:00", want: Clock{0, 0}},
		{in: "23:59", want: Clock{23, 59}},

		{in: "24:00", wantErr: `invalid time of day "24:00": hour 24 out of range 0-23`},
		{in: "12:60", wantErr: `invalid time of day "12:60": minute 60 out of range 0-59`},
		{in: "", wantErr: `invalid time of day "": write HH:MM on a 24-hour clock, e.g. "22:00" or "7:30"`},
		{in: "2200", wantErr: `invalid time of day "2200": write HH:MM on a 24-hour clock, e.g. "22:00" or "7:30"`},
		{in: "12:5", wantErr: `invalid time of day "12:5": write HH:MM on a 24-hour clock, e.g. "22:00" or "7:30"`},
		{in: "123:00", wantErr: `invalid time of day "123:00": write HH:MM on a 24-hour clock, e.g. "22:00" or "7:30"`},
		{in: "-1:00", wantErr: `invalid time of day "-1:00": write HH:MM on a 24-hour clock, e.g. "22:00" or "7:30"`},
		{in: "10pm", wantErr: `invalid time of day "10pm": write HH:MM on a 24-hour clock, e.g. "22:00" or "7:30"`},
		{in: "22:00:00", wantErr: `invalid time of day "22:00:00": write HH:MM on a 24-hour clock, e.g. "22:00" or "7:30"`},
		{in: " 7:30", wantErr: `invalid time of day " 7:30": write HH:MM on a 24-hour clock, e.g. "22:00" or "7:30"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseClock(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseClock(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseClock(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestClockString(t *testing.T) {
	if got := (Clock{7, 5}).String(); got != "07:05" {
		t.Errorf("String() = %q, want 07:05", got)
	}
}
