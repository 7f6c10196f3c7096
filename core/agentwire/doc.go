// Package agentwire holds what tend serve (the controller) and tend agent
// exchange over NATS: the subjects, the JetStream stream names and the JSON
// messages. It does no I/O; the controller side lives in core/fleet and the
// agent side in core/agent.
//
// Every MSP client is its own NATS account, so subjects carry no client
// token: an agent's connection sees only its client's subjects. Within an
// account:
//
//	tend.desired.<group>   desired state of one host group (stream TEND_DESIRED,
//	                       last message per subject kept; read with a direct get)
//	tend.cmd.<host>        jobs the controller sends one agent (core NATS)
//	tend.results.<host>    what an agent did with a job (stream TEND_RESULTS)
//	tend.scans.<host>      an agent's inventory snapshots (stream TEND_SCANS)
//	tend.hello.<host>      an agent announcing itself and its revision (core NATS)
//
// Host and group names are tend names (letters, digits, '_' and '-'), which
// are valid NATS subject tokens as they are.
package agentwire
