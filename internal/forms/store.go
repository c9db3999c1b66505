package forms

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/secret"
	"leadflow/internal/sqldb"
)

// Service stores forms, landing pages and submissions.
type Service struct {
	db    *sqldb.DB
	leads *lead.Service
	now   func() time.Time
	// Mail sends the emails that ask people to confirm their consent;
	// nil, or not configured, sends none (the request is kept, with why).
	Mail *mail.Outbox
	// secrets holds the key that signs fill-time tokens, shared by every
	// instance on the database.
	secrets *secret.Store
	// MinFillTime is the least time a person takes to fill a form.
	MinFillTime time.Duration
	// group commits submissions arriving together in one transaction.
	group *sqldb.Group

	// bySlug keeps the public forms read on every submission; changes
	// made here clear it, and another server's show within cacheFor.
	mu     sync.Mutex
	bySlug map[string]cachedForm
}

type cachedForm struct {
	form Form
	at   time.Time
}

// cacheFor bounds how stale another server's change to a form may look.
const cacheFor = 5 * time.Second

func (s *Service) forget() {
	s.mu.Lock()
	s.bySlug = nil
	s.mu.Unlock()
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB, leads *lead.Service) *Service {
	return &Service{db: db, leads: leads, now: time.Now, secrets: secret.New(db), MinFillTime: MinFillTime, group: sqldb.NewGroup(db, 128)}
}

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) {
	s.now = now
	s.secrets.SetClock(now)
}

// MayManage returns a Forbidden fault unless a may manage the forms,
// landing pages and submissions: admin and marketing. Every method but the
// public ones asks it first; a page with nothing to read (a blank form)
// asks it before showing what a would not be allowed to save.
func (s *Service) MayManage(a access.Actor) error {
	if !a.ManagesMarketing() {
		return fault.Errorf(fault.Forbidden, "forms, landing pages and submissions are for admin and marketing users")
	}
	return nil
}

// Secrets is the store of the key that signs fill-time tokens.
func (s *Service) Secrets() *secret.Store { return s.secrets }

const formColumns = `id, slug, name, fields, consent_text, thank_you, redirect_url, source, campaign, created_at, updated_at, double_opt_in, default_country, language`

func scanForm(row interface{ Scan(...any) error }) (Form, error) {
	var f Form
	var fields string
	var created, updated int64
	err := row.Scan(&f.ID, &f.Slug, &f.Name, &fields, &f.ConsentText, &f.ThankYou, &f.RedirectURL, &f.Source, &f.Campaign, &created, &updated, &f.DoubleOptIn, &f.DefaultCountry, &f.Language)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal([]byte(fields), &f.Fields); err != nil {
		return f, fmt.Errorf("form %d: fields: %w", f.ID, err)
	}
	f.CreatedAt, f.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return f, nil
}

func slugTaken(what string) error {
	return &fault.Error{Code: fault.Conflict, Message: what + " with this address exists",
		Fields: map[string]string{"slug": "is already used by another " + what}}
}

// Create validates and stores a new form.
func (s *Service) Create(ctx context.Context, a access.Actor, f Form) (Form, error) {
	if err := s.MayManage(a); err != nil {
		return f, err
	}
	if err := f.Validate(); err != nil {
		return f, err
	}
	f.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	f.UpdatedAt = f.CreatedAt
	fields, _ := json.Marshal(f.Fields)
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO forms (slug, name, fields, consent_text, thank_you, redirect_url, source, campaign, created_at, updated_at, double_opt_in, default_country, language)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.Slug, f.Name, string(fields), f.ConsentText, f.ThankYou,
			f.RedirectURL, f.Source, f.Campaign, f.CreatedAt.UnixMilli(), f.UpdatedAt.UnixMilli(), f.DoubleOptIn, f.DefaultCountry, f.Language).Scan(&f.ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "form.create", "form", f.ID, map[string]string{"slug": f.Slug})
	})
	if sqldb.IsUniqueViolation(err) {
		return f, slugTaken("form")
	}
	if err != nil {
		return f, fmt.Errorf("forms: create: %w", err)
	}
	s.forget()
	return f, nil
}

// Update validates and stores f over the form with its id.
func (s *Service) Update(ctx context.Context, a access.Actor, f Form) (Form, error) {
	if err := s.MayManage(a); err != nil {
		return f, err
	}
	if err := f.Validate(); err != nil {
		return f, err
	}
	fields, _ := json.Marshal(f.Fields)
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// Locked, so that the audit entry names what this change
		// changed, not what a concurrent one did.
		old, err := scanForm(tx.QueryRow(ctx, `SELECT `+formColumns+` FROM forms WHERE id = ?`+tx.ForUpdate(), f.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "form %v not found", f.ID)
		}
		if err != nil {
			return err
		}
		f.CreatedAt, f.UpdatedAt = old.CreatedAt, s.now().UTC().Truncate(time.Millisecond)
		_, err = tx.Exec(ctx, `UPDATE forms SET slug = ?, name = ?, fields = ?, consent_text = ?, thank_you = ?,
			redirect_url = ?, source = ?, campaign = ?, updated_at = ?, double_opt_in = ?, default_country = ?, language = ? WHERE id = ?`, f.Slug, f.Name, string(fields),
			f.ConsentText, f.ThankYou, f.RedirectURL, f.Source, f.Campaign, f.UpdatedAt.UnixMilli(), f.DoubleOptIn, f.DefaultCountry, f.Language, f.ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "form.update", "form", f.ID, map[string][]string{"fields": formChanges(old, f)})
	})
	if fault.As(err) != nil {
		return f, err
	}
	if sqldb.IsUniqueViolation(err) {
		return f, slugTaken("form")
	}
	if err != nil {
		return f, fmt.Errorf("forms: update %d: %w", f.ID, err)
	}
	s.forget()
	return f, nil
}

// Get returns form id.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Form, error) {
	if err := s.MayManage(a); err != nil {
		return Form{}, err
	}
	return s.get(ctx, id)
}

func (s *Service) get(ctx context.Context, id int64) (Form, error) {
	return s.one(ctx, `SELECT `+formColumns+` FROM forms WHERE id = ?`, id)
}

// PublicForm returns the form at /f/{slug}, read at most cacheFor ago.
// It is public: anyone on the internet may see a form, so it checks no
// actor.
func (s *Service) PublicForm(ctx context.Context, slug string) (Form, error) {
	slug = strings.ToLower(slug)
	s.mu.Lock()
	c, ok := s.bySlug[slug]
	s.mu.Unlock()
	if ok && s.now().Sub(c.at) < cacheFor {
		return c.form, nil
	}
	f, err := s.one(ctx, `SELECT `+formColumns+` FROM forms WHERE slug = ?`, slug)
	if err != nil {
		return f, err
	}
	s.mu.Lock()
	if s.bySlug == nil {
		s.bySlug = map[string]cachedForm{}
	}
	s.bySlug[slug] = cachedForm{form: f, at: s.now()}
	s.mu.Unlock()
	return f, nil
}

func (s *Service) one(ctx context.Context, q string, arg any) (Form, error) {
	f, err := scanForm(s.db.R.QueryRow(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return f, fault.Errorf(fault.NotFound, "form %v not found", arg)
	}
	if err != nil {
		return f, fmt.Errorf("forms: get %v: %w", arg, err)
	}
	return f, nil
}

// FormStats is a form with how many submissions it had, by status.
type FormStats struct {
	Form
	Accepted, Rejected int
}

// List returns every form, by name, with submission counts.
func (s *Service) List(ctx context.Context, a access.Actor) ([]FormStats, error) {
	if err := s.MayManage(a); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+formColumns+`,
		(SELECT COUNT(*) FROM submissions s WHERE s.form_id = forms.id AND s.status = 'accepted'),
		(SELECT COUNT(*) FROM submissions s WHERE s.form_id = forms.id AND s.status = 'rejected')
		FROM forms ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("forms: list: %w", err)
	}
	defer rows.Close()
	var out []FormStats
	for rows.Next() {
		var fs FormStats
		var fields string
		var created, updated int64
		f := &fs.Form
		if err := rows.Scan(&f.ID, &f.Slug, &f.Name, &fields, &f.ConsentText, &f.ThankYou, &f.RedirectURL, &f.Source,
			&f.Campaign, &created, &updated, &f.DoubleOptIn, &f.DefaultCountry, &f.Language, &fs.Accepted, &fs.Rejected); err != nil {
			return nil, err
		}
		json.Unmarshal([]byte(fields), &f.Fields)
		f.CreatedAt, f.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		out = append(out, fs)
	}
	return out, rows.Err()
}

// Delete removes a form and its landing pages; its submissions stay.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := s.MayManage(a); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM forms WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("forms: delete %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "form %d not found", id)
		}
		return audit.Record(ctx, tx, a, "form.delete", "form", id, nil)
	})
	s.forget()
	return err
}

// Landing is a landing page: a headline, some text, an optional image and
// a form, laid out by one of a few templates at /p/{slug}.
type Landing struct {
	ID        int64
	Slug      string
	FormID    int64
	Template  string
	Headline  string
	Body      string
	ImageURL  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Templates are the landing page layouts.
var Templates = []string{"classic", "split", "minimal"}

// Paragraphs splits the body at blank lines.
func (l Landing) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(l.Body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Validate checks a landing page and names each problem.
func (l *Landing) Validate() error {
	bad := fault.Fields{}
	l.Slug = strings.ToLower(strings.TrimSpace(l.Slug))
	l.Headline = strings.TrimSpace(l.Headline)
	l.ImageURL = strings.TrimSpace(l.ImageURL)
	if !slugPattern.MatchString(l.Slug) || len(l.Slug) > 60 {
		bad.Add("slug", "must be 1 to 60 lower-case letters, digits and single hyphens, like spring-offer")
	}
	if l.Template == "" {
		l.Template = Templates[0]
	}
	if !slices.Contains(Templates, l.Template) {
		bad.Add("template", "must be classic, split or minimal")
	}
	if l.Headline == "" {
		bad.Add("headline", "is required")
	} else if utf8.RuneCountInString(l.Headline) > 200 {
		bad.Add("headline", "must be at most 200 characters")
	}
	if utf8.RuneCountInString(l.Body) > 10000 {
		bad.Add("body", "must be at most 10000 characters")
	}
	if l.ImageURL != "" {
		u, err := url.Parse(l.ImageURL)
		if err != nil || !(u.Scheme == "https" || u.Scheme == "http" || (u.Scheme == "" && strings.HasPrefix(l.ImageURL, "/"))) {
			bad.Add("image_url", "must be an http(s) address of an image, or a path on this site")
		}
	}
	return bad.Err()
}

const landingColumns = `id, slug, form_id, template, headline, body, image_url, created_at, updated_at`

func scanLanding(row interface{ Scan(...any) error }) (Landing, error) {
	var l Landing
	var created, updated int64
	err := row.Scan(&l.ID, &l.Slug, &l.FormID, &l.Template, &l.Headline, &l.Body, &l.ImageURL, &created, &updated)
	l.CreatedAt, l.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return l, err
}

// SaveLanding creates (ID 0) or updates a landing page.
func (s *Service) SaveLanding(ctx context.Context, a access.Actor, l Landing) (Landing, error) {
	if err := s.MayManage(a); err != nil {
		return l, err
	}
	if err := l.Validate(); err != nil {
		return l, err
	}
	if _, err := s.get(ctx, l.FormID); err != nil {
		return l, &fault.Error{Code: fault.Invalid, Message: "unknown form", Fields: map[string]string{"form_id": "is not a form"}}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	l.UpdatedAt = now
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if l.ID == 0 {
			l.CreatedAt = now
			err := tx.QueryRow(ctx, `INSERT INTO landing_pages (slug, form_id, template, headline, body, image_url, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, l.Slug, l.FormID, l.Template, l.Headline, l.Body, l.ImageURL,
				now.UnixMilli(), now.UnixMilli()).Scan(&l.ID)
			if err != nil {
				return err
			}
			return audit.Record(ctx, tx, a, "landing.create", "landing_page", l.ID, map[string]any{"slug": l.Slug, "form_id": l.FormID})
		}
		old, err := scanLanding(tx.QueryRow(ctx, `SELECT `+landingColumns+` FROM landing_pages WHERE id = ?`+tx.ForUpdate(), l.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "landing page %d not found", l.ID)
		}
		if err != nil {
			return err
		}
		l.CreatedAt = old.CreatedAt
		_, err = tx.Exec(ctx, `UPDATE landing_pages SET slug = ?, form_id = ?, template = ?, headline = ?, body = ?,
			image_url = ?, updated_at = ? WHERE id = ?`, l.Slug, l.FormID, l.Template, l.Headline, l.Body, l.ImageURL, now.UnixMilli(), l.ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "landing.update", "landing_page", l.ID, map[string][]string{"fields": landingChanges(old, l)})
	})
	if fault.As(err) != nil {
		return l, err
	}
	if sqldb.IsUniqueViolation(err) {
		return l, slugTaken("landing page")
	}
	if err != nil {
		return l, fmt.Errorf("forms: save landing page: %w", err)
	}
	return l, nil
}

// Landing returns landing page id.
func (s *Service) Landing(ctx context.Context, a access.Actor, id int64) (Landing, error) {
	if err := s.MayManage(a); err != nil {
		return Landing{}, err
	}
	return s.oneLanding(ctx, `SELECT `+landingColumns+` FROM landing_pages WHERE id = ?`, id)
}

// PublicLanding returns the landing page at /p/{slug} and its form. It
// is public: anyone on the internet may see a landing page, so it checks
// no actor.
func (s *Service) PublicLanding(ctx context.Context, slug string) (Landing, Form, error) {
	l, err := s.oneLanding(ctx, `SELECT `+landingColumns+` FROM landing_pages WHERE slug = ?`, strings.ToLower(slug))
	if err != nil {
		return l, Form{}, err
	}
	f, err := s.get(ctx, l.FormID)
	return l, f, err
}

func (s *Service) oneLanding(ctx context.Context, q string, arg any) (Landing, error) {
	l, err := scanLanding(s.db.R.QueryRow(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fault.Errorf(fault.NotFound, "landing page %v not found", arg)
	}
	return l, err
}

// Landings lists the landing pages of a form (0 for all).
func (s *Service) Landings(ctx context.Context, a access.Actor, formID int64) ([]Landing, error) {
	if err := s.MayManage(a); err != nil {
		return nil, err
	}
	q, args := `SELECT `+landingColumns+` FROM landing_pages ORDER BY slug`, []any{}
	if formID != 0 {
		q, args = `SELECT `+landingColumns+` FROM landing_pages WHERE form_id = ? ORDER BY slug`, []any{formID}
	}
	rows, err := s.db.R.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("forms: landing pages: %w", err)
	}
	defer rows.Close()
	var out []Landing
	for rows.Next() {
		l, err := scanLanding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// DeleteLanding removes a landing page.
func (s *Service) DeleteLanding(ctx context.Context, a access.Actor, id int64) error {
	if err := s.MayManage(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM landing_pages WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "landing page %d not found", id)
		}
		return audit.Record(ctx, tx, a, "landing.delete", "landing_page", id, nil)
	})
}

// formChanges names the settings of a form that differ from old: what
// its audit entry records.
func formChanges(old, f Form) []string {
	was, _ := json.Marshal(old.Fields)
	now, _ := json.Marshal(f.Fields)
	return changed(map[string][2]string{
		"slug": {old.Slug, f.Slug}, "name": {old.Name, f.Name}, "fields": {string(was), string(now)},
		"consent_text": {old.ConsentText, f.ConsentText}, "thank_you": {old.ThankYou, f.ThankYou},
		"redirect_url": {old.RedirectURL, f.RedirectURL}, "source": {old.Source, f.Source}, "campaign": {old.Campaign, f.Campaign},
		"default_country": {old.DefaultCountry, f.DefaultCountry}, "language": {old.Language, f.Language},
		"double_opt_in": {fmt.Sprint(old.DoubleOptIn), fmt.Sprint(f.DoubleOptIn)},
	})
}

// landingChanges names the settings of a landing page that differ from old.
func landingChanges(old, l Landing) []string {
	return changed(map[string][2]string{
		"slug": {old.Slug, l.Slug}, "form_id": {fmt.Sprint(old.FormID), fmt.Sprint(l.FormID)}, "template": {old.Template, l.Template},
		"headline": {old.Headline, l.Headline}, "body": {old.Body, l.Body}, "image_url": {old.ImageURL, l.ImageURL},
	})
}

// changed returns the sorted names whose two values differ.
func changed(pairs map[string][2]string) []string {
	diff := map[string]bool{}
	for k, v := range pairs {
		if v[0] != v[1] {
			diff[k] = true
		}
	}
	return audit.Fields(diff)
}

// CustomLabels are the questions the forms ask for their own fields, by
// the field's name (as a lead's answers are keyed): a lead page names an
// answer by its question, not its name. A name two forms share takes the
// label of the form changed last.
func (s *Service) CustomLabels(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := s.customFields(ctx, func(f Field) {
		if _, ok := out[f.Name]; !ok && f.Label != "" {
			out[f.Name] = f.Label
		}
	})
	return out, err
}

// CustomKeys are the custom questions the forms ask, as a rule names
// them (custom.budget), sorted: what a scoring rule can pick besides the
// standard fields.
func (s *Service) CustomKeys(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	err := s.customFields(ctx, func(f Field) { seen[f.Key()] = true })
	return slices.Sorted(maps.Keys(seen)), err
}

// customFields calls each with every form's own fields, the forms
// changed last first.
func (s *Service) customFields(ctx context.Context, each func(Field)) error {
	rows, err := s.db.R.Query(ctx, `SELECT fields FROM forms ORDER BY updated_at DESC, id DESC`)
	if err != nil {
		return fmt.Errorf("forms: custom fields: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		var fields []Field
		json.Unmarshal([]byte(raw), &fields) // stored by Save, always a list
		for _, f := range fields {
			if f.Custom() {
				each(f)
			}
		}
	}
	return rows.Err()
}
