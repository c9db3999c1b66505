package i18n

import (
	"regexp"
	"strings"
)

// reasons are the field errors the domain writes most, in English, with
// the message each reads as in the catalogs. The domain and the API keep
// English; a page shows the reason in its reader's language, and any
// reason not listed here in English.
var reasons = []struct {
	re *regexp.Regexp
	id string
	// args names the submatches, in order, as the message's placeholders.
	args []string
}{
	{regexp.MustCompile(`^is required$`), "why.required", nil},
	{regexp.MustCompile(`^is required unless the lead has a phone, or a name with a company, city, address or birth date$`), "why.required_unless", nil},
	{regexp.MustCompile(`^must be at most ([\d,]+) characters$`), "why.at_most_chars", []string{"Count"}},
	{regexp.MustCompile(`^is at most ([\d,]+) characters$`), "why.at_most_chars", []string{"Count"}},
	{regexp.MustCompile(`^must be at least ([\d,]+) characters$`), "why.at_least_chars", []string{"Count"}},
	{regexp.MustCompile(`^must be an email address$`), "why.email", nil},
	{regexp.MustCompile(`^is wrong$`), "why.wrong", nil},
	{regexp.MustCompile(`^must be true or false$`), "why.true_false", nil},
	{regexp.MustCompile(`^must be a date(?: as|,) YYYY-MM-DD$`), "why.date", nil},
	{regexp.MustCompile(`^must be a number$`), "why.number", nil},
	{regexp.MustCompile(`^must be a whole number from ([\d,]+) to ([\d,]+)$`), "why.whole_range", []string{"Min", "Max"}},
	{regexp.MustCompile(`^must be a three-letter currency code such as EUR(?: or USD)?$`), "why.currency", nil},
	{regexp.MustCompile(`^must be a country name or a two-letter ISO code such as RO$`), "why.country", nil},
	{regexp.MustCompile(`^must be one of en, ro, it, nb$`), "why.language", nil},
	{regexp.MustCompile(`^did you mean (\S+)\?$`), "why.did_you_mean", []string{"Address"}},
	{regexp.MustCompile(`^must be on one line$`), "why.one_line", nil},
	{regexp.MustCompile(`^needs an @ between the name and the domain, as in name@example\.com$`), "why.email_needs_at", nil},
	{regexp.MustCompile(`^needs a name before the @$`), "why.email_needs_name", nil},
	{regexp.MustCompile(`^needs a domain after the @, as in name@example\.com$`), "why.email_needs_domain", nil},
	{regexp.MustCompile(`^needs a full domain after the @, with a dot, as in name@example\.com$`), "why.email_needs_full_domain", nil},
	{regexp.MustCompile(`^needs a domain name after the @, not an IP address$`), "why.email_not_ip", nil},
	{regexp.MustCompile(`^needs the country code \(such as \+49\) or a country for the lead$`), "why.phone_country_code", nil},
	{regexp.MustCompile(`^must not be negative$`), "why.not_negative", nil},
	{regexp.MustCompile(`^must not contain a NUL character$`), "why.no_nul", nil},
	{regexp.MustCompile(`^must be empty: this conversion hands nothing over to an account executive \(`), "why.handover_note_unused", nil},
	{regexp.MustCompile(`^must be a closing team$`), "why.closing_team", nil},
	{regexp.MustCompile(`^must be a number of days from ([\d,]+) to ([\d,]+)$`), "why.days_range", []string{"Min", "Max"}},
}

// Reason is reason, a field error in English, in l's language.
func (l *Locale) Reason(reason string) string {
	for _, r := range reasons {
		m := r.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		var args []any
		for i, name := range r.args {
			v := m[i+1]
			switch name {
			case "Count":
				v = strings.ReplaceAll(v, ",", "")
			case "Min", "Max":
				v = l.Number(atoi(strings.ReplaceAll(v, ",", "")))
			}
			args = append(args, name, v)
		}
		return l.T(r.id, args...)
	}
	return reason
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

// changeReasons are the reasons leadflow itself writes on a lead's
// timeline and on enrolments, stored in English (the API and the audit
// answer them so). A page shows them in its reader's language; a reason
// a user typed, or one not listed, shows as written.
var changeReasons = []struct {
	re   *regexp.Regexp
	id   string
	args []string
}{
	{regexp.MustCompile(`^form "(.*)"$`), "change.form", []string{"Name"}},
	{regexp.MustCompile(`^import (\d+) \((.*)\)$`), "change.import", []string{"ID", "Name"}},
	{regexp.MustCompile(`^mail "(.*)"$`), "change.mail", []string{"Name"}},
	{regexp.MustCompile(`^matched on website domain (\S+)$`), "change.matched_website", []string{"Value"}},
	{regexp.MustCompile(`^matched on email domain (\S+)$`), "change.matched_email", []string{"Value"}},
	{regexp.MustCompile(`^matched on company name “(.*)”$`), "change.matched_company", []string{"Value"}},
	{regexp.MustCompile(`^owner of account (.+)$`), "change.account_owner", []string{"Name"}},
	{regexp.MustCompile(`^score (\d+) reached the MQL threshold of (\d+)$`), "change.mql_threshold", []string{"Score", "Threshold"}},
	{regexp.MustCompile(`^consent confirmed by email$`), "change.consent_confirmed", nil},
	{regexp.MustCompile(`^link undone$`), "change.link_undone", nil},
	{regexp.MustCompile(`^merge undone$`), "change.merge_undone", nil},
	{regexp.MustCompile(`^merge of lead (\d+)$`), "change.merge_of", []string{"ID"}},
	{regexp.MustCompile(`^values chosen in a merge$`), "change.values_merge", nil},
	{regexp.MustCompile(`^values chosen in review$`), "change.values_review", nil},
	{regexp.MustCompile(`^converted with an opportunity$`), "change.converted", nil},
	{regexp.MustCompile(`^software request saved$`), "change.request_saved", nil},
	{regexp.MustCompile(`^brief sent to (.+)$`), "change.brief_sent", []string{"Vendors"}},
	{regexp.MustCompile(`^enrolled through the API$`), "change.enrolled_api", nil},
	{regexp.MustCompile(`^enrolled by (\S+)$`), "change.enrolled_by", []string{"Email"}},
	{regexp.MustCompile(`^entered the segment (.+)$`), "change.entered_segment", []string{"Name"}},
	{regexp.MustCompile(`^reached (\w+)$`), "change.reached", []string{"Stage"}},
	{regexp.MustCompile(`^submitted the form (.+)$`), "change.submitted_form", []string{"Name"}},
	{regexp.MustCompile(`^sent back to nurturing$`), "change.sent_back", nil},
	{regexp.MustCompile(`^sent back to nurturing: (.+)$`), "change.sent_back_why", []string{"Why"}},
}

// ChangeReason is a reason leadflow wrote in English, in l's language;
// anything else as it is.
func (l *Locale) ChangeReason(reason string) string {
	for _, r := range changeReasons {
		m := r.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		var args []any
		for i, name := range r.args {
			v := m[i+1]
			if name == "Stage" && Has("stage."+v) {
				v = l.T("stage." + v)
			}
			args = append(args, name, v)
		}
		return l.T(r.id, args...)
	}
	return reason
}
