// Package model holds the data tend reasons about: host inventories (what is
// installed and what could be installed), plans (what tend will do, defer
// or skip, and why), the actions providers are asked to apply with their
// results and statuses, and compliance reports. The JSON forms of Snapshot
// and Plan are public contracts (DESIGN.md sections 3 and 4), as are Report
// and FleetSummary (section 6): change them only deliberately.
package model
