// Package notify tells people about what needs them: tend serve turns each
// finished reconcile into events (a rejected configuration, a failed apply,
// a halted rollout, …; see Kinds), and the Notifier routes them to the
// configuration's notify sinks.
//
// Routing: a sink gets an event when its kind is in only_on (or only_on is
// empty), its severity is at least the sink's, its hosts' labels match the
// sink's match (fleet-wide events go only to sinks without a match), and
// its threshold (reboot_pending_after, expiring_within) is reached.
//
// De-duplication: a condition that stays as it was is sent once per sink;
// it is sent again when it changes (its fingerprint) or after it cleared
// and came back. What was sent is kept in the state dir (state.json).
//
// Delivery never blocks a reconcile and never loses an event: each message
// is written to the outbox (a directory of JSON files, written atomically)
// before Publish returns; a worker sends them, retries failures with
// exponential backoff, and removes a message only once it was delivered or
// has expired (Options.Expire). A digest sink's events wait in its digest
// file until the digest is due, then go out as one message. A rate-limited
// sink's messages wait in the outbox until the hour has room. Messages
// hold no secret: URLs and passwords are read from their files or the
// environment when a message is sent.
package notify
