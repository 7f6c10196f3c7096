// Package model holds the data tend reasons about: host inventories (what is
// installed and what could be installed) and plans (what tend will do, defer
// or skip, and why). The JSON forms of Snapshot and Plan are public contracts
// (DESIGN.md sections 3 and 4): change them only deliberately.
package model
