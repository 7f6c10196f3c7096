package model

import (
	"encoding/json"
	"testing"
)

func TestActionCountsOrder(t *testing.T) {
	c := ActionCounts{"reboot": 1, "upgrade": 2, "install": 0, "hold": 0, "remove": 0, "downgrade": 3, "unhold": 4}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"install":0,"upgrade":2,"downgrade":3,"remove":0,"hold":0,"reboot":1,"unhold":4}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var back ActionCounts
	if err := json.Unmarshal(b, &back); err != nil || back["unhold"] != 4 {
		t.Errorf("round trip: %v %v", back, err)
	}
}
