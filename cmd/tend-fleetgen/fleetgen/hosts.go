package fleetgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// clients are the MSP's customers, one label value each.
var clients = strings.Fields(`
	acme aperture blackmesa cyberdyne dunder globex hooli initech massive
	oscorp piedpiper soylent stark tyrell umbrella vandelay wayne weyland
	wonka zorg`)

var roles = []string{"app", "db", "web"}

// host is one entry of the host list file.
type host struct {
	Name      string            `json:"name"`
	Address   string            `json:"address"`
	Transport string            `json:"transport"`
	Labels    map[string]string `json:"labels"`
}

// newHosts returns n hosts sorted by name. About 70% are in env "prod", the
// rest in "staging".
func newHosts(r *rand.Rand, n int) []host {
	width := max(5, len(fmt.Sprint(n)))
	hosts := make([]host, n)
	for i := range hosts {
		client := clients[r.IntN(len(clients))]
		env := "prod"
		if r.IntN(10) >= 7 {
			env = "staging"
		}
		role := roles[r.IntN(len(roles))]
		hosts[i] = host{
			Name:      fmt.Sprintf("%s_%s_%0*d", client, role, width, i+1),
			Address:   address(i),
			Transport: "ssh",
			Labels:    map[string]string{"client": client, "env": env, "role": role},
		}
	}
	slices.SortFunc(hosts, func(a, b host) int { return strings.Compare(a.Name, b.Name) })
	return hosts
}

// address returns the i-th address of 10.0.0.0/8, skipping .0 and .255.
func address(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", i/(254*256)%256, i/254%256, i%254+1)
}

// hostsJSON renders the host list file: a JSON array, one host per line.
func hostsJSON(hosts []host) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, h := range hosts {
		line, err := json.Marshal(h)
		if err != nil {
			return nil, err
		}
		b.WriteString("  ")
		b.Write(line)
		if i < len(hosts)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}
