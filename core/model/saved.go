package model

import "time"

// SavedPlanFormatVersion is the format_version of files written by
// `tend plan -out`.
const SavedPlanFormatVersion = "1"

// SavedPlan is what `tend plan -out FILE` writes and `tend show`/`tend apply`
// read: the plan plus what is needed to tell whether it went stale.
type SavedPlan struct {
	FormatVersion string    `json:"format_version"`
	TendVersion   string    `json:"tend_version"`
	CreatedAt     time.Time `json:"created_at"`
	// ConfigDigest is "sha256:<hex>" over every config file's path and bytes.
	ConfigDigest string    `json:"config_digest"`
	Plan         *Plan     `json:"plan"`
	Warnings     []Warning `json:"warnings"`
}

// Warning is a non-fatal problem found while planning (an expired
// exclusion, a host without inventory). Where is "file:line:col" when the
// warning points into the config, else empty.
type Warning struct {
	Where   string `json:"where,omitempty"`
	Message string `json:"message"`
}
