package protoconv

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/version"
	"google.golang.org/protobuf/proto"
)

// fill sets every field of *ptr, recursively, to a value that is not zero
// and differs from field to field, so that a round trip which drops a
// field (one added to the Go struct and not to the conversion) shows up in
// the comparison. It fails on a kind it does not know how to fill, rather
// than leave a field zero.
func fill[T any](t *testing.T) T {
	t.Helper()
	var v T
	n := 0
	fillValue(t, reflect.ValueOf(&v).Elem(), &n)
	return v
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	timeType     = reflect.TypeFor[time.Time]()
	schemeType   = reflect.TypeFor[version.Scheme]()
)

func fillValue(t *testing.T, v reflect.Value, n *int) {
	t.Helper()
	*n++
	switch {
	case v.Type() == timeType:
		// Whole seconds in UTC: what RFC 3339 on the wire keeps.
		v.Set(reflect.ValueOf(time.Date(2026, 11, 20, 0, 0, *n, 0, time.UTC)))
		return
	case v.Type() == schemeType:
		// Only names tend knows survive decoding.
		v.SetString(string(version.Dotted))
		return
	case v.Type() == durationType:
		// Whole milliseconds: what the wire keeps.
		v.SetInt(int64(time.Duration(*n) * time.Millisecond))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s-%d", v.Type().Name(), *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes(fmt.Appendf(nil, "bytes-%d", *n))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range s.Len() {
			fillValue(t, s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillValue(t, k, n)
			fillValue(t, e, n)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillValue(t, p.Elem(), n)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				t.Fatalf("fill: %s has an unexported field %s", v.Type(), v.Type().Field(i).Name)
			}
			fillValue(t, v.Field(i), n)
		}
	default:
		t.Fatalf("fill: cannot fill a %s (%s); teach fillValue", v.Kind(), v.Type())
	}
}

func TestFillSetsEveryField(t *testing.T) {
	type inner struct {
		S string
		D time.Duration
	}
	type all struct {
		S  string
		B  bool
		I  int
		T  time.Time
		L  []inner
		M  map[string][]string
		P  *inner
		By []byte
	}
	got := fill[all](t)
	v := reflect.ValueOf(got)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("fill left %s zero", v.Type().Field(i).Name)
		}
	}
	if got.L[0] == got.L[1] {
		t.Errorf("fill made two equal elements: %+v", got.L)
	}
}

// wire sends m through its encoding, as the plugin connection does.
func wire[M proto.Message](t *testing.T, m M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := m.ProtoReflect().New().Interface().(M)
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// same fails the test when a round trip changed v.
func same[T any](t *testing.T, what string, want, got T) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s round trip (-want +got):\n%s", what, d)
	}
}
