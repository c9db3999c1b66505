package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/matching"
)

type matchingSettings struct {
	Config    matching.Config
	Weighted  []matching.Criterion
	Overrides string // one line per industry: "healthcare: language=50, budget=20"
	Values    map[string]string
	Errors    map[string]string
	// IndustryErrors are the per-industry lines' errors, each naming its
	// industry and criterion in the reader's language.
	IndustryErrors []string
}

// overridesText writes the per-industry weights one industry a line.
func overridesText(c matching.Config) string {
	var lines []string
	for ind, set := range c.Industries {
		var parts []string
		for _, k := range matching.Weighted {
			if v, ok := set[k]; ok {
				parts = append(parts, fmt.Sprintf("%s=%d", k, v))
			}
		}
		lines = append(lines, ind+": "+strings.Join(parts, ", "))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// parseOverrides reads overridesText's format back, naming a bad line.
func parseOverrides(text string, bad fault.Fields) map[string]matching.Set {
	out := map[string]matching.Set{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ind, rest, ok := strings.Cut(line, ":")
		set := matching.Set{}
		for _, part := range strings.Split(rest, ",") {
			k, v, okp := strings.Cut(strings.TrimSpace(part), "=")
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if !okp || err != nil {
				ok = false
				break
			}
			set[matching.Criterion(strings.TrimSpace(k))] = n
		}
		if !ok {
			bad.Add("industries", fmt.Sprintf("line %d must read like healthcare: language=50, budget=20", i+1))
			continue
		}
		out[strings.ToLower(strings.TrimSpace(ind))] = set
	}
	return out
}

func (h *Web) showMatchingSettings(w http.ResponseWriter, r *http.Request) {
	c, err := h.Catalog.Config(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderMatchingSettings(w, r, matchingSettings{Config: c, Overrides: overridesText(c)}, 0)
}

func (h *Web) renderMatchingSettings(w http.ResponseWriter, r *http.Request, d matchingSettings, status int) {
	d.Weighted = matching.Weighted
	if d.Values == nil {
		d.Values = map[string]string{"threshold": strconv.Itoa(d.Config.Threshold),
			"tolerance": strconv.FormatFloat(d.Config.Tolerance*100, 'f', -1, 64)}
		for _, k := range matching.Weighted {
			d.Values[string(k)] = strconv.Itoa(d.Config.Default[k])
		}
	}
	d.IndustryErrors = industryErrors(i18n.From(r.Context()), d.Errors)
	h.render(w, r, "matching_settings", page{Title: "Matching weights", Nav: "solutions", Data: d, Status: status})
}

// industryErrors writes the errors keyed industries.<industry>.<criterion>
// (or industries alone, for a line that does not parse) as sentences
// naming the industry and the criterion, in l's language.
func industryErrors(l *i18n.Locale, errs map[string]string) []string {
	var out []string
	for k, why := range errs {
		rest, ok := strings.CutPrefix(k, "industries")
		if !ok {
			continue
		}
		msg := l.Reason(why)
		// An industry's name may hold a dot ("e.commerce"); a criterion's
		// never does.
		if i := strings.LastIndex(rest, "."); i > 0 {
			ind, crit := rest[1:i], rest[i+1:]
			msg = ind + ", " + matching.Criterion(crit).LabelIn(l) + ": " + msg
		}
		out = append(out, msg)
	}
	slices.Sort(out)
	return out
}

func (h *Web) saveMatchingSettings(w http.ResponseWriter, r *http.Request) {
	// Refused before the form is read, so a user who may not save learns
	// that, not what was wrong with the form.
	if err := h.Catalog.MayConfigure(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	bad := fault.Fields{}
	c := matching.Config{Default: matching.Set{}}
	values := map[string]string{"threshold": r.PostFormValue("threshold"), "tolerance": r.PostFormValue("tolerance")}
	for _, k := range matching.Weighted {
		v := r.PostFormValue(string(k))
		values[string(k)] = v
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			bad.Add("default."+string(k), "must be a whole number from 0 to 100")
		}
		c.Default[k] = n
	}
	var err error
	if c.Threshold, err = strconv.Atoi(strings.TrimSpace(values["threshold"])); err != nil {
		bad.Add("threshold", "must be a whole number from 0 to 100")
	}
	// The form takes a percentage; the configuration keeps a fraction.
	tol, err := strconv.ParseFloat(strings.TrimSpace(values["tolerance"]), 64)
	if err != nil || math.IsNaN(tol) || tol < 0 || tol > 100 {
		bad.Add("tolerance", "must be a percentage from 0 to 100")
	}
	c.Tolerance = tol / 100
	overrides := r.PostFormValue("industries")
	c.Industries = parseOverrides(overrides, bad)
	err = bad.Err()
	if err == nil {
		_, err = h.Catalog.SaveConfig(r.Context(), actor(r), c)
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderMatchingSettings(w, r, matchingSettings{Config: c, Overrides: overrides, Values: values, Errors: e.Fields}, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Matching weights saved; every match is ranked with them from now on.")
	http.Redirect(w, r, "/settings/matching", http.StatusSeeOther)
}
