package windowsupdate

// classifications maps the WUA update classifications (the category names
// of type UpdateClassification, in English: the scan asks for locale 1033)
// to tend's classification names, as the script contract's table does.
var classifications = map[string]string{
	"Critical Updates":   "critical",
	"Security Updates":   "security",
	"Definition Updates": "definition",
	"Update Rollups":     "updaterollup",
	"Service Packs":      "servicepack",
	"Feature Packs":      "featurepack",
	"Tools":              "tool",
	"Drivers":            "driver",
	"Upgrades":           "upgrade",
	"Updates":            "update",
}

// Classification is the classification of an update in categories: that
// of the first category that is a WUA classification, or "" when none is
// (the others name products: "Windows Server 2022").
func Classification(categories []string) string {
	for _, c := range categories {
		if cl, ok := classifications[c]; ok {
			return cl
		}
	}
	return ""
}
