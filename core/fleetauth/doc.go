// Package fleetauth builds the NATS accounts and users of agent mode: one
// account per MSP client (a host's "client" label), in it one controller
// user that may do everything tend needs and one least-privilege user per
// agent host. The permissions are built in one place (Agent, Controller)
// and used by both ways of running NATS:
//
//   - static mode (Configure, StaticConfig): the accounts and nkey users go
//     into the server's own configuration, from the configuration's hosts
//     and a directory of enrolled public keys (LoadEnrolled);
//   - operator mode (Operator, Account): an operator signs one account JWT
//     per client and a user JWT per agent, for a resolver or nsc.
//
// An agent's seed never leaves its host: enrolment hands the controller
// side only the public key, which is what both modes sign.
package fleetauth
