package sdk

import (
	"strings"
	"testing"
)

func TestCheckConfig(t *testing.T) {
	sc := &SchemaResponse{Name: "apt", Attributes: []Attribute{
		{Name: "root", Type: TypeString},
		{Name: "refresh", Type: TypeBool},
		{Name: "mirrors", Type: TypeStringList},
		{Name: "retries", Type: TypeNumber, Required: true},
	}}
	if err := CheckConfig(sc, map[string]any{"root": "/srv", "refresh": true, "mirrors": []any{"a"}, "retries": 3.0}); err != nil {
		t.Errorf("valid config: %v", err)
	}
	err := CheckConfig(sc, map[string]any{"rot": "/", "refresh": "yes", "mirrors": []any{1}})
	for _, want := range []string{`no attribute "rot"`, `"refresh" must be of type bool`, `"mirrors" must be of type list(string)`, `"retries" is required`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v; want it to contain %s", err, want)
		}
	}
}
