package web

import (
	"cmp"
	"strconv"
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
	"leads": {"min_score": "leads.min_score", "min_probability": "leads.min_chance", "created_from": "leads.created_from",
		"created_to": "leads.created_to"},
	"audit": {"actor": "audit.actor", "subject_id": "audit.subject_id", "from": "audit.from", "to": "audit.to"},
	"project": {"type": "prj.type", "opportunity_id": "errf.deal", "title": "prj.title", "account_id": "prj.account",
		"due_on": "prj.due", "start_on": "prj.start", "budget": "prj.budget", "currency": "prj.currency", "status": "prj.status",
		"owner": "prj.owner_email", "client_language": "prj.client_language", "members": "prj.team", "contact_id": "crm.contact"},
	"delivery": {"stage_id": "prj.move_to", "hours": "prj.hours", "worked_on": "prj.worked_on", "task_id": "prj.task",
		"note": "prj.note", "subject": "prj.task", "due_on": "prj.due", "assignee": "prj.assignee", "name": "prj.milestone",
		"milestone.due_on": "prj.date", "title": "prj.title", "status": "prj.status", "owner": "prj.owner_email", "start_on": "prj.start", "budget": "prj.budget",
		"currency": "prj.currency", "client_language": "prj.client_language", "members": "prj.team"},
	"project_settings": {"default_type": "prj.its_type", "warn_at": "prj.warn_at"},
	"user":             {"email": "nav.mail", "name": "common.name", "password": "login.password", "role": "users.role"},
	"webhook":          {"url": "wh.url", "description": "wh.description", "events": "wh.events"},
	"form": {"name": "common.name", "slug": "fe.address_f", "source": "fe.source_credited", "campaign": "fe.campaign_credited_when_the",
		"default_country": "fe.phone_numbers_without_a", "language": "formedit.language", "consent_text": "fe.consent_text_empty_the",
		"thank_you": "fe.thank_you_message", "redirect_url": "fe.or_redirect_to_full"},
	"scoring": {"hot": "sc.hot_from", "warm": "sc.warm_from", "mql": "sc.mql_at_0_off", "half_life_days": "sc.behaviour_half_life_days",
		"note": "sc.what_changed_kept_with", "months": "sc.try_on_the_leads", "origins": "sc.sites_allowed_to_send"},
	"form_field": {"name": "fe.field", "type": "fe.type", "options": "fe.options_select", "label": "fe.label_shown"},
	"rule": {"field": "sc.field", "op": "sc.test", "values": "sc.values", "points": "sc.points", "event": "sc.event",
		"url": "sc.url_pattern", "cap": "sc.cap", "window_days": "sc.window_days"},
	"segment": {"name": "common.name", "description": "segedit.description_optional", "conditions": "seg.conditions",
		"field": "errf.field", "op": "errf.op", "value": "errf.value", "values": "errf.value", "min": "errf.lowest",
		"max": "errf.highest", "count": "errf.times", "days": "segedit.days", "segment": "seg.segment"},
	"template": {"name": "common.name", "subject": "nur.subject", "html": "nur.html_part", "text": "nur.plain_text_part_empty"},
	"product": {"name": "common.name", "unit_price": "prod.unit_price", "currency": "common.currency", "unit_cost": "prod.unit_cost",
		"margin": "prod.or_margin"},
	"convert": {"account_name": "convert.account_name", "deal_name": "common.name", "amount": "deals.amount",
		"currency": "common.currency", "close_date": "deals.expected_close", "stage": "convert.pipeline_stage",
		"handover_note": "errf.handover_note"},
	"solution": {"vendor": "partials.vendor", "product": "partials.product", "category": "partials.category",
		"deployments": "partials.deployment", "features": "partials.features", "industries": "partials.industries",
		"integrations": "partials.integrations", "languages": "partials.languages", "price": "partials.price",
		"price_period": "partials.per", "setup": "partials.setup", "currency": "common.currency",
		"min_licences": "partials.minimum", "max_licences": "partials.maximum", "contact_email": "field.email"},
	"report": {"period": "reports.period", "from": "reports.from", "to": "reports.to", "month": "reports.month",
		"amount": "reports.amount", "currency": "common.currency"},
}

// rowPrefixes are the keys of a form's numbered rows ("conditions.0.min",
// a sequence's "steps.2.goto"), with the message naming a row, whose
// number counts from 1 unless the key's does already.
var rowPrefixes = []struct {
	prefix, id string
	fromZero   bool
	form       string // whose fields a row has, if not its page's
	named      string // the message naming a row by its name, not its number
}{
	{"steps.", "nur.step_n", false, "", ""},
	{"conditions.", "segedit.condition_n", true, "", ""},
	{"explicit.", "sc.explicit_rule_n", true, "rule", ""},
	{"behaviour.", "sc.behaviour_rule_n", true, "rule", ""},
	{"fields.", "fe.field_n", true, "form_field", "fe.field_named"},
}

// localErrorField names the field key of form's error summary as the
// form labels it, in l's language. A sequence step's field
// ("steps.2.goto") is named with its step, "Step 2: Go to step", except
// under the step itself (form "step"), where "Go to step" says it.
func localErrorField(l *i18n.Locale, form, key string) string {
	if form == "step" {
		_, key, _ = strings.Cut(strings.TrimPrefix(key, "steps."), ".")
		return localErrorField(l, "sequence", key)
	}
	if id := errorFields[form][key]; id != "" {
		return l.T(id)
	}
	if form == "delivery" {
		// A project page's forms prefix their keys with the form's name.
		if _, field, ok := strings.Cut(key, "."); ok {
			key = field
		}
	}
	for _, row := range rowPrefixes {
		rest, ok := strings.CutPrefix(key, row.prefix)
		if !ok {
			continue
		}
		if n, field, ok := strings.Cut(rest, "."); ok {
			name := localErrorField(l, cmp.Or(row.form, form), field)
			if i, err := strconv.Atoi(n); err == nil {
				if row.fromZero {
					i++
				}
				return l.T(row.id, "N", i) + ": " + name
			}
			if row.named != "" {
				return l.T(row.named, "Name", n) + ": " + name
			}
		}
	}
	if id := errorFields[form][key]; id != "" {
		return l.T(id)
	}
	// A setting kept per kind ("templates.implementation") is named by
	// its field.
	if field, _, ok := strings.Cut(key, "."); ok && errorFields[form][field] != "" {
		return l.T(errorFields[form][field])
	}
	return localLabel(l, key)
}
