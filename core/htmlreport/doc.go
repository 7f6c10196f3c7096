// Package htmlreport renders the compliance report as a self-contained
// static site: index.html (the fleet), clients/<client>.html (what an MSP
// hands a client) and hosts/<host>.html, each page one HTML file with its
// stylesheet inline, no script and nothing fetched from elsewhere, so the
// site opens from disk, from a Git host's Pages, or prints to PDF.
//
// Charts are inline SVG drawn by a template: a compliance trend is one
// polyline over a fixed grid, which needs no charting library, and a
// template keeps the markup accessible (a title, a description and the
// same figures in a table) and free of the script and fonts chart
// libraries bring.
//
// Every key figure carries a data-metric attribute (and its row a
// data-client, data-patch, data-kb or data-cve), so tests read the
// numbers a browser shows. Write keeps a manifest of the pages beside them
// (ManifestFile) and removes the listed pages a later site no longer has.
package htmlreport
