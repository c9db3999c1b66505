package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
	"leadflow/internal/web"
)

// pageRule is who may call a page route, and which record its path (or,
// for a route without an {id}, its form) names in the test.
type pageRule struct {
	// who is "public" (no sign-in), "any" role, "marketing" (and admin),
	// "billing" (admin and sales),
	// "admin", or "nobody": another user's own credential, which no role
	// reaches through its own account page.
	who string
	// record is the kind of record the route names. The owner-scoped
	// kinds, "lead", "contact" and "deal", and the shared "account" are
	// each called with the signed-in sales user's own record, another
	// sales user's, and an unassigned one (its owner was deleted).
	record string
	// form is what a POST sends: a change that succeeds when allowed, so
	// that a refused one can be seen to have changed nothing.
	form url.Values
}

// ownerScoped are the record kinds whose visibility depends on the owner.
// The policy the code states (access.CanSeeLead and crm's visibleTo):
// sales reads and changes its own records and unassigned ones, never
// another sales user's; marketing and admins reach them all. Accounts
// are shared: every role reads and edits every account, and only their
// owner is guarded (sales may take or release its own or an unassigned
// one, not give or take another's).
var ownerScoped = map[string]bool{"lead": true, "contact": true, "deal": true, "account": true, "enrolment": true}

// pageMatrix is every page route. A route missing here fails
// TestPageAuthorizationMatrix: adding a page means saying who may use it.
var pageMatrix = map[string]pageRule{
	"GET /static/":                          {who: "public"},
	"GET /login":                            {who: "public"},
	"POST /login":                           {who: "public"},
	"GET /invite/{token}":                   {who: "public"},
	"POST /invite/{token}":                  {who: "public"},
	"/":                                     {who: "any"}, // the signed-in catch-all: a 404 page
	"GET /{$}":                              {who: "any"},
	"GET /home":                             {who: "any"},
	"POST /logout":                          {who: "any"},
	"GET /leads":                            {who: "any"},
	"GET /leads/new":                        {who: "any"},
	"POST /leads":                           {who: "any", form: url.Values{"email": {"new.{role}@matrix.example"}}},
	"GET /leads/{id}":                       {who: "any", record: "lead"},
	"GET /leads/{id}/edit":                  {who: "any", record: "lead"},
	"POST /leads/{id}":                      {who: "any", record: "lead", form: url.Values{"city": {"Matrixville"}}},
	"POST /leads/{id}/stage":                {who: "any", record: "lead", form: url.Values{"stage": {"nurturing"}, "reason": {"later"}}},
	"POST /leads/{id}/qualify":              {who: "any", record: "lead", form: url.Values{"outcome": {"sql"}, "authority": {"decision_maker"}, "need": {"a CRM"}, "timing": {"2027-Q1"}}},
	"POST /leads/{id}/contacted":            {who: "any", record: "lead", form: url.Values{}},
	"POST /leads/{id}/account/unlink":       {who: "any", record: "lead", form: url.Values{}},
	"GET /leads/{id}/convert":               {who: "any", record: "convertible"},
	"POST /leads/{id}/convert":              {who: "any", record: "convertible", form: url.Values{"open_deal": {"on"}, "deal_name": {"Matrix deal"}}},
	"GET /leads/{id}/delete":                {who: "marketing", record: "lead"},
	"POST /leads/{id}/delete":               {who: "marketing", record: "lead", form: url.Values{}},
	"GET /leads/export.csv":                 {who: "any"},
	"GET /accounts":                         {who: "any"},
	"POST /accounts":                        {who: "any", form: url.Values{"name": {"Matrix {role} Ltd"}}},
	"GET /accounts/{id}":                    {who: "any", record: "account"},
	"POST /accounts/{id}/tier":              {who: "any", record: "account", form: url.Values{"tier": {"2"}}},
	"GET /accounts/scoring":                 {who: "marketing"},
	"POST /accounts/scoring":                {who: "marketing", form: url.Values{"hot": {"80"}, "warm": {"40"}, "tier_1": {"80"}, "tier_2": {"40"}, "rows": {"0"}}},
	"POST /accounts/{id}":                   {who: "any", record: "account", form: url.Values{"name": {"Renamed"}, "city": {"Cluj"}, "owner": {"{owner}"}}},
	"GET /contacts":                         {who: "any"},
	"GET /contacts/{id}":                    {who: "any", record: "contact"},
	"POST /contacts/{id}/role":              {who: "any", record: "contact", form: url.Values{"role": {"champion"}}},
	"GET /deals":                            {who: "any"},
	"POST /deals":                           {who: "any", record: "contact", form: url.Values{"account_id": {"{account}"}, "contact_id": {"{id}"}, "deal_name": {"Second deal"}}},
	"GET /deals/{id}":                       {who: "any", record: "deal"},
	"POST /deals/{id}":                      {who: "any", record: "deal", form: url.Values{"deal_name": {"Renamed deal"}, "amount": {"5"}, "currency": {"EUR"}}},
	"POST /deals/{id}/move":                 {who: "any", record: "deal", form: url.Values{"stage": {"won"}}},
	"GET /reports":                          {who: "any"},
	"GET /reports/accounts":                 {who: "any"},
	"POST /reports/accounts/enrol":          {who: "marketing", form: url.Values{"tier": {"1"}, "sequence_id": {"{sequence}"}}},
	"POST /accounts/{id}/enrol":             {who: "marketing", record: "account", form: url.Values{"sequence_id": {"{sequence}"}}},
	"POST /reports/spend":                   {who: "marketing", form: url.Values{"channel": {"ads"}, "month": {"2026-10"}, "amount": {"100"}, "currency": {"EUR"}}},
	"GET /settings/pipeline":                {who: "admin"},
	"POST /settings/pipeline":               {who: "admin", form: url.Values{}},
	"GET /settings/mailboxes":               {who: "admin"},
	"POST /settings/mailboxes":              {who: "admin", form: url.Values{"name": {"Matrix"}, "address": {"127.0.0.1:1"}, "security": {"none"}, "username": {"m"}, "password": {"p"}}},
	"POST /settings/mailboxes/{id}":         {who: "admin", record: "mailbox", form: url.Values{"name": {"Matrix"}, "address": {"127.0.0.1:1"}, "security": {"none"}, "username": {"m"}}},
	"POST /settings/mailboxes/{id}/check":   {who: "admin", record: "mailbox", form: url.Values{}},
	"POST /settings/mailboxes/{id}/delete":  {who: "admin", record: "mailbox", form: url.Values{}},
	"GET /assignment":                       {who: "admin"},
	"POST /assignment/rules":                {who: "admin", form: url.Values{}},
	"POST /assignment/rules/{id}":           {who: "admin", record: "rule", form: url.Values{}},
	"GET /assignment/rules/{id}/delete":     {who: "admin", record: "rule"},
	"POST /assignment/rules/{id}/delete":    {who: "admin", record: "rule", form: url.Values{}},
	"POST /assignment/settings":             {who: "admin", form: url.Values{}},
	"POST /assignment/account-owner":        {who: "admin", form: url.Values{}},
	"GET /forms":                            {who: "marketing"},
	"GET /forms/new":                        {who: "marketing"},
	"POST /forms":                           {who: "marketing", form: url.Values{}},
	"GET /forms/{id}":                       {who: "marketing", record: "form"},
	"POST /forms/{id}":                      {who: "marketing", record: "form", form: url.Values{}},
	"GET /forms/{id}/delete":                {who: "marketing", record: "form"},
	"POST /forms/{id}/delete":               {who: "marketing", record: "form", form: url.Values{}},
	"GET /forms/{id}/landing/new":           {who: "marketing", record: "form"},
	"POST /forms/{id}/landing":              {who: "marketing", record: "form", form: url.Values{}},
	"GET /forms/{id}/landing/{lid}":         {who: "marketing", record: "form"},
	"POST /forms/{id}/landing/{lid}":        {who: "marketing", record: "form", form: url.Values{}},
	"GET /forms/{id}/landing/{lid}/delete":  {who: "marketing", record: "form"},
	"POST /forms/{id}/landing/{lid}/delete": {who: "marketing", record: "form", form: url.Values{}},
	"GET /submissions":                      {who: "marketing"},
	"GET /submissions/{id}":                 {who: "marketing", record: "submission"},
	"POST /submissions/{id}/accept":         {who: "marketing", record: "submission", form: url.Values{}},
	"GET /submissions/{id}/discard":         {who: "marketing", record: "submission"},
	"POST /submissions/{id}/discard":        {who: "marketing", record: "submission", form: url.Values{}},
	"GET /imports":                          {who: "marketing"},
	"POST /imports":                         {who: "marketing", form: url.Values{}},
	"GET /imports/{id}":                     {who: "marketing", record: "import"},
	"POST /imports/{id}/encoding":           {who: "marketing", record: "import", form: url.Values{"encoding": {"utf-8"}}},
	"POST /imports/{id}/start":              {who: "marketing", record: "import", form: url.Values{}},
	"GET /imports/{id}/rejects.csv":         {who: "marketing", record: "import"},
	"GET /jobs":                             {who: "admin"},
	"POST /jobs/{id}/retry":                 {who: "admin", record: "job", form: url.Values{}},
	"GET /privacy":                          {who: "admin"},
	"GET /privacy/export":                   {who: "admin"},
	"GET /privacy/erase":                    {who: "admin"},
	"POST /privacy/erase":                   {who: "admin", form: url.Values{}},
	"GET /audit":                            {who: "admin"},
	"GET /audit/export.csv":                 {who: "admin"},
	"GET /duplicates":                       {who: "marketing"},
	"GET /duplicates/merge":                 {who: "marketing", record: "merge"},
	"POST /duplicates/merge":                {who: "marketing", record: "merge", form: url.Values{}},
	"POST /duplicates/dismiss":              {who: "marketing", form: url.Values{"a": {"{twinA}"}, "b": {"{twinB}"}}},
	"POST /duplicates/undo":                 {who: "marketing", form: url.Values{"merge": {"0"}}},
	"POST /duplicates/values":               {who: "marketing", form: url.Values{"review": {"0"}}},
	"GET /duplicates/accept":                {who: "marketing"},
	"POST /duplicates/accept":               {who: "marketing", form: url.Values{}},
	"GET /scoring":                          {who: "marketing"},
	"POST /scoring":                         {who: "marketing", form: url.Values{}},
	"POST /scoring/origins":                 {who: "marketing", form: url.Values{}},
	"POST /scoring/whatif":                  {who: "marketing", form: url.Values{"months": {"6"}}},
	"GET /prediction":                       {who: "marketing"},
	"POST /prediction/train":                {who: "marketing", form: url.Values{}},
	"POST /prediction/models/{id}/restore":  {who: "marketing", record: "model", form: url.Values{}},
	"GET /users":                            {who: "admin"},
	"POST /users":                           {who: "admin", form: url.Values{}},
	"POST /users/invitations":               {who: "admin", form: url.Values{"email": {"invitee.{role}@example.com"}, "role": {"sales"}}},
	"POST /users/language":                  {who: "admin", form: url.Values{"team_language": {"en"}}},
	"GET /nurture":                          {who: "marketing"},
	"GET /nurture/templates/new":            {who: "marketing"},
	"POST /nurture/templates":               {who: "marketing", form: url.Values{"name": {"New {role}"}, "subject": {"Hi"}, "text": {"Hello"}}},
	"GET /nurture/templates/{id}":           {who: "marketing", record: "template"},
	"POST /nurture/templates/{id}":          {who: "marketing", record: "template", form: url.Values{"name": {"Edited {role}"}, "subject": {"Hi"}, "text": {"Hello"}, "version": {"1"}}},
	"POST /nurture/templates/{id}/test":     {who: "marketing", record: "template", form: url.Values{}},
	"GET /nurture/templates/{id}/delete":    {who: "marketing", record: "template"},
	"POST /nurture/templates/{id}/delete":   {who: "marketing", record: "template", form: url.Values{}},
	"GET /nurture/sequences/new":            {who: "marketing"},
	"POST /nurture/sequences":               {who: "marketing", form: url.Values{"name": {"New {role}"}, "status": {"draft"}, "trigger_kind": {"manual"}}},
	"GET /nurture/sequences/{id}":           {who: "marketing", record: "sequence"},
	"POST /nurture/sequences/{id}":          {who: "marketing", record: "sequence", form: url.Values{"name": {"Edited {role}"}, "status": {"draft"}, "trigger_kind": {"manual"}, "version": {"1"}}},
	"GET /nurture/sequences/{id}/delete":    {who: "marketing", record: "sequence"},
	"POST /nurture/sequences/{id}/delete":   {who: "marketing", record: "sequence", form: url.Values{}},
	"POST /leads/{id}/enrolments":           {who: "marketing", record: "lead", form: url.Values{"sequence": {"{sequence}"}}},
	"POST /enrolments/{id}/exit":            {who: "any", record: "enrolment", form: url.Values{"reason": {"replied"}}},
	"GET /mail":                             {who: "admin"},
	"POST /mail/{id}/retry":                 {who: "admin", record: "mail", form: url.Values{}},
	"POST /users/invitations/{id}/revoke":   {who: "admin", record: "invitation", form: url.Values{}},
	"POST /users/{id}/role":                 {who: "admin", record: "user", form: url.Values{"role": {"sales"}}},
	"POST /users/{id}/disable":              {who: "admin", record: "user", form: url.Values{}},
	"POST /users/{id}/enable":               {who: "admin", record: "user", form: url.Values{}},
	"GET /users/{id}/delete":                {who: "admin", record: "user"},
	"POST /users/{id}/delete":               {who: "admin", record: "user", form: url.Values{}},
	"POST /users/{id}/tokens/{tid}/revoke":  {who: "admin", record: "user", form: url.Values{}},
	"GET /segments":                         {who: "any"},
	"GET /segments/new":                     {who: "marketing"},
	"POST /segments":                        {who: "marketing", form: url.Values{"name": {"Matrix {role}"}, "action": {"save"}, "c0_field": {"stage"}, "c0_op": {"in"}, "c0_stage": {"mql"}}},
	"GET /segments/{id}":                    {who: "any", record: "segment"},
	"GET /segments/{id}/edit":               {who: "marketing", record: "segment"},
	"POST /segments/{id}":                   {who: "marketing", record: "segment", form: url.Values{"name": {"Renamed {role}"}, "action": {"save"}}},
	"GET /segments/{id}/delete":             {who: "marketing", record: "segment"},
	"POST /segments/{id}/delete":            {who: "marketing", record: "segment", form: url.Values{}},
	"GET /account":                          {who: "any"},
	"POST /account/password":                {who: "any", form: url.Values{"current_password": {"not it"}, "password": {"another long password"}}},
	"POST /account/language":                {who: "any", form: url.Values{"language": {"en"}}},
	"POST /account/tokens":                  {who: "any", form: url.Values{"name": {"matrix"}}},
	"POST /account/tokens/{id}/revoke":      {who: "nobody", record: "others-token", form: url.Values{}},
	"POST /account/sessions/{id}/revoke":    {who: "nobody", record: "others-session", form: url.Values{}},
	"GET /solutions":                        {who: "any"},
	"POST /solutions":                       {who: "marketing", form: solutionForm("New {role}")},
	"POST /solutions/import":                {who: "marketing", form: url.Values{}},
	"GET /solutions/{id}":                   {who: "any", record: "solution"},
	"POST /solutions/{id}":                  {who: "marketing", record: "solution", form: solutionForm("Renamed {role}")},
	"POST /solutions/{id}/delete":           {who: "marketing", record: "solution", form: url.Values{}},
	"POST /features":                        {who: "marketing", form: url.Values{"key": {"walk-{role}"}, "name": {"Walk"}}},
	"POST /features/delete":                 {who: "marketing", form: url.Values{"key": {"unused-{role}"}}},
	"GET /settings/matching":                {who: "any"},
	"POST /settings/matching":               {who: "admin", form: url.Values{"nice_to_have": {"30"}, "industry": {"20"}, "language": {"10"}, "licences": {"10"}, "budget": {"30"}, "threshold": {"50"}, "tolerance": {"10"}}},
	"GET /leads/{id}/software":              {who: "any", record: "lead"},
	"POST /leads/{id}/software":             {who: "any", record: "lead", form: url.Values{"category": {"crm"}, "licences": {"4"}}},
	"POST /leads/{id}/projects":             {who: "any", record: "lead", form: url.Values{"title": {"Walk project"}}},
	"GET /leads/{id}/brief":                 {who: "any", record: "lead"},
	"GET /leads/{id}/brief.pdf":             {who: "any", record: "lead"},
	"POST /leads/{id}/handoffs":             {who: "any", record: "lead", form: url.Values{}}, // 422 when allowed: no vendor chosen
	"POST /handoffs/{id}/answer":            {who: "any", record: "handoff", form: url.Values{"status": {"accepted"}}},
	"GET /projects/{id}":                    {who: "any", record: "project"},
	"POST /projects/{id}":                   {who: "any", record: "project", form: url.Values{"title": {"Renamed project"}, "status": {"analysis"}}},
	"GET /reports/software":                 {who: "any"},
}

// ownerKinds are the three owners a record of an owner-scoped kind is
// tried with: the sales user's own, Sue's (another sales user), and an
// unassigned one.
var ownerKinds = []string{"own", "other", "unassigned"}

// TestPageAuthorizationMatrix walks every page route the router serves
// (web.Routes): signed out, each private one sends to the sign-in page;
// for each role each is refused (403 or 404) exactly when the matrix
// says so, and for the owner-scoped records with the user's own,
// another sales user's and an unassigned record; the lists and the
// export show exactly the records the role may read. Routes that change
// something send a change that succeeds when allowed; after the sales
// user's walk, every record of Sue's is as it was, and no deal names her
// contact: neither the change nor its side effects (a win making
// customers, a deal naming a contact, a conversion, a merge) reached it.
// No call answers a server error.
func TestPageAuthorizationMatrix(t *testing.T) {
	var routes []web.Route
	for _, rt := range web.Routes() {
		// The public "/" is where the signed-in pages hang, each one
		// a route of its own below.
		if rt.Pattern != "/" || rt.Private {
			routes = append(routes, rt)
		}
	}
	var patterns []string
	for _, rt := range routes {
		patterns = append(patterns, rt.Pattern)
		rule, ok := pageMatrix[rt.Pattern]
		switch {
		case !ok:
			t.Errorf("page route %q has no entry in the authorization matrix: say who may use it", rt.Pattern)
		case rt.Private == (rule.who == "public"):
			t.Errorf("page route %q: private %v, but the matrix says %q", rt.Pattern, rt.Private, rule.who)
		}
	}
	for p := range pageMatrix {
		if !slices.Contains(patterns, p) {
			t.Errorf("the matrix names %q, which the router does not serve", p)
		}
	}
	if t.Failed() {
		return
	}
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		calls := 0
		anon := newBrowser(t, f.srv.URL)
		for _, rt := range routes {
			if !rt.Private {
				continue
			}
			method, path := splitRoute(rt.Pattern)
			path = strings.NewReplacer("{id}", "1", "{lid}", "1", "{tid}", "1", "{$}", "").Replace(path)
			status, loc, _ := anon.do(method, path, url.Values{}, f.srv.URL)
			calls++
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("%s %s signed out: %d → %q, want the sign-in page", method, path, status, loc)
			}
		}
		for _, role := range []string{"sales", "marketing", "admin"} {
			recs := matrixRecords(t, f, db, role)
			before := sueSnapshot(t, db, recs)
			b := newBrowser(t, f.srv.URL)
			b.login(map[string]string{"sales": "sam@example.com", "marketing": "mia@example.com", "admin": "admin@example.com"}[role])
			listsShow(t, b, recs, role)
			for _, rt := range walkOrder(routes) {
				rule := pageMatrix[rt.Pattern]
				if rule.who == "public" {
					continue
				}
				kinds := []string{""}
				if ownerScoped[rule.record] || rule.record == "convertible" {
					kinds = ownerKinds
				}
				for _, kind := range kinds {
					method, path, form := recs.request(rt.Pattern, rule, kind, role)
					status, loc, body := b.do(method, path, form, f.srv.URL)
					calls++
					refused := status == http.StatusForbidden || status == http.StatusNotFound
					if rt.Pattern == "POST /logout" {
						if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
							t.Errorf("sign out as %s: %d → %q", role, status, loc)
						}
						continue
					}
					if strings.HasPrefix(loc, "/login") {
						t.Fatalf("%s %s as %s: signed out (%d → %s)", method, path, role, status, loc)
					}
					switch want := mayUse(rule, role, kind); {
					case status >= 500:
						t.Errorf("%s %s as %s (%s record): %d\n%.300s", method, path, role, kind, status, body)
					case rt.Pattern == "/":
						if status != http.StatusNotFound {
							t.Errorf("%s %s as %s: %d, want the not-found page", method, path, role, status)
						}
					case want && refused:
						t.Errorf("%s %s as %s (%s record): %d, want it allowed\n%.300s", method, path, role, kind, status, textOf(body))
					case !want && !refused:
						t.Errorf("%s %s as %s (%s record): %d, want 403 or 404", method, path, role, kind, status)
					}
				}
			}
			if role == "sales" {
				if after := sueSnapshot(t, db, recs); after != before {
					t.Errorf("after the sales user's walk, Sue's records changed:\nbefore %s\nafter  %s", before, after)
				}
				// What was allowed happened, to Sam's records and the
				// unassigned ones alike.
				for _, kind := range []string{"own", "unassigned"} {
					if got := changesMade(t, db, recs, kind); got != "Matrixville converted won customer 1" {
						t.Errorf("the sales user's walk over the %s records: %q, want the edit, the conversion, the win and the second deal", kind, got)
					}
				}
			}
		}
		t.Logf("%d page routes, %d calls", len(routes), calls)
	})
}

// listsShow checks the lists and the export, the reads that name no
// record: the sales user's own and the unassigned leads, contacts and
// deals are in them and another sales user's are not; marketing and
// admins see all three.
func listsShow(t *testing.T, b *browser, recs records, role string) {
	t.Helper()
	for _, l := range []struct{ page, kind, shows string }{
		{"/leads?limit=200", "convertible", `href="/leads/%s"`},
		{"/contacts?limit=200", "contact", `href="/contacts/%s"`},
		{"/deals?view=list&limit=200", "deal", `href="/deals/%s"`},
		{"/leads/export.csv", "email", "%s"},
	} {
		status, _, body := b.get(l.page)
		if status != http.StatusOK {
			t.Errorf("%s as %s: %d", l.page, role, status)
			continue
		}
		for _, kind := range ownerKinds {
			id := recs[l.kind+":"+kind]
			if l.kind == "email" {
				id = "sql@" + role + "-" + kind + ".example"
			}
			want := role != "sales" || kind != "other"
			if got := strings.Contains(body, fmt.Sprintf(l.shows, id)); got != want {
				t.Errorf("%s as %s shows the %s record %s: %v, want %v", l.page, role, kind, id, got, want)
			}
		}
	}
}

// mayUse is what the matrix says of role on a route, with a record of
// the owner kind (own, other, unassigned; "" when none).
func mayUse(rule pageRule, role, kind string) bool {
	switch {
	case rule.who == "nobody":
		return false
	case rule.who == "admin" && role != "admin", rule.who == "marketing" && role == "sales", rule.who == "billing" && role == "marketing":
		return false
	}
	// Sales reaches its own and unassigned records, and every account.
	return role != "sales" || kind != "other" || rule.record == "account"
}

// walkOrder puts the routes that end a record (delete, discard, revoke,
// merge) and signing out last, each before what it hangs on, so the walk does not remove what later
// routes name.
func walkOrder(routes []web.Route) []web.Route {
	out := slices.Clone(routes)
	rank := func(p string) int {
		switch {
		case p == "POST /logout":
			return 3
		case strings.Contains(p, "merge") || strings.Contains(p, "landing/{lid}/delete") || strings.Contains(p, "tokens/{tid}"):
			return 1 // before the leads and the form go
		case strings.Contains(p, "delete") || strings.Contains(p, "discard") || strings.Contains(p, "revoke"):
			return 2
		}
		return 0
	}
	slices.SortStableFunc(out, func(a, b web.Route) int { return rank(a.Pattern) - rank(b.Pattern) })
	return out
}

func splitRoute(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return "GET", pattern + "nowhere"
	}
	if path == "/static/" {
		path += "app.css"
	}
	return method, path
}

// textOf is a page without its markup, short enough for a message.
func textOf(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	return page
}

// records are the ids a walk's requests name: by kind, and for the
// owner-scoped kinds by "kind:own", "kind:other" and "kind:unassigned".
type records map[string]string

func (recs records) request(pattern string, rule pageRule, kind, role string) (string, string, url.Values) {
	method, path := splitRoute(pattern)
	id := recs[rule.record]
	if kind != "" {
		id = recs[rule.record+":"+kind]
	}
	pairs := []string{"{id}", id, "{lid}", recs["landing"], "{tid}", recs["user-token"], "{$}", "",
		"{account}", recs["account:"+kind], "{owner}", recs["owner:"+kind], "{role}", role, "{sequence}", recs["sequence"]}
	for k, v := range recs { // other "{name}" entries stand for ids in forms
		if strings.HasPrefix(k, "{") {
			pairs = append(pairs, k, v)
		}
	}
	repl := strings.NewReplacer(pairs...)
	path = repl.Replace(path)
	if rule.record == "merge" {
		path += "?keep=" + recs["twin:own"] + "&other=" + recs["twin:other"]
	}
	if method == "GET" {
		return method, path, nil
	}
	form := url.Values{}
	for k, vs := range rule.form {
		for _, v := range vs {
			form.Add(k, repl.Replace(v))
		}
	}
	return method, path, form
}

// matrixRecords makes a fresh set of records for one role's walk: for
// Sam (the sales user), Sue (another) and nobody, an SQL lead to convert
// and a converted one with its account, contact and deal; the unassigned
// ones belonged to a user since deleted, as unassigned records come to
// be. Also a form with its landing page and a refused submission, an
// import, a rule, a job, a user with a token, an invitation, and Sue's
// own token and session.
func matrixRecords(t *testing.T, f *fixture, db *sqldb.DB, role string) records {
	t.Helper()
	recs := records{}
	id := func(m map[string]any, key string) string { return fmt.Sprint(m[key]) }
	// must(f.call(...))(want, what) is the answer's body, or the end.
	must := func(status int, body map[string]any) func(int, string) map[string]any {
		return func(want int, what string) map[string]any {
			if status != want {
				t.Fatalf("%s: %d %v", what, status, body)
			}
			return body
		}
	}
	leo := "leo." + role + "@example.com"
	leoUser := must(f.call(t, "admin", "POST", "/api/v1/users", `{"email":"`+leo+`","password":"`+testPassword+`","role":"sales"}`))(http.StatusCreated, "user leo")
	for _, o := range []struct{ kind, owner string }{{"own", "sam@example.com"}, {"other", "sue@example.com"}, {"unassigned", leo}} {
		tag := role + "-" + o.kind
		l := must(f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"sql@`+tag+`.example","company":"Open `+tag+`","owner":"`+o.owner+`","stage":"sql"}`))(http.StatusCreated, "lead")
		recs["convertible:"+o.kind] = id(l, "id")
		c := must(f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"won@`+tag+`.example","company":"Won `+tag+`","owner":"`+o.owner+`","stage":"sql"}`))(http.StatusCreated, "lead")
		recs["lead:"+o.kind] = id(c, "id")
		conv := must(f.call(t, "admin", "POST", "/api/v1/leads/"+id(c, "id")+"/convert", `{"opportunity":{"name":"Deal `+tag+`","amount":1000,"currency":"EUR"}}`))(http.StatusCreated, "convert")
		recs["account:"+o.kind], recs["contact:"+o.kind], recs["deal:"+o.kind] = id(conv, "account_id"), id(conv, "contact_id"), id(conv, "opportunity_id")
		recs["owner:"+o.kind] = o.owner
		// Twins to merge: the same name at the same company.
		twin := must(f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"twin.`+o.kind+`@`+role+`.example","first_name":"Tess","last_name":"Twin","company":"Twins `+role+`","owner":"`+o.owner+`"}`))(http.StatusCreated, "twin")
		recs["twin:"+o.kind] = id(twin, "id")
	}
	recs["{twinA}"], recs["{twinB}"] = recs["twin:own"], recs["twin:unassigned"]
	// Nurturing: a template no sequence sends, a sequence, each kind of
	// lead enrolled in it, and a failed email.
	tpl := must(f.call(t, "admin", "POST", "/api/v1/email-templates", `{"name":"Matrix `+role+`","subject":"Hi","text":"Hello"}`))(http.StatusCreated, "template")
	recs["template"] = id(tpl, "id")
	seq := must(f.call(t, "admin", "POST", "/api/v1/sequences", `{"name":"Matrix `+role+`","steps":[{"kind":"wait","days":1}]}`))(http.StatusCreated, "sequence")
	recs["sequence"] = id(seq, "id")
	for _, kind := range []string{"own", "other", "unassigned"} {
		e := must(f.call(t, "admin", "POST", "/api/v1/leads/"+recs["lead:"+kind]+"/enrolments", `{"sequence_id":`+recs["sequence"]+`}`))(http.StatusCreated, "enrol")
		recs["enrolment:"+kind] = id(e, "id")
	}
	var mailID int64
	if err := db.W.QueryRow(context.Background(), `INSERT INTO mail_outbox (kind, to_addr, subject, text_body, message_id, status, created_at)
		VALUES ('test', 'x@example.com', 's', 't', ?, 'failed', 0) RETURNING id`, "matrix-"+role+"@example.com").Scan(&mailID); err != nil {
		t.Fatal(err)
	}
	recs["mail"] = fmt.Sprint(mailID)
	recs["owner:unassigned"] = ""
	activityPageRecords(t, f, recs, role, leo)
	invoicePageRecords(t, f, db, recs, leo)
	viewRecords(t, f, recs, role, nil)
	noticeRecords(t, db, recs, nil)
	modelPageRecord(t, db, recs)
	must(f.call(t, "admin", "DELETE", "/api/v1/users/"+id(leoUser, "id"), ""))(http.StatusNoContent, "delete leo")

	fm := createForm(t, f, `{"slug":"matrix-`+role+`","name":"Matrix","fields":[{"name":"email"}]}`)
	recs["form"] = id(fm, "id")
	lp := must(f.call(t, "admin", "POST", "/api/v1/landing-pages", `{"slug":"lp-`+role+`","form_id":`+id(fm, "id")+`,"template":"split","headline":"M"}`))(http.StatusCreated, "landing page")
	recs["landing"] = id(lp, "id")
	post(t, f.srv.URL, "/f/matrix-"+role, "application/json", `{"email":"not an address `+role+`"}`)
	var sub int64
	if err := db.R.QueryRow(context.Background(), `SELECT MAX(id) FROM submissions`).Scan(&sub); err != nil {
		t.Fatal(err)
	}
	recs["submission"] = fmt.Sprint(sub)
	rule := must(f.call(t, "admin", "POST", "/api/v1/assignment/rules", `{"name":"Matrix `+role+`","members":["sam@example.com"]}`))(http.StatusCreated, "rule")
	recs["rule"] = id(rule, "id")
	recs["job"] = fmt.Sprint(failedJob(t, db))
	admin := newBrowser(t, f.srv.URL)
	admin.login("admin@example.com")
	status, loc, body := admin.upload("matrix.csv", "email,first_name\nm1@matrix.example,Mo\n")
	if status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", status, body)
	}
	recs["import"] = strings.TrimPrefix(loc, "/imports/")

	vic := must(f.call(t, "admin", "POST", "/api/v1/users", `{"email":"vic.`+role+`@example.com","password":"`+testPassword+`","role":"marketing"}`))(http.StatusCreated, "user vic")
	recs["user"] = id(vic, "id")
	if _, err := user.NewService(db).CreateToken(context.Background(), access.System, "vic."+role+"@example.com", "vic's"); err != nil {
		t.Fatal(err)
	}
	var tok int64
	if err := db.R.QueryRow(context.Background(), `SELECT MAX(id) FROM api_tokens`).Scan(&tok); err != nil {
		t.Fatal(err)
	}
	recs["user-token"] = fmt.Sprint(tok)
	seg := must(f.call(t, "admin", "POST", "/api/v1/segments", `{"name":"Segment `+role+`","conditions":[{"field":"stage","op":"in","values":["sql"]}]}`))(http.StatusCreated, "segment")
	recs["segment"] = id(seg, "id")
	inv := must(f.call(t, "admin", "POST", "/api/v1/invitations", `{"email":"invited.`+role+`@example.com","role":"sales"}`))(http.StatusCreated, "invitation")
	recs["invitation"] = id(inv, "id")
	mb := must(f.call(t, "admin", "POST", "/api/v1/mailboxes", `{"name":"Matrix `+role+`","address":"127.0.0.1:1","security":"none","username":"m","password":"p"}`))(http.StatusCreated, "mailbox")
	recs["mailbox"] = id(mb, "id")
	sues := must(f.call(t, "sales2", "POST", "/api/v1/me/tokens", `{"name":"sue's `+role+`"}`))(http.StatusCreated, "sue's token")
	recs["others-token"] = id(sues, "id")
	sue := newBrowser(t, f.srv.URL)
	sue.login("sue@example.com")
	_, sessions := f.call(t, "sales2", "GET", "/api/v1/me/sessions", "")
	if data, _ := sessions["data"].([]any); len(data) > 0 {
		recs["others-session"] = id(data[len(data)-1].(map[string]any), "id")
	}
	matchingRecords(t, f, recs, role)
	webhookPageRecords(t, f, db, recs)
	projectPageRecords(t, f, recs, role)
	teamPageRecords(t, f, db, recs, role)
	return recs
}

// sueSnapshot is everything of Sue's records in recs that a change would
// touch: her leads, contact and deal as stored, the deals that name her
// contact, her lead a merge would remove, and her token.
func sueSnapshot(t *testing.T, db *sqldb.DB, recs records) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	for _, q := range []struct{ sql, id string }{
		{`SELECT stage || ' ' || COALESCE(owner_id, 0) || ' ' || version || ' ' || updated_at || ' ' || city || ' ' || COALESCE(contact_id, 0) FROM leads WHERE id = ?`, recs["lead:other"]},
		{`SELECT stage || ' ' || COALESCE(owner_id, 0) || ' ' || version || ' ' || updated_at || ' ' || city || ' ' || COALESCE(contact_id, 0) FROM leads WHERE id = ?`, recs["convertible:other"]},
		{`SELECT stage || ' ' || COALESCE(owner_id, 0) || ' ' || version || ' ' || updated_at FROM contacts WHERE id = ?`, recs["contact:other"]},
		{`SELECT stage || ' ' || COALESCE(owner_id, 0) || ' ' || version || ' ' || updated_at || ' ' || name FROM opportunities WHERE id = ?`, recs["deal:other"]},
		{`SELECT CAST(COUNT(*) AS TEXT) FROM opportunities WHERE contact_id = ?`, recs["contact:other"]},
		{`SELECT CAST(COUNT(*) AS TEXT) FROM leads WHERE id = ?`, recs["twin:other"]},
		{`SELECT CAST(COUNT(*) AS TEXT) FROM api_tokens WHERE id = ?`, recs["others-token"]},
	} {
		var s string
		if err := db.R.QueryRow(ctx, q.sql, q.id).Scan(&s); err != nil {
			t.Fatalf("snapshot %s: %v", q.sql, err)
		}
		fmt.Fprintf(&out, "[%s] ", s)
	}
	return out.String()
}

// changesMade reads what the walk's changes left on the records of one
// owner kind: the edited lead's city, whether the SQL lead was converted,
// the deal's stage, its contact's stage and the deals opened later with
// that contact.
func changesMade(t *testing.T, db *sqldb.DB, recs records, kind string) string {
	t.Helper()
	ctx := context.Background()
	var city, deal, contact string
	var converted, more int
	err := db.R.QueryRow(ctx, `SELECT city FROM leads WHERE id = ?`, recs["lead:"+kind]).Scan(&city)
	if err == nil {
		err = db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads WHERE id = ? AND contact_id IS NOT NULL`, recs["convertible:"+kind]).Scan(&converted)
	}
	if err == nil {
		err = db.R.QueryRow(ctx, `SELECT o.stage, c.stage FROM opportunities o JOIN contacts c ON c.id = o.contact_id WHERE o.id = ?`, recs["deal:"+kind]).Scan(&deal, &contact)
	}
	if err == nil {
		err = db.R.QueryRow(ctx, `SELECT COUNT(*) FROM opportunities WHERE contact_id = ? AND name = 'Second deal'`, recs["contact:"+kind]).Scan(&more)
	}
	if err != nil {
		t.Fatal(err)
	}
	conv := map[int]string{0: "not converted", 1: "converted"}[converted]
	return fmt.Sprintf("%s %s %s %s %d", city, conv, deal, contact, more)
}

// Activities, the calendar and products (kept apart from the blocks
// above). Activities are owner-scoped like leads; the lines of a deal
// are its owner's; the catalog is the admins'.
var activityPageMatrix = map[string]pageRule{
	"GET /calendar/feed/{file}":       {who: "public"},
	"GET /today":                      {who: "any"},
	"GET /activities/new":             {who: "any"},
	"POST /activities":                {who: "any", form: url.Values{"kind": {"call"}, "subject": {"Matrix {role}"}, "due": {"2026-12-01T10:00"}}},
	"GET /activities/{id}":            {who: "any", record: "activity"},
	"POST /activities/{id}":           {who: "any", record: "activity", form: url.Values{"kind": {"call"}, "subject": {"Edited"}, "due": {"2026-12-01T11:00"}, "status": {"planned"}}},
	"POST /activities/{id}/complete":  {who: "any", record: "activity", form: url.Values{"outcome": {"Reached"}}},
	"POST /activities/{id}/move":      {who: "any", record: "activity", form: url.Values{"due": {"2026-12-02T09:00"}}},
	"POST /activities/{id}/delete":    {who: "any", record: "activity", form: url.Values{}},
	"GET /activities/{id}/invite.ics": {who: "any", record: "activity"},
	"GET /calendar":                   {who: "any"},
	"GET /calendar/settings":          {who: "any"},
	"POST /calendar/settings":         {who: "any", form: url.Values{"time_zone": {"Europe/Oslo"}}},
	"POST /calendar/feed":             {who: "any", form: url.Values{}},
	"POST /calendar/feed/revoke":      {who: "any", form: url.Values{}},
	"GET /products":                   {who: "any"},
	"POST /products":                  {who: "admin", form: url.Values{"name": {"Matrix {role} add-on"}, "unit_price": {"10"}, "currency": {"EUR"}, "active": {"on"}}},
	"POST /products/{id}":             {who: "admin", record: "product", form: url.Values{"name": {"Matrix seat {role}"}, "unit_price": {"12.50"}, "currency": {"EUR"}, "active": {"on"}}},
	"POST /deals/{id}/products":       {who: "any", record: "deal", form: url.Values{"product_id": {"{product}"}, "quantity": {"2"}}},
	"POST /deal-products/{id}/delete": {who: "any", record: "deal-line", form: url.Values{}},
}

func init() {
	for rt, rule := range activityPageMatrix {
		pageMatrix[rt] = rule
	}
	ownerScoped["activity"], ownerScoped["deal-line"] = true, true
}

// activityPageRecords adds, for the own, other and unassigned owners (the
// last still leo, deleted after), an activity and a product line on
// their deal, and the product.
func activityPageRecords(t *testing.T, f *fixture, recs records, role, leo string) {
	t.Helper()
	status, prod := f.call(t, "admin", "POST", "/api/v1/products", `{"name":"Matrix seat `+role+`","unit_price":"10","currency":"EUR"}`)
	if status != http.StatusCreated {
		t.Fatalf("product: %d %v", status, prod)
	}
	recs["product"], recs["{product}"] = fmt.Sprint(prod["id"]), fmt.Sprint(prod["id"])
	for kind, owner := range map[string]string{"own": "sam@example.com", "other": "sue@example.com", "unassigned": leo} {
		status, act := f.call(t, "admin", "POST", "/api/v1/activities", `{"kind":"meeting","subject":"Matrix `+kind+`","due_at":"2026-12-01T10:00:00Z","duration":30,"owner":"`+owner+`"}`)
		if status != http.StatusCreated {
			t.Fatalf("activity: %d %v", status, act)
		}
		recs["activity:"+kind] = fmt.Sprint(act["id"])
		status, line := f.call(t, "admin", "POST", "/api/v1/opportunities/"+recs["deal:"+kind]+"/products", `{"product_id":`+recs["product"]+`,"quantity":1}`)
		if status != http.StatusCreated {
			t.Fatalf("deal line: %d %v", status, line)
		}
		recs["deal-line:"+kind] = fmt.Sprint(line["id"])
	}
}
