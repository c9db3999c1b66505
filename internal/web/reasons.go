package web

import (
	"regexp"
	"strconv"

	"leadflow/internal/i18n"
	"leadflow/internal/nurture"
	"leadflow/internal/webhook"
)

// exitReasons are the messages of the reasons an enrolment ends, which
// are stored in English for the API and the audit log.
var exitReasons = map[string]string{
	nurture.ExitBecameSQL: "exit.became_sql", nurture.ExitUnsubscribed: "exit.unsubscribed",
	nurture.ExitBounced: "exit.bounced", nurture.ExitReplied: "exit.replied", nurture.ExitManual: "exit.manual",
	nurture.ExitLeftList: "exit.left_list", nurture.ExitNoConsent: "exit.no_consent", nurture.ExitNoEmail: "exit.no_email",
}

// localExitReason is why an enrolment ended in l's language; a reason
// not known reads as stored.
func localExitReason(l *i18n.Locale, reason string) string {
	if id, ok := exitReasons[reason]; ok {
		return l.T(id)
	}
	return reason
}

// The reasons webhook writes, in English, for a webhook it turned off
// and for a failed attempt; the API answers them so, and the stored
// value stays as written.
var (
	offAfterFailures = regexp.MustCompile(`^disabled after (\d+) failed attempts in a row; the last: (.*)$`)
	offBy            = regexp.MustCompile(`^disabled by (.+)$`)
	answered         = regexp.MustCompile(`^answered (\d+)$`)
)

// localWebhookReason is why a webhook is off, or an attempt failed, in
// l's language. An error of the network (a refused connection, a name
// that does not resolve) reads as the system wrote it.
func localWebhookReason(l *i18n.Locale, reason string) string {
	if m := offAfterFailures.FindStringSubmatch(reason); m != nil {
		n, _ := strconv.Atoi(m[1])
		return l.T("wh.off_after_failures", "Count", n, "Last", localWebhookReason(l, m[2]))
	}
	if m := offBy.FindStringSubmatch(reason); m != nil {
		return l.T("wh.off_by", "Name", m[1])
	}
	if m := answered.FindStringSubmatch(reason); m != nil {
		return l.T("wh.answered", "Status", m[1])
	}
	switch reason {
	case webhook.NoAnswerInTime:
		return l.T("wh.no_answer_in_time")
	case webhook.ErrPrivateAddress.Error():
		return l.T("wh.private_address")
	}
	return reason
}
