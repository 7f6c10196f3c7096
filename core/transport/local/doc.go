// Package local runs provider commands on the machine tend itself runs on.
package local
