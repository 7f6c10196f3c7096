// Package sdk is what a tend provider author imports: plain Go types for the
// requests a provider answers (schema, scan, apply), the Runner through which
// it executes commands on the target host, and Serve, which hides go-plugin
// and gRPC. A provider never opens connections or holds credentials: tend
// runs every command it asks for, locally or over SSH.
package sdk
