// Package inventory reads inventory snapshots: the contract layout
// DIR/<host>/inventory.json that `tend scan` writes, the reports branch holds
// under hosts/, and `tend plan --inventory DIR` reads.
package inventory
