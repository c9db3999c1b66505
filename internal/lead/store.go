package lead

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/identity"
	"leadflow/internal/live"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// columns is what every lead read selects, in scan order.
const columns = `l.id, l.email, l.first_name, l.last_name, l.phone, l.company, l.job_title,
	l.employees, l.industry, l.country, l.city, l.website, l.existing_customer, l.source,
	l.utm_source, l.utm_medium, l.utm_campaign, l.consent, l.consent_at, l.stage, l.score,
	l.grade, COALESCE(l.owner_id, 0), COALESCE(u.email, ''), l.created_at, l.updated_at, l.custom,
	l.contact_due_at, l.contacted_at, l.converted_at, COALESCE(l.account_id, 0), COALESCE(l.contact_id, 0),
	COALESCE(l.opportunity_id, 0), l.version, l.salutation, l.street, l.postal_code, l.region, p.bp`

const fromLeads = ` FROM leads l LEFT JOIN users u ON u.id = l.owner_id LEFT JOIN lead_probabilities p ON p.lead_id = l.id`

type scanner interface{ Scan(dest ...any) error }

// queryLeads runs a query that selects columns and returns its leads in
// the query's order.
func queryLeads(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]Lead, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Lead
	for rows.Next() {
		l, err := scanLead(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func scanLead(s scanner) (Lead, error) {
	var l Lead
	var employees, consentAt, due, contacted, converted, probability sql.NullInt64
	var created, updated int64
	var custom string
	err := s.Scan(&l.ID, &l.Email, &l.FirstName, &l.LastName, &l.Phone, &l.Company, &l.JobTitle,
		&employees, &l.Industry, &l.Country, &l.City, &l.Website, &l.ExistingCustomer, &l.Source,
		&l.UTMSource, &l.UTMMedium, &l.UTMCampaign, &l.Consent, &consentAt, &l.Stage, &l.Score,
		&l.Grade, &l.OwnerID, &l.OwnerEmail, &created, &updated, &custom,
		&due, &contacted, &converted, &l.Converted.AccountID, &l.Converted.ContactID, &l.Converted.OpportunityID, &l.Version,
		&l.Salutation, &l.Street, &l.PostalCode, &l.Region, &probability)
	if err != nil {
		return l, err
	}
	if custom != "" {
		if err := json.Unmarshal([]byte(custom), &l.Custom); err != nil {
			return l, fmt.Errorf("lead %d: custom fields: %w", l.ID, err)
		}
	}
	if employees.Valid {
		n := employees.Int64
		l.Employees = &n
	}
	if probability.Valid {
		p := float64(probability.Int64) / 10000
		l.Probability = &p
	}
	l.ConsentAt, l.ContactDueAt, l.ContactedAt, l.Converted.At = timeOf(consentAt), timeOf(due), timeOf(contacted), timeOf(converted)
	l.CreatedAt = time.UnixMilli(created).UTC()
	l.UpdatedAt = time.UnixMilli(updated).UTC()
	return l, nil
}

func timeOf(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.UnixMilli(n.Int64).UTC()
	return &t
}

func millis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func idOrNull(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// args returns l's stored columns, in the order insertSQL and updateSQL
// name them.
func args(l Lead) []any {
	var employees any
	if l.Employees != nil {
		employees = *l.Employees
	}
	custom := ""
	if len(l.Custom) > 0 {
		b, _ := json.Marshal(l.Custom) // a map of strings always marshals
		custom = string(b)
	}
	return append([]any{l.Email, l.FirstName, l.LastName, l.Phone, l.Company, l.JobTitle,
		employees, l.Industry, l.Country, l.City, l.Website, l.ExistingCustomer, l.Source,
		l.UTMSource, l.UTMMedium, l.UTMCampaign, l.Consent, millis(l.ConsentAt), string(l.Stage), l.Score,
		string(l.Grade), idOrNull(l.OwnerID), l.CreatedAt.UnixMilli(), l.UpdatedAt.UnixMilli(), custom,
		millis(l.ContactDueAt), millis(l.ContactedAt), millis(l.Converted.At), idOrNull(l.Converted.AccountID),
		idOrNull(l.Converted.ContactID), idOrNull(l.Converted.OpportunityID),
		l.Salutation, l.Street, l.PostalCode, l.Region}, sortKeyArgs(l)...)
}

// sortKeyColumns are the sort keys of l's free text (internal/sortkey),
// written with every insert and update; sortKeyArgs gives their values.
const sortKeyColumns = `first_name_sort, last_name_sort, company_sort`

func sortKeyArgs(l Lead) []any {
	return []any{sortkey.Of(l.FirstName), sortkey.Of(l.LastName), sortkey.Of(l.Company)}
}

const storedColumns = `email, first_name, last_name, phone, company, job_title, employees,
	industry, country, city, website, existing_customer, source, utm_source, utm_medium,
	utm_campaign, consent, consent_at, stage, score, grade, owner_id, created_at, updated_at, custom,
	contact_due_at, contacted_at, converted_at, account_id, contact_id, opportunity_id,
	salutation, street, postal_code, region, ` + sortKeyColumns

// insertLead stores l as a new row, its first version, speaking lang (""
// for the team's language), with its words and identity keys, and sets
// l.ID.
func insertLead(ctx context.Context, q sqldb.Querier, l *Lead, lang string) error {
	a := append(args(*l), lang)
	err := q.QueryRow(ctx, `INSERT INTO leads (`+storedColumns+`, language) VALUES (`+placeholders(len(a))+`) RETURNING id, version`, a...).
		Scan(&l.ID, &l.Version)
	if sqldb.IsUniqueViolation(err) {
		return emailTaken()
	}
	if err != nil {
		return fmt.Errorf("lead store: insert: %w", err)
	}
	// The look-alikes are read (and on PostgreSQL their keys locked) after
	// the insert, as an edit's are after its update: a writer holds a
	// lead's row, then its keys, so two cannot wait for each other. The
	// writes come after every read, to reach PostgreSQL together.
	rec := recordOf(*l)
	hashes := identity.KeyHashes(rec)
	others, err := readLookAlikes(ctx, q, l.ID, hashes)
	if err != nil {
		return err
	}
	if err := indexWords(ctx, q, *l, true); err != nil {
		return err
	}
	return storeIdentity(ctx, q, *l, rec, hashes, nil, others, l.UpdatedAt.UnixMilli())
}

// updateLead writes every stored column of l, and counts the write in
// l.Version. The caller read l with lockLead in the same transaction.
func updateLead(ctx context.Context, q sqldb.Querier, l *Lead) error {
	set := strings.ReplaceAll(strings.Join(strings.Fields(storedColumns), " "), ",", " = ?,") + " = ?"
	_, err := q.Exec(ctx, `UPDATE leads SET `+set+`, version = version + 1 WHERE id = ?`, append(args(*l), l.ID)...)
	if sqldb.IsUniqueViolation(err) {
		return emailTaken()
	}
	if err != nil {
		return fmt.Errorf("lead store: update %d: %w", l.ID, err)
	}
	l.Version++
	if err := indexWords(ctx, q, *l, false); err != nil {
		return err
	}
	return checkIdentity(ctx, q, *l, l.UpdatedAt.UnixMilli())
}

func emailTaken() error {
	return &fault.Error{Code: fault.Conflict, Message: "a lead with this email already exists",
		Fields: map[string]string{FEmail: "is already used by another lead"}}
}

func getLead(ctx context.Context, q sqldb.Querier, id int64) (Lead, error) {
	return findLead(ctx, q, id, "")
}

// lockLead reads lead id for a transaction that goes on to write it: the
// row stays locked until tx ends, so a concurrent change waits and then
// starts from this one's result instead of overwriting it.
func lockLead(ctx context.Context, tx *sqldb.Tx, id int64) (Lead, error) {
	return findLead(ctx, tx, id, tx.ForUpdate("l"))
}

func findLead(ctx context.Context, q sqldb.Querier, id int64, lock string) (Lead, error) {
	l, err := scanLead(q.QueryRow(ctx, `SELECT `+columns+fromLeads+` WHERE l.id = ?`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fault.Errorf(fault.NotFound, "lead %d not found", id)
	}
	if err != nil {
		return l, fmt.Errorf("lead store: get %d: %w", id, err)
	}
	return l, nil
}

func deleteLead(ctx context.Context, q sqldb.Querier, id int64) error {
	sqldb.Touch(q, live.Leads, live.Lead(id))
	if _, err := q.Exec(ctx, `DELETE FROM leads WHERE id = ?`, id); err != nil {
		return fmt.Errorf("lead store: delete %d: %w", id, err)
	}
	return nil
}

// from is the FROM clause of a count of f's leads: the owner's and the
// model's tables are joined only when a condition of where reads them.
// SQLite makes a join whose columns nothing reads, and each reads the
// lead's row: at a million leads, a count of one stage took 620 ms
// with them, 12 ms from the stage's index alone.
func (f Filter) from() string {
	from := ` FROM leads l`
	if f.Owner != "" && f.Owner != "none" {
		from += ` LEFT JOIN users u ON u.id = l.owner_id`
	}
	if f.MinProbability != nil {
		from += ` LEFT JOIN lead_probabilities p ON p.lead_id = l.id`
	}
	return from
}

// where turns a filter into SQL conditions and their arguments.
func where(f Filter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	// Stage, grade, source and country each hold a few values shared by
	// many leads. Walking the sort's index and stopping at the page's last
	// row beats collecting every match and sorting it, but SQLite's
	// planner picks the filter's index; a unary + on the column stops it.
	col := func(c string) string {
		if f.walkSortIndex {
			return "+" + c
		}
		return c
	}
	if f.visibleTo != 0 {
		// A sales user's leads and the unassigned ones: a walk tests each
		// lead's owner too.
		o := col("l.owner_id")
		add("("+o+" = ? OR "+o+" IS NULL)", f.visibleTo)
	}
	if len(f.Stages) > 0 {
		add(col("l.stage")+" IN ("+placeholders(len(f.Stages))+")", anySlice(f.Stages)...)
	}
	if len(f.Grades) > 0 {
		// One grade keeps its indexes by score and by date when the list
		// is in either order: the order of the grade's own leads is the
		// order of the page.
		g := "l.grade"
		if !f.walksGradeIndex() {
			g = col(g)
		}
		add(g+" IN ("+placeholders(len(f.Grades))+")", anySlice(f.Grades)...)
	}
	switch f.Owner {
	case "":
	case "none":
		add("l.owner_id IS NULL")
	default:
		add("lower(u.email) = lower(?)", f.Owner)
	}
	if len(f.Sources) > 0 {
		add(col("l.source")+" IN ("+placeholders(len(f.Sources))+")", anySlice(f.Sources)...)
	}
	if len(f.Countries) > 0 {
		add(col("l.country")+" IN ("+placeholders(len(f.Countries))+")", anySlice(f.Countries)...)
	}
	if f.MinScore != nil {
		add("l.score >= ?", *f.MinScore)
	}
	if f.MinProbability != nil {
		add("p.bp >= ?", *f.MinProbability*100)
	}
	switch f.Contact {
	case ContactAwaiting:
		add("l.contacted_at IS NULL AND l.contact_due_at IS NOT NULL")
	case ContactOverdue:
		add("l.contacted_at IS NULL AND l.contact_due_at < ?", f.now.UnixMilli())
	}
	if f.Converted != nil {
		if *f.Converted {
			add("l.converted_at IS NOT NULL")
		} else {
			add("l.converted_at IS NULL")
		}
	}
	if f.Q != "" && f.words {
		wordCond(f.Q, f.hashWord, add)
	} else if f.Q != "" {
		p := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		add(`(lower(l.email) LIKE ? ESCAPE '\' OR lower(l.first_name || ' ' || l.last_name) LIKE ? ESCAPE '\'
			OR lower(l.company) LIKE ? ESCAPE '\')`, p, p, p)
	}
	if !f.CreatedFrom.IsZero() {
		add("l.created_at >= ?", f.CreatedFrom.UnixMilli())
	}
	if !f.CreatedTo.IsZero() {
		add("l.created_at < ?", f.CreatedTo.UnixMilli())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// listLeads reads up to n leads from cursor c in the direction the query
// reads (sortkey.Order), with each one's sort value for the next cursor,
// past the first skip (a numbered page without a cursor).
func listLeads(ctx context.Context, q sqldb.Querier, f Filter, c *sortkey.Cursor, n, skip int) ([]Lead, []sortkey.Dest, error) {
	if f.choosePlan {
		if skip == 0 && f.onlyFewValued() {
			leads, pos, done, err := walkBounded(ctx, q, f, c, n)
			if err != nil || done {
				return leads, pos, err
			}
			f.walkSortIndex = len(leads)*walkOn >= n
		}
		if !f.walkSortIndex {
			var err error
			if f.walkSortIndex, err = manyMatch(ctx, q, f); err != nil {
				return nil, nil, err
			}
		}
	}
	query, a := listQuery(f, c, n)
	if c == nil && skip > 0 {
		query, a = query+` OFFSET ?`, append(a, skip)
	}
	return readLeads(ctx, q, f.order(), query, a)
}

// readLeads runs a query of listQuery's form.
func readLeads(ctx context.Context, q sqldb.Querier, o sortkey.Order, query string, a []any) ([]Lead, []sortkey.Dest, error) {
	rows, err := q.Query(ctx, query, a...)
	if err != nil {
		return nil, nil, fmt.Errorf("lead store: list: %w", err)
	}
	defer rows.Close()
	var out []Lead
	var pos []sortkey.Dest
	for rows.Next() {
		var d sortkey.Dest
		l, err := scanLead(withExtra{rows, d.Target(o)})
		if err != nil {
			return nil, nil, fmt.Errorf("lead store: list: %w", err)
		}
		d.ID = l.ID
		out = append(out, l)
		pos = append(pos, d)
	}
	return out, pos, rows.Err()
}

// listQuery is the SQL of listLeads.
func listQuery(f Filter, c *sortkey.Cursor, n int) (string, []any) {
	return pageQuery(f, c, n, nil)
}

// pageQuery is listQuery, reading no further than the row through when
// it is set (see walkBounded).
func pageQuery(f Filter, c *sortkey.Cursor, n int, through *sortkey.Dest) (string, []any) {
	cond, a := where(f)
	o := f.order()
	and := func(more string, ma []any) {
		if cond == "" {
			cond = " WHERE " + more
		} else {
			cond += " AND " + more
		}
		a = append(a, ma...)
	}
	if keyset, ka := o.Where(c); keyset != "" {
		and(keyset, ka)
	}
	if through != nil {
		and(o.Through(c, *through))
	}
	if f.hashWord != "" && sortColumns[f.Sort].indexed {
		// The walk tests only each lead's id, which the sort's index
		// holds: selecting ids alone, PostgreSQL reads the index without
		// the rows (an index-only scan), and the page's rows are then
		// read by id, n of them rather than every lead walked.
		return `SELECT ` + columns + `, ` + o.Expr + fromLeads + ` WHERE l.id IN (SELECT l.id FROM leads l` + cond + o.By(c) + ` LIMIT ?)` +
			o.By(c) + ` LIMIT ?`, append(a, n, n)
	}
	return `SELECT ` + columns + `, ` + o.Expr + fromLeads + cond + o.By(c) + ` LIMIT ?`, append(a, n)
}

// withExtra scans one more column, selected after a lead's.
type withExtra struct {
	s     scanner
	extra any
}

func (w withExtra) Scan(dest ...any) error { return w.s.Scan(append(dest, w.extra)...) }

func countLeads(ctx context.Context, q sqldb.Querier, f Filter) (int, error) {
	// A count reads every match, best found from the word index itself,
	// not by testing every lead against a set.
	f.hashWord = ""
	var n int
	query, a := countQuery(f)
	if err := q.QueryRow(ctx, query, a...).Scan(&n); err != nil {
		return 0, fmt.Errorf("lead store: count: %w", err)
	}
	return n, nil
}

// countQuery is the SQL of countLeads.
func countQuery(f Filter) (string, []any) {
	cond, a := where(f)
	return `SELECT COUNT(*)` + f.from() + cond, a
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anySlice[T ~string](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ownerByEmail finds the id of the user with email, for assigning leads.
func ownerByEmail(ctx context.Context, q sqldb.Querier, email string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower(?)`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lead store: find owner: %w", err)
	}
	return id, nil
}

// distinct lists the distinct non-empty values of a column among leads,
// for filter menus.
func distinct(ctx context.Context, q sqldb.Querier, column string) ([]string, error) {
	out, err := sqldb.Column[string](ctx, q, `SELECT DISTINCT `+column+` FROM leads WHERE `+column+` <> '' ORDER BY 1 LIMIT 500`)
	if err != nil {
		return nil, fmt.Errorf("lead store: distinct %s: %w", column, err)
	}
	return out, nil
}

// Change is one entry on a lead's timeline.
type Change struct {
	ID         int64
	LeadID     int64
	At         time.Time
	ActorEmail string // "" for the system
	Kind       string // created, updated, stage, owner
	Detail     map[string][2]string
	Reason     string
	// consent, when set, is the proof and source of a consent change,
	// kept in the consent history (not on the timeline).
	consent *consentEntry
}

// The kinds of timeline entries.
const (
	KindCreated = "created"
	KindUpdated = "updated"
	KindStage   = "stage"
	KindOwner   = "owner"
)

// insertChanges records changes of score and stage, by no one, as a
// rescore makes them, in a few statements: what insertChange does for
// them, without a statement each.
func insertChanges(ctx context.Context, tx *sqldb.Tx, cs []Change) error {
	rows := make([][]any, 0, len(cs))
	for _, c := range cs {
		if c.Kind != KindScore && c.Kind != KindStage {
			return fmt.Errorf("lead store: record changes: a %s change must be recorded alone", c.Kind)
		}
		b, err := json.Marshal(c.Detail)
		if err != nil {
			return err
		}
		rows = append(rows, []any{c.LeadID, c.At.UnixMilli(), nil, c.Kind, string(b), c.Reason})
		sqldb.Touch(tx, live.Lead(c.LeadID))
		if c.Kind == KindStage {
			sqldb.Touch(tx, live.Leads)
		}
	}
	if err := tx.InsertRows(ctx, "lead_changes", []string{"lead_id", "at", "actor_id", "kind", "detail", "reason"}, rows); err != nil {
		return fmt.Errorf("lead store: record changes: %w", err)
	}
	return nil
}

func insertChange(ctx context.Context, q sqldb.Querier, c Change, actorID int64) error {
	detail := ""
	if len(c.Detail) > 0 {
		b, err := json.Marshal(c.Detail)
		if err != nil {
			return err
		}
		detail = string(b)
	}
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	err := sqldb.ExecLater(ctx, q, "lead store: record change", `INSERT INTO lead_changes (lead_id, at, actor_id, kind, detail, reason)
		VALUES (?, ?, ?, ?, ?, ?)`, c.LeadID, c.At.UnixMilli(), actor, c.Kind, detail, c.Reason)
	if err != nil {
		return err
	}
	sqldb.Touch(q, live.Lead(c.LeadID))
	switch c.Kind {
	case KindCreated, KindStage:
		sqldb.Touch(q, live.Leads)
	}
	if c.Kind == KindOwner {
		if err := noticeOwnerChange(ctx, q, c, actorID); err != nil {
			return err
		}
	}
	// Every change of consent, by any path, enters the consent history.
	if d, ok := c.Detail[FConsent]; ok && d[0] != d[1] {
		return recordConsentChange(ctx, q, c, actorID)
	}
	return nil
}

func listChanges(ctx context.Context, q sqldb.Querier, leadID int64) ([]Change, error) {
	rows, err := q.Query(ctx, `SELECT c.id, c.lead_id, c.at, COALESCE(u.email, ''), c.kind, c.detail, c.reason
		FROM lead_changes c LEFT JOIN users u ON u.id = c.actor_id
		WHERE c.lead_id = ? ORDER BY c.at DESC, c.id DESC`, leadID)
	if err != nil {
		return nil, fmt.Errorf("lead store: timeline %d: %w", leadID, err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var at int64
		var detail string
		if err := rows.Scan(&c.ID, &c.LeadID, &at, &c.ActorEmail, &c.Kind, &detail, &c.Reason); err != nil {
			return nil, fmt.Errorf("lead store: timeline %d: %w", leadID, err)
		}
		c.At = time.UnixMilli(at).UTC()
		if detail != "" {
			if err := json.Unmarshal([]byte(detail), &c.Detail); err != nil {
				return nil, fmt.Errorf("lead store: timeline %d: %w", leadID, err)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
