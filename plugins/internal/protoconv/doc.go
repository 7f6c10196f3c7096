// Package protoconv converts between the provider protocol's generated
// messages (plugins/proto/providerv1) and their Go form, in both
// directions: the inventory, actions and results of core/model, and the
// schema, exec, progress and validation messages whose Go types it holds
// here, so that plugins/sdk (which re-exports them) and plugins/loader
// share them without importing each other. Each file holds one message
// family.
package protoconv
