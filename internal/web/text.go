package web

import (
	"mime"
	"net/http"
	"sort"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/textcheck"
)

// textOnly refuses, with 422 naming the field, a request whose query or
// form fields are not text leadflow can keep: bytes that are not UTF-8,
// or NUL. Every page reads its fields after this one check, so none of
// them passes such bytes on (PostgreSQL would answer 500; SQLite would
// keep them). Uploads (multipart) are checked by their handler, which
// alone reads them.
func (h *Web) textOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fields := r.URL.Query()
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && mt != "multipart/form-data" {
			if err := r.ParseForm(); err != nil {
				h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read."))
				return
			}
			fields = r.Form
		}
		if err := textcheck.Form(fields); err != nil {
			h.fail(w, r, notText(err))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// notText says in its message which fields were refused, since the error
// page shows only the message.
func notText(err error) error {
	e := fault.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fieldLabel(k) + " " + e.Fields[k]
		if l := fieldLabel(k); l != k {
			parts[i] = l + " (" + k + ") " + e.Fields[k]
		}
	}
	return &fault.Error{Code: fault.Invalid, Fields: e.Fields,
		Message: "Some fields were refused: " + strings.Join(parts, "; ") + "."}
}
