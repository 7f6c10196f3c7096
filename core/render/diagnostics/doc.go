// Package diagnostics renders configuration diagnostics the one way tend
// shows them: file:line:col: severity: summary, then the offending source
// line with a caret under the subject (every command), or that first line
// alone (the daemon's status.json).
package diagnostics
