package web

import (
	"testing"

	"leadflow/internal/i18n"
	"leadflow/internal/nurture"
	"leadflow/internal/privacy"
	"leadflow/internal/webhook"
)

// The reasons webhook stores, as it writes them, read in each language;
// a network error reads as the system wrote it.
func TestWebhookReasonsReadInTheLanguage(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"ro", webhook.DisabledAfter(20, "answered 500"), "dezactivat după 20 de încercări eșuate la rând; ultima: a răspuns cu 500"},
		{"it", webhook.DisabledAfter(3, webhook.NoAnswerInTime), "disattivato dopo 3 tentativi falliti di fila; l'ultimo: nessuna risposta entro il tempo consentito"},
		{"nb", webhook.DisabledAfter(1, webhook.ErrPrivateAddress.Error()),
			"deaktivert etter 1 mislykket forsøk på rad; det siste: adressen er privat, loopback eller reservert; en administrator kan tillate private adresser for denne webhooken"},
		{"ro", webhook.DisabledAfter(2, "dial tcp 10.0.0.1:443: connect: connection refused"), "dezactivat după 2 încercări eșuate la rând; ultima: dial tcp 10.0.0.1:443: connect: connection refused"},
		{"it", "disabled by admin@example.com", "disattivato da admin@example.com"},
		{"en", webhook.DisabledAfter(20, "answered 502"), "disabled after 20 failed attempts in a row; the last: answered 502"},
	} {
		if got := localWebhookReason(i18n.For(c.lang), c.in); got != c.want {
			t.Errorf("%s %q:\n got %q\nwant %q", c.lang, c.in, got, c.want)
		}
	}
}

// Every reason an enrolment ends with reads in every language other
// than English as something else than the stored English.
func TestEveryExitReasonIsTranslated(t *testing.T) {
	for _, reason := range []string{nurture.ExitBecameSQL, nurture.ExitUnsubscribed, nurture.ExitBounced, nurture.ExitReplied,
		nurture.ExitManual, nurture.ExitLeftList, nurture.ExitNoConsent, nurture.ExitNoEmail} {
		if got := localExitReason(i18n.For("en"), reason); got != reason {
			t.Errorf("en %q reads %q", reason, got)
		}
		for _, lang := range i18n.Langs[1:] {
			if got := localExitReason(i18n.For(lang), reason); got == reason || got == exitReasons[reason] {
				t.Errorf("%s %q reads %q", lang, reason, got)
			}
		}
	}
}

// Every count an erasure reports has a label in the catalogs, so the
// erase page and its note never show a message's id.
func TestEveryErasureCountHasALabel(t *testing.T) {
	for _, name := range privacy.CountNames {
		id, ok := countLabels[name]
		if !ok || !i18n.Has(id) {
			t.Errorf("the count %q has no label in the catalogs (%q)", name, id)
		}
	}
}
