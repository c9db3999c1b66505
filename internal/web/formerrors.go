package web

import (
	"strings"

	"leadflow/internal/i18n"
)

// errorFields are, for each form whose error summary lists its fields by
// key, the message of the label each field has on the form.
var errorFields = map[string]map[string]string{
	"activity": {"kind": "cal.kind", "status": "cal.status", "subject": "cal.subject", "due_at": "act.due",
		"duration": "cal.duration", "owner": "field.owner", "notes": "cal.notes", "outcome": "cal.outcome",
		"link_id": "cal.the_record", "link_type": "cal.the_record"},
	"sequence": {"name": "common.name", "status": "nur.status", "trigger_kind": "nur.enrols", "trigger_ref": "nur.enrols",
		"steps": "nur.steps", "kind": "nur.kind", "template_id": "nur.template", "days": "nur.days",
		"weekday": "nur.weekday", "hour": "nur.at_hour", "if": "nur.if", "value": "field.score", "goto": "nur.go_to_step"},
	"landing": {"slug": "fe.address_p", "template": "fe.layout", "headline": "fe.headline", "body": "fe.text_a_blank_line",
		"image_url": "fe.image_address_optional"},
	"audit":   {"actor": "audit.actor", "subject_id": "audit.subject_id", "from": "audit.from", "to": "audit.to"},
	"project": {"type": "prj.type", "opportunity_id": "errf.deal"},
}

// localErrorField names the field key of form's error summary as the
// form labels it, in l's language. A sequence step's field
// ("steps.2.goto") is named with its step, "Step 2: Go to step", except
// under the step itself (form "step"), where "Go to step" says it.
func localErrorField(l *i18n.Locale, form, key string) string {
	if rest, ok := strings.CutPrefix(key, "steps."); ok {
		if n, field, ok := strings.Cut(rest, "."); ok {
			name := localErrorField(l, "sequence", field)
			if form == "step" {
				return name
			}
			return l.T("nur.step_n", "N", n) + ": " + name
		}
	}
	if id := errorFields[form][key]; id != "" {
		return l.T(id)
	}
	return localLabel(l, key)
}
