package salesteam_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/notify"
	"leadflow/internal/salesteam"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
	"leadflow/internal/usertest"
)

// story is a sales floor: an admin, two SDRs (Sara, Sid) in the
// qualifying team "Inbound", and two AEs (Ana, Bo) in the closing team
// "Closers".
type story struct {
	db                        *sqldb.DB
	leads                     *lead.Service
	crm                       *crm.Service
	teams                     *salesteam.Service
	admin, sara, sid, ana, bo access.Actor
	inbound, closers          salesteam.Team
}

func newStory(t *testing.T, db *sqldb.DB) *story {
	t.Helper()
	ctx := context.Background()
	s := &story{db: db, leads: lead.NewService(db)}
	s.crm = crm.NewService(db, s.leads)
	s.teams = salesteam.NewService(db, s.leads)
	s.crm.Handover = s.teams.Hand
	s.admin = usertest.Actor(t, db, "admin@example.com", access.Admin)
	s.sara = usertest.Actor(t, db, "sara@example.com", access.Sales)
	s.sid = usertest.Actor(t, db, "sid@example.com", access.Sales)
	s.ana = usertest.Actor(t, db, "ana@example.com", access.Sales)
	s.bo = usertest.Actor(t, db, "bo@example.com", access.Sales)
	var err error
	if s.closers, err = s.teams.Save(ctx, s.admin, 0, salesteam.Input{Name: "Closers", Role: "closing", Members: []string{"ana@example.com", "bo@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if s.inbound, err = s.teams.Save(ctx, s.admin, 0, salesteam.Input{Name: "Inbound", Role: "qualifying", Members: []string{"sara@example.com", "sid@example.com"},
		HandsTo: s.closers.ID}); err != nil {
		t.Fatal(err)
	}
	return s
}

// sqlLead makes an MQL owned by sdr at company, which sdr qualifies into
// an SQL through BANT.
func (s *story) sqlLead(t *testing.T, sdr access.Actor, email, company string) lead.Lead {
	t.Helper()
	ctx := context.Background()
	l, err := s.leads.Create(ctx, s.admin, lead.Changes{"email": email, "first_name": "Lea", "company": company, "owner": sdr.Email, "stage": "mql"})
	if err != nil {
		t.Fatal(err)
	}
	l, err = s.leads.Qualify(ctx, sdr, l.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "a CRM for 40 people", Timing: "2027-Q1", Outcome: lead.SQL})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (s *story) convert(t *testing.T, sdr access.Actor, l lead.Lead, note string) crm.Converted {
	t.Helper()
	c, err := s.crm.Convert(context.Background(), sdr, l.ID, crm.ConvertInput{HandoverNote: note,
		Opportunity: &crm.OpportunityInput{Name: l.Company + " – 40 seats", Amount: "12000", Currency: "EUR"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func owners(t *testing.T, db *sqldb.DB, c crm.Converted) string {
	t.Helper()
	var acc, con, opp string
	err := db.R.QueryRow(context.Background(), `SELECT COALESCE((SELECT email FROM users WHERE id = a.owner_id), ''),
		COALESCE((SELECT email FROM users WHERE id = c.owner_id), ''), COALESCE((SELECT email FROM users WHERE id = o.owner_id), '')
		FROM accounts a, contacts c, opportunities o WHERE a.id = ? AND c.id = ? AND o.id = ?`, c.AccountID, c.ContactID, c.OpportunityID).
		Scan(&acc, &con, &opp)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("account %s, contact %s, deal %s", acc, con, opp)
}

func notices(t *testing.T, db *sqldb.DB, a access.Actor) []string {
	t.Helper()
	p, err := notify.NewService(db).List(context.Background(), a, false, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range p.Items {
		out = append(out, n.Title+" → "+n.Link)
	}
	return out
}

func timeline(t *testing.T, s *story, id int64) string {
	t.Helper()
	ch, err := s.leads.Timeline(context.Background(), s.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range ch {
		if strings.HasPrefix(c.Kind, "handover") {
			line := c.Kind + ": " + c.Reason
			if ae, ok := c.Detail["account_executive"]; ok {
				line += " (" + ae[1] + ")"
			}
			out = append(out, line)
		}
	}
	return strings.Join(out, "; ")
}

func auditOf(t *testing.T, db *sqldb.DB, subject string) []string {
	t.Helper()
	p, err := audit.NewService(db).List(context.Background(), access.Actor{ID: 0, Role: access.Admin}, audit.Filter{SubjectType: subject})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range p.Entries {
		out = append(out, e.Actor+" "+e.Action+" "+string(e.Detail))
	}
	return out
}

// Admins make the teams; a user is in at most one team per role; a
// qualifying team hands over only to a closing team; sales may read
// the teams but not change them; each change is on the audit log.
func TestTeams(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		if _, err := s.teams.Save(ctx, s.sara, 0, salesteam.Input{Name: "Mine", Role: "qualifying"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales made a team: %v", err)
		}
		_, err := s.teams.Save(ctx, s.admin, 0, salesteam.Input{Name: "outbound", Role: "qualifying", Members: []string{"sid@example.com", "nobody@example.com"}, HandsTo: s.inbound.ID})
		e := fault.As(err)
		if e == nil || !strings.Contains(e.Fields["members"], `sid@example.com is already in the qualifying team "Inbound"`) ||
			e.Fields["hands_to"] != "must be a closing team" {
			t.Fatalf("second qualifying team for Sid: %v", err)
		}
		if _, err := s.teams.Save(ctx, s.admin, 0, salesteam.Input{Name: "INBOUND", Role: "sideways"}); fault.As(err) == nil ||
			fault.As(err).Fields["name"] == "" || fault.As(err).Fields["role"] == "" {
			t.Errorf("a second Inbound of no role: %v", err)
		}
		// Sid may be an SDR and an AE at once: one team per role.
		out, err := s.teams.Save(ctx, s.admin, 0, salesteam.Input{Name: "Outbound closers", Role: "closing", Members: []string{"sid@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.teams.Save(ctx, s.admin, out.ID, salesteam.Input{Name: "Outbound", Role: "qualifying", Members: []string{"sid@example.com"}}); fault.As(err) == nil ||
			!strings.Contains(fault.As(err).Fields["members"], `sid@example.com is already in the qualifying team "Inbound"`) {
			t.Errorf("Outbound turned qualifying with Sid in two qualifying teams: %v", err)
		}
		if _, err := s.teams.Save(ctx, s.admin, s.closers.ID, salesteam.Input{Name: "Closers", Role: "qualifying"}); fault.As(err) == nil ||
			!strings.Contains(fault.As(err).Fields["role"], "Inbound") {
			t.Errorf("the team Inbound hands to turned qualifying: %v", err)
		}
		if _, err := s.teams.Save(ctx, s.admin, out.ID, salesteam.Input{Name: "Outbound closers", Role: "closing", Members: []string{"sid@example.com", "bo@example.com"}}); fault.As(err) == nil ||
			!strings.Contains(fault.As(err).Fields["members"], `bo@example.com is already in the closing team "Closers"`) {
			t.Errorf("Bo in two closing teams: %v", err)
		}
		if _, err := s.teams.Save(ctx, s.admin, out.ID, salesteam.Input{Name: "Field", Role: "closing", Members: []string{"sid@example.com"}}); err != nil {
			t.Fatal(err)
		}
		// Inbound hands to Field, then Field is deleted: Inbound hands to
		// the first closing team again, and the audit log says so.
		if _, err := s.teams.Save(ctx, s.admin, s.inbound.ID, salesteam.Input{Name: "Inbound", Role: "qualifying", Members: []string{"sara@example.com", "sid@example.com"},
			HandsTo: out.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.teams.Delete(ctx, s.admin, out.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.teams.Delete(ctx, s.admin, out.ID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("deleted twice: %v", err)
		}
		ts, err := s.teams.Teams(ctx)
		if err != nil || len(ts) != 2 || ts[0].Name != "Inbound" || ts[1].Name != "Closers" || len(ts[0].Members) != 2 || ts[0].HandsTo != 0 {
			t.Fatalf("teams %+v %v", ts, err)
		}
		got := strings.Join(auditOf(t, db, "team"), "\n")
		for _, want := range []string{fmt.Sprintf(`admin@example.com team.delete {"hands_to_reset":["Inbound"],"members":[%d],"name":"Field","role":"closing"}`, s.sid.ID),
			`admin@example.com team.update {"fields":["name"],"members":[`,
			`admin@example.com team.create {"members":[`} {
			if !strings.Contains(got, want) {
				t.Errorf("audit log lacks %q:\n%s", want, got)
			}
		}
	})
}

// Sara qualifies a lead and converts it with her note: the account, the
// contact and the deal go to an AE of the closing team, who is told;
// the note is on the lead's timeline. The next conversion goes to the
// other AE, and a lead of an account an AE already owns goes to that
// AE. A lead no SDR qualified is not handed over.
func TestConversionHandsOverToAnAE(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		l := s.sqlLead(t, s.sara, "cto@acme.de", "ACME GmbH")
		c := s.convert(t, s.sara, l, "Budget signed off; call before Friday.")
		if c.HandoverID == 0 {
			t.Fatal("no hand-over")
		}
		if got := owners(t, db, c); got != "account ana@example.com, contact ana@example.com, deal ana@example.com" {
			t.Errorf("after the hand-over: %s", got)
		}
		h, err := s.teams.Get(ctx, s.ana, c.HandoverID)
		if err != nil {
			t.Fatal(err)
		}
		if h.Status != salesteam.Pending || h.SDR.Email != "sara@example.com" || h.AE.Email != "ana@example.com" || h.SDRTeam != "Inbound" ||
			h.AETeam != "Closers" || h.Note != "Budget signed off; call before Friday." || h.OpportunityID != c.OpportunityID || h.LeadName != "Lea" {
			t.Errorf("hand-over %+v", h)
		}
		if got := notices(t, db, s.ana); len(got) != 1 || got[0] != fmt.Sprintf("Handed over by sara@example.com: Lea — accept or reject → /handovers/%d", h.ID) {
			t.Errorf("Ana's notices: %q", got)
		}
		if got := timeline(t, s, l.ID); got != "handover: Budget signed off; call before Friday. (ana@example.com)" {
			t.Errorf("timeline: %q", got)
		}
		// Bo sees neither the hand-over nor the deal.
		if _, err := s.teams.Get(ctx, s.bo, h.ID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("Bo reads Ana's hand-over: %v", err)
		}
		// Turns: the next goes to Bo.
		c2 := s.convert(t, s.sid, s.sqlLead(t, s.sid, "it@globex.com", "Globex"), "")
		if got := owners(t, db, c2); got != "account bo@example.com, contact bo@example.com, deal bo@example.com" {
			t.Errorf("second hand-over: %s", got)
		}
		// Another person at ACME: the account is Ana's, so Ana it is,
		// though Bo has less pending... both have one; Ana by ownership.
		c3 := s.convert(t, s.sara, s.sqlLead(t, s.sara, "cfo@acme.de", "ACME GmbH"), "CFO, same project")
		if got := owners(t, db, c3); c3.AccountID != c.AccountID || got != "account ana@example.com, contact ana@example.com, deal ana@example.com" {
			t.Errorf("lead of Ana's account: %s", got)
		}
		// Bo has one pending and Ana two: the next new account goes to Bo.
		c4 := s.convert(t, s.sara, s.sqlLead(t, s.sara, "ceo@initech.com", "Initech"), "")
		if got := owners(t, db, c4); !strings.Contains(got, "deal bo@example.com") {
			t.Errorf("least loaded: %s", got)
		}
		// Not qualified by an SDR: an admin's own qualification.
		m, err := s.leads.Create(ctx, s.admin, lead.Changes{"email": "x@umbrella.com", "company": "Umbrella", "stage": "mql"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.leads.Qualify(ctx, s.admin, m.ID, lead.BANT{Authority: lead.Influencer, Need: "n", Timing: "2027-Q2", Outcome: lead.SQL}); err != nil {
			t.Fatal(err)
		}
		if c5, err := s.crm.Convert(ctx, s.admin, m.ID, crm.ConvertInput{}); err != nil || c5.HandoverID != 0 {
			t.Errorf("admin's own lead: %+v %v", c5, err)
		}
		// A note too long is refused and nothing is converted.
		long := s.sqlLead(t, s.sara, "a@hooli.com", "Hooli")
		_, err = s.crm.Convert(ctx, s.sara, long.ID, crm.ConvertInput{HandoverNote: strings.Repeat("x", salesteam.MaxNote+1)})
		if e := fault.As(err); e == nil || e.Fields["handover_note"] == "" {
			t.Errorf("long note: %v", err)
		}
		if back, _ := s.leads.Get(ctx, s.admin, long.ID); back.Converted.At != nil {
			t.Error("the lead was converted with a refused note")
		}
		got := strings.Join(auditOf(t, db, "handover"), "\n")
		if !strings.Contains(got, fmt.Sprintf(`sara@example.com handover.create {"account_id":%d,"ae_id":%d`, c.AccountID, s.ana.ID)) {
			t.Errorf("audit: %s", got)
		}
	})
}

// Ana accepts one hand-over and rejects another with a reason: the
// rejected deal and contact go back to the SDR, the account to its
// owner before; the SDR is told why, and the timeline says it. A second
// answer is refused, as are Bo's answer to Ana's hand-over and a
// rejection without a valid reason.
func TestAcceptAndReject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		l1 := s.sqlLead(t, s.sara, "cto@acme.de", "ACME GmbH")
		c1 := s.convert(t, s.sara, l1, "hot")
		l2 := s.sqlLead(t, s.sara, "it@globex.com", "Globex")
		s.convert(t, s.sara, s.sqlLead(t, s.sara, "it@initech.com", "Initech"), "") // Bo's turn
		c2 := s.convert(t, s.sara, l2, "warm")
		if _, err := s.teams.Accept(ctx, s.bo, c1.HandoverID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("Bo accepted Ana's hand-over: %v", err)
		}
		if _, err := s.teams.Accept(ctx, s.sara, c1.HandoverID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("the SDR accepted her own hand-over: %v", err)
		}
		h1, err := s.teams.Accept(ctx, s.ana, c1.HandoverID)
		if err != nil || h1.Status != salesteam.Accepted || h1.Answered == nil || h1.AnsweredBy != "ana@example.com" {
			t.Fatalf("accept: %+v %v", h1, err)
		}
		if _, err := s.teams.Reject(ctx, s.ana, c1.HandoverID, "no_budget", ""); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("rejected after accepting: %v", err)
		}
		for reason, field := range map[string]string{"": "reason", "meh": "reason", "other": "reason_text"} {
			if _, err := s.teams.Reject(ctx, s.ana, c2.HandoverID, reason, ""); fault.As(err) == nil || fault.As(err).Fields[field] == "" {
				t.Errorf("reject for %q: %v", reason, err)
			}
		}
		h2, err := s.teams.Reject(ctx, s.ana, c2.HandoverID, "bad_timing", "They buy next year")
		if err != nil || h2.Status != salesteam.Rejected || h2.Reason != "bad_timing" || h2.ReasonText != "They buy next year" {
			t.Fatalf("reject: %+v %v", h2, err)
		}
		if got := owners(t, db, c2); got != "account sara@example.com, contact sara@example.com, deal sara@example.com" {
			t.Errorf("after the rejection: %s", got)
		}
		if got := owners(t, db, c1); got != "account ana@example.com, contact ana@example.com, deal ana@example.com" {
			t.Errorf("the accepted one: %s", got)
		}
		got := notices(t, db, s.sara)
		if len(got) != 2 || got[0] != fmt.Sprintf("Rejected by ana@example.com: Lea — bad timing: They buy next year → /handovers/%d", c2.HandoverID) ||
			got[1] != fmt.Sprintf("Accepted by ana@example.com: Lea → /handovers/%d", c1.HandoverID) {
			t.Errorf("Sara's notices: %q", got)
		}
		if tl := timeline(t, s, l2.ID); tl != "handover_rejected: bad timing: They buy next year; handover: warm (ana@example.com)" {
			t.Errorf("timeline: %q", tl)
		}
		// Sid, in Sara's team, sees neither: leads and deals are their
		// owner's. Sara sees hers, Ana the ones handed to her.
		if _, err := s.teams.Get(ctx, s.sid, c2.HandoverID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("Sid reads Sara's rejected hand-over: %v", err)
		}
		p, err := s.teams.List(ctx, s.sid, salesteam.Filter{})
		if err != nil || len(p.Items) != 0 {
			t.Errorf("Sid's list: %+v %v", p, err)
		}
		p, err = s.teams.List(ctx, s.sara, salesteam.Filter{Status: salesteam.Rejected})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != c2.HandoverID {
			t.Errorf("Sara's list of rejected: %+v %v", p, err)
		}
		p, err = s.teams.List(ctx, s.ana, salesteam.Filter{})
		if err != nil || len(p.Items) != 2 || p.Items[0].ID != c2.HandoverID || p.Items[1].ID != c1.HandoverID {
			t.Errorf("Ana's list: %+v %v", p, err)
		}
		a := strings.Join(auditOf(t, db, "handover"), "\n")
		if !strings.Contains(a, `ana@example.com handover.reject {"reason":"bad_timing","status":"rejected"}`) ||
			!strings.Contains(a, `ana@example.com handover.accept {"status":"accepted"}`) || strings.Contains(a, "next year") {
			t.Errorf("audit: %s", a)
		}
	})
}

// Two conversions at the same moment, with nothing pending: each AE
// gets one, never both the same; an accept and a reject of one
// hand-over at the same moment: exactly one wins, and the owners are
// those of the one that won.
func TestHandoverRaces(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		const rounds = 8
		for r := range rounds {
			a := s.sqlLead(t, s.sara, fmt.Sprintf("a%d@acme%d.com", r, r), fmt.Sprintf("Acme %d", r))
			b := s.sqlLead(t, s.sid, fmt.Sprintf("b%d@globex%d.com", r, r), fmt.Sprintf("Globex %d", r))
			var ca, cb crm.Converted
			errs := dbtest.Together(
				func() (err error) { ca, err = s.crm.Convert(ctx, s.sara, a.ID, crm.ConvertInput{}); return err },
				func() (err error) { cb, err = s.crm.Convert(ctx, s.sid, b.ID, crm.ConvertInput{}); return err },
			)
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			ha, err := s.teams.Get(ctx, s.admin, ca.HandoverID)
			if err != nil {
				t.Fatal(err)
			}
			hb, err := s.teams.Get(ctx, s.admin, cb.HandoverID)
			if err != nil {
				t.Fatal(err)
			}
			if ha.AE.ID == 0 || ha.AE.ID == hb.AE.ID {
				t.Fatalf("round %d: both hand-overs went to %q and %q", r, ha.AE.Email, hb.AE.Email)
			}
			// Ana and Bo answer their own at once with the admin: one each.
			for _, h := range []salesteam.Handover{ha, hb} {
				ae := map[string]access.Actor{"ana@example.com": s.ana, "bo@example.com": s.bo}[h.AE.Email]
				errs := dbtest.Together(
					func() error { _, err := s.teams.Accept(ctx, ae, h.ID); return err },
					func() error { _, err := s.teams.Reject(ctx, s.admin, h.ID, "wrong_contact", ""); return err },
				)
				ok := 0
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case fault.CodeOf(err) != fault.Conflict:
						t.Fatal(err)
					}
				}
				if ok != 1 {
					t.Fatalf("round %d: %d answers succeeded", r, ok)
				}
				got, err := s.teams.Get(ctx, s.admin, h.ID)
				if err != nil {
					t.Fatal(err)
				}
				var owner int64
				if err := db.R.QueryRow(ctx, `SELECT COALESCE(owner_id, 0) FROM contacts WHERE id = ?`, got.ContactID).Scan(&owner); err != nil {
					t.Fatal(err)
				}
				if want := map[string]int64{salesteam.Accepted: h.AE.ID, salesteam.Rejected: h.SDR.ID}[got.Status]; owner != want {
					t.Errorf("round %d: %s, contact owned by %d, want %d", r, got.Status, owner, want)
				}
			}
		}
	})
}

// The report: each team's and member's leads qualified, hand-overs,
// acceptances, rejections by reason, deals won with their amount, and
// the time from hand-over to acceptance.
func TestReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		start := time.Now().UTC()
		clock := start
		s.teams.SetClock(func() time.Time { return clock })
		c1 := s.convert(t, s.sara, s.sqlLead(t, s.sara, "a@acme.com", "Acme"), "")     // Ana
		c2 := s.convert(t, s.sara, s.sqlLead(t, s.sara, "b@globex.com", "Globex"), "") // Bo
		c3 := s.convert(t, s.sid, s.sqlLead(t, s.sid, "c@initech.com", "Initech"), "") // Ana or Bo: both have one; turn 3 is Ana
		s.sqlLead(t, s.sid, "d@hooli.com", "Hooli")                                    // qualified, not converted
		clock = start.Add(3 * time.Hour)
		if _, err := s.teams.Accept(ctx, s.ana, c1.HandoverID); err != nil {
			t.Fatal(err)
		}
		clock = start.Add(5 * time.Hour)
		if _, err := s.teams.Accept(ctx, s.ana, c3.HandoverID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.teams.Reject(ctx, s.bo, c2.HandoverID, "no_budget", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.crm.Move(ctx, s.ana, c1.OpportunityID, "won", ""); err != nil {
			t.Fatal(err)
		}
		// Sara wins the deal Bo rejected: hers and her team's, not Bo's.
		if _, err := s.crm.Move(ctx, s.sara, c2.OpportunityID, "won", ""); err != nil {
			t.Fatal(err)
		}
		rep, err := s.teams.Report(ctx, start.Add(-time.Hour), start.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		show := func(f salesteam.Figures) string {
			hours := "-"
			if f.AcceptHours != nil {
				hours = fmt.Sprintf("%.1fh", *f.AcceptHours)
			}
			b, _ := json.Marshal(f.RejectedBy)
			w, _ := json.Marshal(f.WonAmount)
			return fmt.Sprintf("q%d h%d a%d r%d p%d %s won %d %s %s", f.Qualified, f.HandedOver, f.Accepted, f.Rejected, f.Pending, b, f.Won, w, hours)
		}
		lines := func(rep []salesteam.TeamFigures) string {
			var got []string
			for _, tf := range rep {
				got = append(got, tf.Name+": "+show(tf.Total))
				for _, m := range tf.Members {
					former := ""
					if m.Former {
						former = " (former)"
					}
					got = append(got, "  "+m.Email+former+": "+show(m.Figures))
				}
			}
			return strings.Join(got, "\n")
		}
		want := strings.Join([]string{
			`Inbound: q4 h3 a2 r1 p0 {"no_budget":1} won 2 {"EUR":24000} 4.0h`,
			`  sara@example.com: q2 h2 a1 r1 p0 {"no_budget":1} won 2 {"EUR":24000} 3.0h`,
			`  sid@example.com: q2 h1 a1 r0 p0 null won 0 null 5.0h`,
			`Closers: q0 h3 a2 r1 p0 {"no_budget":1} won 1 {"EUR":12000} 4.0h`,
			`  ana@example.com: q0 h2 a2 r0 p0 null won 1 {"EUR":12000} 4.0h`,
			`  bo@example.com: q0 h1 a0 r1 p0 {"no_budget":1} won 0 null -`,
		}, "\n")
		if got := lines(rep); got != want {
			t.Errorf("report:\n%s\nwant:\n%s", got, want)
		}
		// Sid leaves Inbound: his hand-over stays the team's, under his
		// name as a former member; his qualified leads count where he is.
		if _, err := s.teams.Save(ctx, s.admin, s.inbound.ID, salesteam.Input{Name: "Inbound", Role: "qualifying", Members: []string{"sara@example.com"},
			HandsTo: s.closers.ID}); err != nil {
			t.Fatal(err)
		}
		if rep, err = s.teams.Report(ctx, start.Add(-time.Hour), start.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		want = strings.Join([]string{
			`Inbound: q2 h3 a2 r1 p0 {"no_budget":1} won 2 {"EUR":24000} 4.0h`,
			`  sara@example.com: q2 h2 a1 r1 p0 {"no_budget":1} won 2 {"EUR":24000} 3.0h`,
			`  sid@example.com (former): q0 h1 a1 r0 p0 null won 0 null 5.0h`,
			`Closers: q0 h3 a2 r1 p0 {"no_budget":1} won 1 {"EUR":12000} 4.0h`,
			`  ana@example.com: q0 h2 a2 r0 p0 null won 1 {"EUR":12000} 4.0h`,
			`  bo@example.com: q0 h1 a0 r1 p0 {"no_budget":1} won 0 null -`,
		}, "\n")
		if got := lines(rep); got != want {
			t.Errorf("report after Sid left:\n%s\nwant:\n%s", got, want)
		}
		// Outside the period: nothing handed over.
		rep, _ = s.teams.Report(ctx, start.Add(48*time.Hour), start.Add(72*time.Hour))
		if rep[0].Total.HandedOver != 0 || rep[0].Total.Qualified != 0 {
			t.Errorf("a later period: %+v", rep[0].Total)
		}
		// The last days by the service's clock.
		for _, c := range []struct {
			at        time.Duration
			days      string
			handed, n int
		}{{6 * time.Hour, "1", 3, 1}, {50 * time.Hour, "1", 0, 1}, {50 * time.Hour, "", 3, salesteam.DefaultDays}, {50 * time.Hour, " 3 ", 3, 3}} {
			clock = start.Add(c.at)
			rep, n, err := s.teams.ReportDays(ctx, c.days)
			if err != nil || n != c.n || rep[0].Total.HandedOver != c.handed {
				t.Errorf("%q days at +%s: %d days, %+v %v", c.days, c.at, n, rep, err)
			}
		}
		for _, bad := range []string{"0", "x", "3651", "1.5"} {
			if _, _, err := s.teams.ReportDays(ctx, bad); fault.As(err) == nil || fault.As(err).Fields["days"] == "" {
				t.Errorf("days %q: %v", bad, err)
			}
		}
	})
}

// Ana has a hand-over pending and Bo none (he accepted his) when four
// leads are converted at the same moment: each conversion sees the load
// the one before left, so the five pending end as even as they can,
// three and two.
func TestConcurrentConversionsEvenTheLoad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		for i := range 4 {
			c := s.convert(t, s.sara, s.sqlLead(t, s.sara, fmt.Sprintf("p%d@early%d.com", i, i), fmt.Sprintf("Early %d", i)), "")
			if h, _ := s.teams.Get(ctx, s.admin, c.HandoverID); h.AE.ID == s.bo.ID {
				if _, err := s.teams.Accept(ctx, s.bo, h.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		var convs []func() error
		for i := range 4 {
			l := s.sqlLead(t, s.sid, fmt.Sprintf("q%d@race%d.com", i, i), fmt.Sprintf("Race %d", i))
			convs = append(convs, func() error { _, err := s.crm.Convert(ctx, s.sid, l.ID, crm.ConvertInput{}); return err })
		}
		for _, err := range dbtest.Together(convs...) {
			if err != nil {
				t.Fatal(err)
			}
		}
		var pending []int
		for _, ae := range []access.Actor{s.ana, s.bo} {
			p, err := s.teams.List(ctx, s.admin, salesteam.Filter{Status: salesteam.Pending, AE: ae.ID})
			if err != nil {
				t.Fatal(err)
			}
			pending = append(pending, len(p.Items))
		}
		if pending[0]+pending[1] != 5 || pending[0]-pending[1] > 1 || pending[1]-pending[0] > 1 {
			t.Errorf("pending: Ana %d, Bo %d; want three and two", pending[0], pending[1])
		}
	})
}

// Sid is an SDR and also an AE: a lead he qualified goes to another AE,
// never back to himself.
func TestAnSDRWhoIsAlsoAnAEDoesNotHandToHimself(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		if _, err := s.teams.Save(ctx, s.admin, s.closers.ID, salesteam.Input{Name: "Closers", Role: "closing", Members: []string{"sid@example.com", "ana@example.com"}}); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			c := s.convert(t, s.sid, s.sqlLead(t, s.sid, fmt.Sprintf("x%d@self%d.com", i, i), fmt.Sprintf("Self %d", i)), "")
			if got := owners(t, db, c); got != "account ana@example.com, contact ana@example.com, deal ana@example.com" {
				t.Errorf("lead %d: %s", i, got)
			}
		}
	})
}

// Merging a converted lead into another gives its hand-over to the
// survivor; undoing the merge gives it back. Of two converted leads,
// the survivor keeps its own and the other's comes back on undo.
func TestMergeKeepsTheHandover(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		l1 := s.sqlLead(t, s.sara, "cto@acme.de", "ACME GmbH")
		c1 := s.convert(t, s.sara, l1, "hot")
		other, err := s.leads.Create(ctx, s.admin, lead.Changes{"email": "cto2@acme.de", "first_name": "Lea", "company": "ACME GmbH"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.leads.Merge(ctx, s.admin, other.ID, l1.ID); err != nil {
			t.Fatal(err)
		}
		h, err := s.teams.Get(ctx, s.admin, c1.HandoverID)
		if err != nil || h.LeadID != other.ID || h.Note != "hot" {
			t.Fatalf("after the merge: %+v %v", h, err)
		}
		p, err := s.teams.List(ctx, s.admin, salesteam.Filter{LeadID: other.ID})
		if err != nil || len(p.Items) != 1 {
			t.Errorf("the survivor's hand-overs: %+v %v", p, err)
		}
		merges, err := s.leads.Merges(ctx, s.admin, other.ID)
		if err != nil || len(merges) != 1 {
			t.Fatalf("merges: %+v %v", merges, err)
		}
		if _, err := s.leads.UndoMerge(ctx, s.admin, merges[0].ID); err != nil {
			t.Fatal(err)
		}
		if h, err := s.teams.Get(ctx, s.admin, c1.HandoverID); err != nil || h.LeadID != l1.ID {
			t.Errorf("after undoing: %+v %v", h, err)
		}

		// Two converted leads: the survivor keeps its own hand-over, the
		// other's is back after the undo.
		l2 := s.sqlLead(t, s.sid, "it@globex.com", "Globex")
		c2 := s.convert(t, s.sid, l2, "warm")
		if _, err := s.leads.Merge(ctx, s.admin, l1.ID, l2.ID); err != nil {
			t.Fatal(err)
		}
		if h, err := s.teams.Get(ctx, s.admin, c1.HandoverID); err != nil || h.LeadID != l1.ID {
			t.Errorf("the survivor's own: %+v %v", h, err)
		}
		merges, err = s.leads.Merges(ctx, s.admin, l1.ID)
		if err != nil || len(merges) == 0 {
			t.Fatalf("merges: %+v %v", merges, err)
		}
		if _, err := s.leads.UndoMerge(ctx, s.admin, merges[0].ID); err != nil {
			t.Fatal(err)
		}
		if h, err := s.teams.Get(ctx, s.admin, c2.HandoverID); err != nil || h.LeadID != l2.ID || h.Note != "warm" || h.AE.ID == 0 {
			t.Errorf("the other's after undoing: %+v %v", h, err)
		}
	})
}

func leadOwner(t *testing.T, db *sqldb.DB, id int64) string {
	t.Helper()
	var email string
	if err := db.R.QueryRow(context.Background(), `SELECT COALESCE((SELECT email FROM users WHERE id = l.owner_id), '') FROM leads l WHERE l.id = ?`, id).Scan(&email); err != nil {
		t.Fatal(err)
	}
	return email
}

// Answers after the people on a hand-over were deleted: a rejection
// whose SDR is gone leaves the deal, contact and lead with nobody (the
// team takes them up); an admin's rejection of a deleted AE's hand-over
// gives back only what nobody took since. The SDR's notice names who
// answered.
func TestAnswersAfterUsersAreDeleted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		users := user.NewService(db)
		l1 := s.sqlLead(t, s.sara, "cto@acme.de", "ACME GmbH")
		c1 := s.convert(t, s.sara, l1, "") // Ana
		l2 := s.sqlLead(t, s.sid, "it@globex.com", "Globex")
		c2 := s.convert(t, s.sid, l2, "") // Bo
		l3 := s.sqlLead(t, s.sid, "it@initech.com", "Initech")
		c3 := s.convert(t, s.sid, l3, "") // Ana
		if h, _ := s.teams.Get(ctx, s.admin, c2.HandoverID); h.AE.ID != s.bo.ID {
			t.Fatalf("the second hand-over went to %q", h.AE.Email)
		}

		if err := users.Delete(ctx, s.admin, s.sara.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.teams.Reject(ctx, s.ana, c1.HandoverID, "no_budget", ""); err != nil {
			t.Fatalf("reject after the SDR was deleted: %v", err)
		}
		if got := owners(t, db, c1); got != "account , contact , deal " {
			t.Errorf("the deleted SDR's rejected hand-over: %s", got)
		}
		if got := leadOwner(t, db, l1.ID); got != "" {
			t.Errorf("its lead is %q's", got)
		}

		if err := users.Delete(ctx, s.admin, s.bo.ID); err != nil {
			t.Fatal(err)
		}
		// The admin gives Bo's deal to Ana meanwhile; the contact and lead
		// stay with nobody.
		toAna := func(cur crm.Opportunity) (crm.OpportunityInput, error) {
			in := crm.OpportunityInputOf(cur)
			in.Owner = "ana@example.com"
			return in, nil
		}
		if _, err := s.crm.UpdateOpportunity(ctx, s.admin, c2.OpportunityID, toAna); err != nil {
			t.Fatal(err)
		}
		h2, err := s.teams.Reject(ctx, s.admin, c2.HandoverID, "wrong_contact", "")
		if err != nil {
			t.Fatal(err)
		}
		if got := owners(t, db, c2); got != "account sid@example.com, contact sid@example.com, deal ana@example.com" {
			t.Errorf("the deleted AE's rejected hand-over: %s", got)
		}
		if got := leadOwner(t, db, l2.ID); got != "sid@example.com" {
			t.Errorf("its lead is %q's", got)
		}
		if h2.AnsweredBy != "admin@example.com" {
			t.Errorf("answered by %q", h2.AnsweredBy)
		}
		if _, err := s.teams.Accept(ctx, s.admin, c3.HandoverID); err != nil {
			t.Fatal(err)
		}
		got := notices(t, db, s.sid)
		want := []string{
			fmt.Sprintf("Accepted by admin@example.com for ana@example.com: Lea → /handovers/%d", c3.HandoverID),
			fmt.Sprintf("Rejected by admin@example.com for a deleted user: Lea — wrong contact → /handovers/%d", c2.HandoverID),
		}
		if strings.Join(got[:2], "\n") != strings.Join(want, "\n") {
			t.Errorf("Sid's notices:\n%s\nwant first:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// In Sid's language, if Romanian.
		p, err := notify.NewService(db).List(ctx, s.sid, false, "", 2)
		if err != nil || len(p.Items) != 2 {
			t.Fatalf("Sid's notices: %+v %v", p, err)
		}
		ro := i18n.For("ro")
		if got := p.Items[0].TitleIn(ro) + " | " + p.Items[1].TitleIn(ro); got != "Acceptat de admin@example.com pentru ana@example.com: Lea | "+
			"Respins de admin@example.com pentru un utilizator șters: Lea — wrong contact" {
			t.Errorf("in Romanian: %s", got)
		}
	})
}

// A note for an account executive on a conversion that hands nothing
// over is refused, naming the field, and nothing is converted; without
// the note the conversion goes through.
func TestANoteWithNoHandoverIsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		l, err := s.leads.Create(ctx, s.admin, lead.Changes{"email": "cto@acme.de", "first_name": "Lea", "company": "ACME GmbH", "owner": "sara@example.com", "stage": "mql"})
		if err != nil {
			t.Fatal(err)
		}
		// The admin, in no team, qualifies it: no SDR did.
		if _, err := s.leads.Qualify(ctx, s.admin, l.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "a CRM", Timing: "2027-Q1", Outcome: lead.SQL}); err != nil {
			t.Fatal(err)
		}
		in := crm.ConvertInput{HandoverNote: "Wants a demo", Opportunity: &crm.OpportunityInput{Name: "ACME – 40 seats", Amount: "12000", Currency: "EUR"}}
		_, err = s.crm.Convert(ctx, s.sara, l.ID, in)
		if e := fault.As(err); e == nil || e.Code != fault.Invalid || !strings.Contains(e.Fields["handover_note"], "hands nothing over") {
			t.Fatalf("a note no one reads: %v", err)
		}
		if got, _ := s.leads.Get(ctx, s.admin, l.ID); got.Stage != "sql" {
			t.Errorf("converted anyway: %s", got.Stage)
		}
		var accounts int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&accounts); err != nil || accounts != 0 {
			t.Errorf("%d accounts made: %v", accounts, err)
		}
		in.HandoverNote = "  "
		if c, err := s.crm.Convert(ctx, s.sara, l.ID, in); err != nil || c.HandoverID != 0 || c.AccountID == 0 {
			t.Errorf("without the note: %+v %v", c, err)
		}
	})
}

// An existing account of a rep in no team stays theirs: the contact and
// deal go to the AE, who is told, and a rejection leaves the account
// where it is. An AE's account goes to that AE, and after a rejection
// back to that AE (its owner before), not to the SDR.
func TestAnotherRepsAccountStaysTheirs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		usertest.Actor(t, db, "rex@example.com", access.Sales)
		if _, err := s.crm.CreateAccount(ctx, s.admin, crm.AccountInput{Name: "Umbrella", Owner: "rex@example.com"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.crm.CreateAccount(ctx, s.admin, crm.AccountInput{Name: "Hooli", Owner: "bo@example.com"}); err != nil {
			t.Fatal(err)
		}
		l := s.sqlLead(t, s.sara, "cto@umbrella.com", "Umbrella")
		c := s.convert(t, s.sara, l, "")
		if !c.AccountMatched {
			t.Fatal("Umbrella was not matched")
		}
		if got := owners(t, db, c); got != "account rex@example.com, contact ana@example.com, deal ana@example.com" {
			t.Errorf("after the hand-over: %s", got)
		}
		if got := notices(t, db, s.ana); len(got) != 1 || !strings.HasSuffix(got[0], "— accept or reject (the account stays with rex@example.com) → /handovers/"+fmt.Sprint(c.HandoverID)) {
			t.Errorf("Ana's notice: %q", got)
		}
		ch, err := s.leads.Timeline(ctx, s.admin, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept := ""
		for _, e := range ch {
			if e.Kind == salesteam.KindHandover {
				kept = e.Detail["account_kept_by"][1]
			}
		}
		if kept != "rex@example.com" {
			t.Errorf("the timeline names %q as keeping the account", kept)
		}
		if _, err := s.teams.Reject(ctx, s.ana, c.HandoverID, "wrong_territory", ""); err != nil {
			t.Fatal(err)
		}
		if got := owners(t, db, c); got != "account rex@example.com, contact sara@example.com, deal sara@example.com" {
			t.Errorf("after the rejection: %s", got)
		}

		c2 := s.convert(t, s.sara, s.sqlLead(t, s.sara, "cto@hooli.com", "Hooli"), "")
		if got := owners(t, db, c2); !c2.AccountMatched || got != "account bo@example.com, contact bo@example.com, deal bo@example.com" {
			t.Errorf("Bo's account: %s", got)
		}
		if _, err := s.teams.Reject(ctx, s.bo, c2.HandoverID, "existing_deal", ""); err != nil {
			t.Fatal(err)
		}
		if got := owners(t, db, c2); got != "account bo@example.com, contact sara@example.com, deal sara@example.com" {
			t.Errorf("after Bo's rejection: %s", got)
		}
	})
}

// A team deleted while a lead of its SDR is converted: the conversion
// goes through, with a hand-over when it came first and without one
// after, never an error.
func TestTeamDeletedDuringAConversion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStory(t, db)
		for r := range 8 {
			l := s.sqlLead(t, s.sara, fmt.Sprintf("a%d@acme%d.com", r, r), fmt.Sprintf("Acme %d", r))
			gone := s.inbound
			if r%2 == 1 {
				gone = s.closers
			}
			var c crm.Converted
			errs := dbtest.Together(
				func() (err error) { c, err = s.crm.Convert(ctx, s.sara, l.ID, crm.ConvertInput{}); return err },
				func() error { return s.teams.Delete(ctx, s.admin, gone.ID) },
			)
			for _, err := range errs {
				if err != nil {
					t.Fatalf("round %d, deleting %s: %v", r, gone.Name, err)
				}
			}
			if c.HandoverID != 0 {
				if _, err := s.teams.Get(ctx, s.admin, c.HandoverID); err != nil {
					t.Fatalf("round %d: %v", r, err)
				}
			}
			var err error
			if r%2 == 1 {
				s.closers, err = s.teams.Save(ctx, s.admin, 0, salesteam.Input{Name: "Closers", Role: "closing", Members: []string{"ana@example.com", "bo@example.com"}})
			} else {
				s.inbound, err = s.teams.Save(ctx, s.admin, 0, salesteam.Input{Name: "Inbound", Role: "qualifying", Members: []string{"sara@example.com", "sid@example.com"},
					HandsTo: s.closers.ID})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}
