package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/forms"
	"leadflow/internal/i18n"
	"leadflow/internal/imports"
	"leadflow/internal/lead"
	"leadflow/internal/leadcsv"
	"leadflow/internal/live"
	"leadflow/internal/textcheck"
)

// Submissions

var submissionTabs = []string{forms.StatusRejected, forms.StatusAccepted, forms.StatusSpam, forms.StatusDiscarded, forms.StatusPending}

func (h *Web) listSubmissions(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if status == "" {
		status = forms.StatusRejected
	}
	subs, err := h.Forms.Submissions(r.Context(), actor(r), status, 200)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	counts, err := h.Forms.CountByStatus(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A problem with a form's own question names the question.
	questions, err := h.Forms.CustomLabels(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "submissions", page{Title: "Submissions", Nav: "submissions", Data: struct {
		Status      string
		Tabs        []string
		Counts      map[string]int
		Submissions []forms.Submission
		Questions   map[string]string
	}{status, submissionTabs, counts, subs, questions}})
}

type submissionData struct {
	Sub    forms.Submission
	Form   forms.Form
	Keys   []string // the values' names, the form's fields first
	Errors map[string]string
	// Questions name the form's own fields by the question asked; the
	// standard ones are named by their labels.
	Questions map[string]string
	// Choices are the options of the form's fields that offer some, so a
	// reviewer picks one where the answer was not among them.
	Choices map[string][]string
}

func (h *Web) submissionInPath(w http.ResponseWriter, r *http.Request) (submissionData, bool) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	sub, err := h.Forms.Submission(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return submissionData{}, false
	}
	d := submissionData{Sub: sub, Errors: sub.Reasons}
	d.Form, _ = h.Forms.Get(r.Context(), actor(r), sub.FormID) // the form may be gone; the values stay
	seen := map[string]bool{forms.HoneypotField: true, forms.TokenField: true}
	d.Questions, d.Choices = map[string]string{}, map[string][]string{}
	for _, fd := range d.Form.Fields {
		d.Keys = append(d.Keys, fd.Name)
		seen[fd.Name] = true
		if fd.Custom() && fd.Label != "" {
			d.Questions[fd.Name] = fd.Label
		}
		if len(fd.Options) > 0 {
			d.Choices[fd.Name] = fd.Options
		}
	}
	var rest []string
	for k := range sub.Values {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	d.Keys = append(d.Keys, rest...)
	return d, true
}

func (h *Web) showSubmission(w http.ResponseWriter, r *http.Request) {
	if d, ok := h.submissionInPath(w, r); ok {
		h.render(w, r, "submission", page{Title: tr(r, "subm.title", "N", d.Sub.ID), Nav: "submissions", Data: d})
	}
}

func (h *Web) acceptSubmission(w http.ResponseWriter, r *http.Request) {
	d, ok := h.submissionInPath(w, r)
	if !ok {
		return
	}
	r.ParseForm()
	values := map[string]string{}
	for _, k := range d.Keys {
		if vs, ok := r.PostForm["v_"+k]; ok {
			values[k] = vs[len(vs)-1]
		}
	}
	err := h.Forms.Accept(r.Context(), actor(r), d.Sub.ID, values)
	if e := fault.As(err); e != nil && e.Code == fault.Invalid {
		d, _ = h.submissionInPath(w, r)
		h.render(w, r, "submission", page{Title: tr(r, "subm.title", "N", d.Sub.ID), Nav: "submissions",
			Data: d, Status: http.StatusUnprocessableEntity, Flash: tr(r, "flash.still_not_valid")})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Submission accepted.")
	http.Redirect(w, r, "/submissions", http.StatusSeeOther)
}

func (h *Web) discardSubmission(w http.ResponseWriter, r *http.Request) {
	d, ok := h.submissionInPath(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		h.render(w, r, "confirm", page{Title: tr(r, "confirm.discard_submission"), Nav: "submissions", Data: confirmData{
			Question: tr(r, "confirm.discard_submission_q", "ID", d.Sub.ID),
			Detail:   tr(r, "confirm.discard_submission_detail"),
			Action:   fmt.Sprintf("/submissions/%d/discard", d.Sub.ID), Button: tr(r, "confirm.discard"), Cancel: fmt.Sprintf("/submissions/%d", d.Sub.ID)}})
		return
	}
	if err := h.Forms.Discard(r.Context(), actor(r), d.Sub.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Submission discarded.")
	http.Redirect(w, r, "/submissions", http.StatusSeeOther)
}

// Imports and export

func (h *Web) listImports(w http.ResponseWriter, r *http.Request) {
	list, err := h.Imports.List(r.Context(), actor(r), 50)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "imports", page{Title: "Import leads", Nav: "imports", Data: list})
}

// maxUpload bounds an uploaded CSV; a million leads fit well below it.
const maxUpload = 1 << 30

func (h *Web) uploadImport(w http.ResponseWriter, r *http.Request) {
	// Ask before reading what may be a gigabyte that would be refused.
	if err := h.Imports.MayImport(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	keepReading(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	file, header, err := r.FormFile("file")
	if err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "Choose a CSV file to upload (at most 1 GiB)."))
		return
	}
	defer file.Close()
	if err := textcheck.Form(url.Values{"file name": {header.Filename}}); err != nil {
		h.fail(w, r, notText(err))
		return
	}
	im, err := h.Imports.Upload(r.Context(), actor(r), header.Filename, file)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/imports/%d", im.ID), http.StatusSeeOther)
}

type importData struct {
	Import    imports.Import
	Targets   []string
	Encodings []string
	Error     string
}

func newImportData(im imports.Import, errMsg string) importData {
	return importData{Import: im, Targets: leadcsv.Targets(), Encodings: leadcsv.Encodings, Error: errMsg}
}

func (h *Web) importInPath(w http.ResponseWriter, r *http.Request) (imports.Import, bool) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	im, err := h.Imports.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return im, false
	}
	return im, true
}

func (h *Web) showImport(w http.ResponseWriter, r *http.Request) {
	if im, ok := h.importInPath(w, r); ok {
		h.render(w, r, "import", page{Title: tr(r, "title.import_named", "Name", im.FileName), Nav: "imports", Data: newImportData(im, ""), Live: live.Import(im.ID)})
	}
}

func (h *Web) startImport(w http.ResponseWriter, r *http.Request) {
	im, ok := h.importInPath(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.render(w, r, "import", page{Title: tr(r, "title.import_named", "Name", im.FileName), Nav: "imports", Status: http.StatusUnprocessableEntity,
			Data: newImportData(im, "The mapping form could not be read: "+err.Error())})
		return
	}
	m := make(leadcsv.Mapping, len(im.Header))
	for i := range m {
		m[i] = r.PostFormValue("col" + strconv.Itoa(i))
		if m[i] == "" {
			m[i] = leadcsv.Ignore
		}
	}
	if _, err := h.Imports.StartIn(r.Context(), actor(r), im.ID, m, r.PostFormValue("country")); err != nil {
		im.Mapping, im.Country = m, r.PostFormValue("country")
		h.render(w, r, "import", page{Title: tr(r, "title.import_named", "Name", im.FileName), Nav: "imports", Status: http.StatusUnprocessableEntity,
			Data: newImportData(im, err.Error())})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/imports/%d", im.ID), http.StatusSeeOther)
}

// setImportEncoding reads the file again in the encoding the user chose,
// and shows the mapping proposed for its header read that way.
func (h *Web) setImportEncoding(w http.ResponseWriter, r *http.Request) {
	im, ok := h.importInPath(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read: %v", err))
		return
	}
	if _, err := h.Imports.SetEncoding(r.Context(), actor(r), im.ID, r.PostFormValue("encoding")); err != nil {
		if e := fault.As(err); e != nil && e.Code == fault.Invalid {
			h.render(w, r, "import", page{Title: tr(r, "title.import_named", "Name", im.FileName), Nav: "imports", Status: http.StatusUnprocessableEntity,
				Data: newImportData(im, e.Message)})
			return
		}
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/imports/%d", im.ID), http.StatusSeeOther)
}

func (h *Web) importRejects(w http.ResponseWriter, r *http.Request) {
	im, ok := h.importInPath(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rejected-%d.csv"`, im.ID))
	if _, err := h.Imports.WriteRejects(r.Context(), actor(r), im.ID, w, i18n.From(r.Context())); err != nil {
		h.Log.ErrorContext(r.Context(), "rejects download", "id", im.ID, "err", err)
	}
}

func (h *Web) exportLeads(w http.ResponseWriter, r *http.Request) {
	f, err := lead.ParseFilter(r.URL.Query())
	if e := fault.As(err); e != nil && len(e.Fields) > 0 {
		// The error page shows a message only: name each bad filter in it.
		err = &fault.Error{Code: e.Code, Message: "The filter is not valid: " + imports.Reason(err) + ".", Fields: e.Fields}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="leads-%s.csv"`, time.Now().UTC().Format("2006-01-02")))
	out := &countingWriter{w: w}
	if _, err := leadcsv.Export(r.Context(), out, h.Leads, actor(r), f); err != nil {
		if out.n == 0 {
			// Nothing is sent yet: answer the error, not an empty file.
			w.Header().Del("Content-Disposition")
			h.fail(w, r, err)
			return
		}
		h.Log.ErrorContext(r.Context(), "export", "err", err) // the header is sent; the file ends short
	}
}

// countingWriter counts what has been written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
