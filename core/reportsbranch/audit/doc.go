// Package audit answers "who patched what, when, and why" from the reports
// branch's history: it walks the branch's commits (Git objects only, no
// checkout), reads the results.json each commit records for the first
// time, and describes every action of those applies with the host, its
// client, the policy and the configuration commit (author and subject
// from the configuration's repository). A commit whose results.json is the
// parent's (the same blob) recorded no apply and costs one tree read.
// Commits made before tend wrote results.json are read from the last_apply
// of the host reports they changed, without the action's type and policy.
package audit
