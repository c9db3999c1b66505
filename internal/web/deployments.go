package web

import (
	"strings"

	"leadflow/internal/i18n"
)

// localDeployment is a deployment's code (cloud, web...) as l names it;
// a code no catalog knows reads as stored.
func localDeployment(l *i18n.Locale, code string) string {
	return l.Or("deploy."+code, code)
}

// localDeployments names codes in l's language, joined by commas, or with
// conj ("or") before the last when conj is given.
func localDeployments(l *i18n.Locale, codes []string, conj string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = localDeployment(l, c)
	}
	if conj == "" || len(names) < 2 {
		return strings.Join(names, ", ")
	}
	last := len(names) - 1
	return strings.Join(names[:last], ", ") + " " + l.T("common."+conj) + " " + names[last]
}
