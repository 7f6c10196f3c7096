// Package feeds reads the vulnerability feeds tend matches inventories
// against — the Debian Security Tracker JSON, OSV records, CISA's Known
// Exploited Vulnerabilities catalog and FIRST's EPSS scores — one parser a
// file, and keeps fetched copies in a cache: conditional requests
// (ETag, Last-Modified), the last good copy kept when a fetch fails or a
// download does not parse, and each feed's own date recorded.
package feeds
