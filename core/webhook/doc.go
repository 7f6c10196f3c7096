// Package webhook is the HTTP handler of the `tend serve` daemon that
// receives push webhooks, authenticates them and triggers a fetch of the
// pushed commit (DESIGN.md section 4).
//
// # Authentication
//
// Every request must authenticate with the configured secret; nothing is
// ever accepted unauthenticated, and an empty secret rejects every request.
// The header present picks the scheme:
//
//   - GitHub: X-Hub-Signature-256 is "sha256=" and the hex HMAC-SHA256 of
//     the raw body, keyed with the secret.
//   - GitLab: X-Gitlab-Token is the secret itself.
//   - Generic: X-Tend-Signature is computed like GitHub's; see Sign. The
//     payload is {"ref": "refs/heads/main", "after": "<sha>"}, both optional.
//
// Comparisons are constant-time, and neither the secret nor a provided
// signature or token is ever logged.
//
// # Responses
//
// Authenticated pushes to the configured branch are answered 202 Accepted
// and passed to Handler.Trigger. Other events and refs, and branch
// deletions, are acknowledged (200 for GitHub's ping, 202 otherwise) and
// ignored. Failed authentication is 401, a payload that is not a push
// payload 400, a body over Handler.MaxBody 413, and any method but POST
// 405. Each request reports one Result label to Handler.Observe, for
// metrics.
//
// # Limits
//
// Nothing is read before the headers are checked, and an unauthenticated
// sender can make the handler hold at most MaxConcurrent bodies of at most
// MaxBody bytes: a Content-Length over the limit is answered 413 without
// reading the body, a longer chunked body as soon as the limit is passed,
// and a request while MaxConcurrent others are reading theirs 503 with
// Retry-After. Time limits are the server's (see core/daemon).
//
// # Duplicates
//
// A push accepted once is acknowledged 200 "duplicate delivery" and not
// triggered again when it comes back with the same delivery id
// (X-GitHub-Delivery, X-Gitlab-Event-UUID, or X-Request-Id for generic
// senders) or, for a push naming a commit, with the same body under
// another id (a captured delivery replayed). The last 1024 accepted
// deliveries are remembered, in memory. Only authenticated requests are
// recorded, so a forged request cannot block the real one.
package webhook
