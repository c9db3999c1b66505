// Package imports runs CSV imports of leads as durable jobs: the file
// waits in the database, where every instance can read it; progress and
// rejected rows are written in the same transaction as the leads; and
// whichever instance takes the job over after a stop goes on from the
// last row committed.
package imports

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/country"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/leadcsv"
	"leadflow/internal/live"
	"leadflow/internal/phone"
	"leadflow/internal/sqldb"
)

// Status is where an import is.
type Status string

// The statuses, in order.
const (
	Mapping Status = "mapping" // uploaded; waiting for its column mapping to be confirmed
	Queued  Status = "queued"
	Running Status = "running"
	Done    Status = "done"
	Failed  Status = "failed"
)

// Import is one file being, or having been, imported.
type Import struct {
	ID         int64
	FileName   string
	Path       string
	Header     []string
	Mapping    leadcsv.Mapping
	Encoding   string // the file's encoding, guessed at upload or chosen; "" for an older import, guessed at each read
	Country    string // ISO code national phone numbers are read in when a row names no country; "" for none
	Status     Status
	TotalBytes int64
	DoneBytes  int64
	RowsDone   int64
	Created    int64
	Updated    int64
	Unchanged  int64
	Rejected   int64
	Error      string
	CreatedBy  int64
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// Percent is how far the import is, 0 to 100.
func (im Import) Percent() int {
	if im.Status == Done {
		return 100
	}
	if im.TotalBytes <= 0 {
		return 0
	}
	return int(min(99, im.DoneBytes*100/im.TotalBytes))
}

// JobKind names import jobs.
const JobKind = "import"

// Service creates and runs imports.
type Service struct {
	db    *sqldb.DB
	leads *lead.Service
	// BatchSize is how many rows share a transaction. Their new leads
	// are written together (lead.IntakeBatch), so a larger batch is
	// faster, up to a point; it holds the write lock that much longer,
	// which on SQLite makes other writers wait (2,000 rows: about a
	// quarter of a second).
	BatchSize int
	// Jobs, when set, is woken when an import is queued, so that it
	// starts at once rather than at the runner's next look.
	Jobs *job.Runner
}

// NewService returns a Service.
func NewService(db *sqldb.DB, leads *lead.Service) *Service {
	return &Service{db: db, leads: leads, BatchSize: 2000}
}

// MayImport returns a Forbidden fault unless a may import leads: admin
// and marketing, since an import makes and changes leads in bulk. Every
// method but the job's Run asks it first; the upload page asks it before
// reading the file.
func (s *Service) MayImport(a access.Actor) error {
	if !a.ManagesMarketing() {
		return fault.Errorf(fault.Forbidden, "imports are for admin and marketing users")
	}
	return nil
}

// Upload stores an uploaded file in the database and creates its import,
// made by a and waiting for the mapping to be confirmed. The file's
// encoding is guessed.
func (s *Service) Upload(ctx context.Context, a access.Actor, name string, r io.Reader) (Import, error) {
	return s.UploadIn(ctx, a, name, r, "")
}

// UploadIn is Upload of a file in encoding (one of leadcsv.Encodings, or
// "" to guess it).
func (s *Service) UploadIn(ctx context.Context, a access.Actor, name string, r io.Reader, encoding string) (Import, error) {
	if err := s.MayImport(a); err != nil {
		return Import{}, err
	}
	im := Import{FileName: filepath.Base(name), Status: Mapping, CreatedBy: a.ID, CreatedAt: time.Now().UTC()}
	var creator any
	if a.ID != 0 {
		creator = a.ID
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO imports (file_name, path, status, created_by, created_at)
			VALUES (?, '', ?, ?, ?) RETURNING id`, im.FileName, string(im.Status), creator, im.CreatedAt.UnixMilli()).Scan(&im.ID)
		if err != nil {
			return err
		}
		if im.TotalBytes, err = storeChunks(ctx, tx, im.ID, r); err != nil {
			return err
		}
		if err := readHeader(ctx, tx, &im, encoding, "file"); err != nil {
			return err
		}
		// Not the file's name, which may name a person.
		return audit.Record(ctx, tx, a, "import.upload", "import", im.ID, map[string]any{"bytes": im.TotalBytes,
			"columns": len(im.Header), "encoding": im.Encoding})
	})
	if err != nil {
		if fault.As(err) != nil {
			return Import{}, err
		}
		return Import{}, fmt.Errorf("imports: store upload: %w", err)
	}
	return im, nil
}

// readHeader reads the stored file's header in encoding ("" to guess it),
// proposes its mapping and saves both on the import; a file that cannot
// be read is a fault named after field.
func readHeader(ctx context.Context, tx *sqldb.Tx, im *Import, encoding, field string) error {
	rd, err := leadcsv.NewReaderIn(&chunkReader{ctx: ctx, q: tx, importID: im.ID}, encoding)
	if err != nil {
		return &fault.Error{Code: fault.Invalid, Message: err.Error(), Fields: map[string]string{field: err.Error()}}
	}
	im.Header, im.Mapping, im.Encoding = rd.Header, leadcsv.DetectFrom(rd.Header, sampleRows(rd)), rd.Encoding
	header, _ := json.Marshal(im.Header)
	mapping, _ := json.Marshal(im.Mapping)
	_, err = tx.Exec(ctx, `UPDATE imports SET header = ?, mapping = ?, encoding = ?, total_bytes = ? WHERE id = ?`,
		string(header), string(mapping), im.Encoding, im.TotalBytes, im.ID)
	return err
}

// sampleRows reads up to the first 50 rows after the header, which tell
// the mapping what some columns hold; a row that cannot be read ends it.
func sampleRows(rd *leadcsv.Reader) [][]string {
	var out [][]string
	for len(out) < 50 {
		row, err := rd.Next()
		if err != nil || row.Err != nil {
			break
		}
		out = append(out, row.Values)
	}
	return out
}

// SetEncoding reads an import waiting for its mapping again in encoding
// (one of leadcsv.Encodings), when the one guessed was wrong: its header
// and so its proposed mapping change with it.
func (s *Service) SetEncoding(ctx context.Context, a access.Actor, id int64, encoding string) (Import, error) {
	if err := s.MayImport(a); err != nil {
		return Import{}, err
	}
	if !leadcsv.ValidEncoding(encoding) {
		return Import{}, &fault.Error{Code: fault.Invalid, Message: fmt.Sprintf("unknown encoding %q", encoding),
			Fields: map[string]string{"encoding": "must be one of " + strings.Join(leadcsv.Encodings, ", ")}}
	}
	var im Import
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if im, err = scanImport(tx.QueryRow(ctx, `SELECT `+importColumns+` FROM imports WHERE id = ?`, id)); errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "import %d not found", id)
		} else if err != nil {
			return err
		}
		if im.Status != Mapping {
			return fault.Errorf(fault.Conflict, "import %d has already started", id)
		}
		return readHeader(ctx, tx, &im, encoding, "encoding")
	})
	if err != nil {
		if fault.As(err) != nil {
			return Import{}, err
		}
		return Import{}, fmt.Errorf("imports: encoding of %d: %w", id, err)
	}
	return im, nil
}

// Create registers the file at path for import, as Upload does.
func (s *Service) Create(ctx context.Context, a access.Actor, name, path string) (Import, error) {
	return s.CreateIn(ctx, a, name, path, "")
}

// CreateIn is Create of a file in encoding, as UploadIn.
func (s *Service) CreateIn(ctx context.Context, a access.Actor, name, path, encoding string) (Import, error) {
	if err := s.MayImport(a); err != nil {
		return Import{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Import{}, fmt.Errorf("imports: %w", err)
	}
	defer f.Close()
	return s.UploadIn(ctx, a, name, f, encoding)
}

const importColumns = `id, file_name, path, header, mapping, encoding, country, status, total_bytes, done_bytes, rows_done,
	created, updated, unchanged, rejected, error, COALESCE(created_by, 0), created_at, finished_at`

func scanImport(row interface{ Scan(...any) error }) (Import, error) {
	var im Import
	var header, mapping string
	var created int64
	var finished sql.NullInt64
	err := row.Scan(&im.ID, &im.FileName, &im.Path, &header, &mapping, &im.Encoding, &im.Country, &im.Status, &im.TotalBytes, &im.DoneBytes,
		&im.RowsDone, &im.Created, &im.Updated, &im.Unchanged, &im.Rejected, &im.Error, &im.CreatedBy, &created, &finished)
	if err != nil {
		return im, err
	}
	json.Unmarshal([]byte(header), &im.Header)
	json.Unmarshal([]byte(mapping), &im.Mapping)
	im.CreatedAt = time.UnixMilli(created).UTC()
	if finished.Valid {
		t := time.UnixMilli(finished.Int64).UTC()
		im.FinishedAt = &t
	}
	return im, nil
}

// Get returns import id.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Import, error) {
	if err := s.MayImport(a); err != nil {
		return Import{}, err
	}
	return s.get(ctx, id)
}

func (s *Service) get(ctx context.Context, id int64) (Import, error) {
	im, err := scanImport(s.db.R.QueryRow(ctx, `SELECT `+importColumns+` FROM imports WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return im, fault.Errorf(fault.NotFound, "import %d not found", id)
	}
	if err != nil {
		return im, fmt.Errorf("imports: get %d: %w", id, err)
	}
	return im, nil
}

// List returns the latest imports, newest first.
func (s *Service) List(ctx context.Context, a access.Actor, limit int) ([]Import, error) {
	if err := s.MayImport(a); err != nil {
		return nil, err
	}
	return s.query(ctx, `SELECT `+importColumns+` FROM imports ORDER BY id DESC LIMIT ?`, limit)
}

func (s *Service) query(ctx context.Context, q string, args ...any) ([]Import, error) {
	rows, err := s.db.R.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("imports: list: %w", err)
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		im, err := scanImport(rows)
		if err != nil {
			return nil, fmt.Errorf("imports: list: %w", err)
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// Start confirms the mapping of an import waiting for it and queues its
// job, returning the job's id.
func (s *Service) Start(ctx context.Context, a access.Actor, id int64, m leadcsv.Mapping) (int64, error) {
	return s.StartIn(ctx, a, id, m, "")
}

// StartIn is Start with a default country (a name or ISO code, "" for
// none) for the national phone numbers of rows that name no country.
func (s *Service) StartIn(ctx context.Context, a access.Actor, id int64, m leadcsv.Mapping, defaultCountry string) (int64, error) {
	if err := s.MayImport(a); err != nil {
		return 0, err
	}
	code := ""
	if strings.TrimSpace(defaultCountry) != "" {
		c, ok := country.Normalize(defaultCountry)
		if !ok {
			return 0, &fault.Error{Code: fault.Invalid, Message: fmt.Sprintf("unknown country %q", defaultCountry),
				Fields: map[string]string{"country": "must be a country name or a two-letter ISO code such as RO"}}
		}
		code = c
	}
	im, err := s.get(ctx, id)
	if err != nil {
		return 0, err
	}
	if im.Status != Mapping {
		return 0, fault.Errorf(fault.Conflict, "import %d has already started", id)
	}
	if len(m) != len(im.Header) {
		return 0, fault.Errorf(fault.Invalid, "the mapping has %d columns, the file %d", len(m), len(im.Header))
	}
	if !m.Identifies() {
		return 0, &fault.Error{Code: fault.Invalid, Message: "no column says who a lead is",
			Fields: map[string]string{"mapping": "map a column to email or phone, or to a name and a company, city, address or birth date"}}
	}
	b, _ := json.Marshal(m)
	var jobID int64
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE imports SET mapping = ?, country = ?, status = ? WHERE id = ? AND status = ?`,
			string(b), code, string(Queued), id, string(Mapping))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.Conflict, "import %d has already started", id)
		}
		jobID, _, err = job.Enqueue(ctx, tx, JobKind, jobArgs{ImportID: id}, job.EnqueueOptions{Unique: fmt.Sprintf("import:%d", id)})
		if err != nil {
			return err
		}
		detail := map[string]any{"job_id": jobID, "fields": mappedFields(m)}
		if code != "" { // the default country for national phone numbers, when the import has one
			detail["country"] = code
		}
		return audit.Record(ctx, tx, a, "import.start", "import", id, detail)
	})
	if err != nil {
		return 0, err
	}
	if s.Jobs != nil {
		s.Jobs.Wake()
	}
	return jobID, nil
}

// mappedFields names the lead fields a mapping fills, for the audit log.
func mappedFields(m leadcsv.Mapping) []string {
	set := map[string]bool{}
	for _, f := range m {
		if f != leadcsv.Ignore {
			set[f] = true
		}
	}
	return audit.Fields(set)
}

type jobArgs struct {
	ImportID int64 `json:"import_id"`
}

// Handler runs import jobs, calling progress (if set) after every batch.
func (s *Service) Handler(progress func(Import)) job.Handler {
	return func(ctx context.Context, j job.Job) error {
		var args jobArgs
		if err := j.Decode(&args); err != nil {
			return err
		}
		err := s.Run(ctx, args.ImportID, progress)
		if err == nil || ctx.Err() != nil || errors.Is(err, errTakenOver) {
			return err // a stop or a take-over is no failure: the job goes on
		}
		// A fault of the file or of the request stays; anything else
		// (the database was away) is tried again, up to the last attempt.
		if j.Attempt >= j.MaxAttempts || isFileError(err) || fault.As(err) != nil {
			s.fail(args.ImportID, err)
			return job.Permanent(err)
		}
		return err
	}
}

// fail marks an import failed for good. Its audit entry says so without
// the error's text, which may quote a row of the file.
func (s *Service) fail(id int64, cause error) {
	s.db.InTx(context.Background(), func(tx *sqldb.Tx) error {
		res, err := tx.Exec(context.Background(), `UPDATE imports SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status <> ?`,
			string(Failed), cause.Error(), time.Now().UnixMilli(), id, string(Done))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another run finished it
		}
		tx.Touch(live.Import(id))
		return audit.Record(context.Background(), tx, access.System, "import.fail", "import", id, nil)
	})
}

// fileError is a fault of the file itself, which no retry mends.
type fileError struct{ error }

func (e fileError) Unwrap() error { return e.error }

func isFileError(err error) bool {
	var fe fileError
	return errors.As(err, &fe)
}

// Run imports id now, calling progress after every batch. It skips the
// rows an earlier, interrupted run committed; a finished import is left
// as it is, so a job run twice imports once. A failed import goes on from
// where it stopped: its job is run again only when an admin retries it.
// It checks no actor: it is the job's work, and the import was allowed
// when it was started.
func (s *Service) Run(ctx context.Context, id int64, progress func(Import)) error {
	im, err := s.get(ctx, id)
	if err != nil {
		return err
	}
	switch im.Status {
	case Done:
		return nil
	case Mapping:
		return fault.Errorf(fault.Conflict, "import %d is waiting for its mapping", id)
	}
	// Another run may finish the import between the read above and
	// here: it is not set running again then.
	res, err := s.db.W.Exec(ctx, `UPDATE imports SET status = ?, error = '', finished_at = NULL WHERE id = ? AND status <> ?`, string(Running), id, string(Done))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if err := s.run(ctx, &im, progress); err != nil {
		// A run that finished meanwhile has also dropped the upload this
		// one was reading: the import is done, and this run's error is
		// only that.
		if cur, gerr := s.get(ctx, id); gerr == nil && cur.Status == Done {
			return nil
		}
		return err
	}
	// The upload is no longer needed once every row is in: the person
	// data it holds lives on only in leads and rejected rows.
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE imports SET status = ?, done_bytes = total_bytes, finished_at = ? WHERE id = ? AND status <> ?`,
			string(Done), time.Now().UnixMilli(), id, string(Done))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another run finished it, and recorded so
		}
		tx.Touch(live.Import(id))
		if _, err := tx.Exec(ctx, `DELETE FROM import_chunks WHERE import_id = ?`, id); err != nil {
			return err
		}
		// The new leads were not compared with their look-alikes as they
		// were written (lead.IntakeBatch): the pairs job does it now.
		if im.Created > 0 {
			if _, err := EnqueuePairs(ctx, tx, id); err != nil {
				return err
			}
		}
		// The job's work, so leadflow's entry: import.start names who
		// asked for it.
		return audit.Record(ctx, tx, access.System, "import.finish", "import", id, map[string]int64{"rows": im.RowsDone,
			"created": im.Created, "updated": im.Updated, "unchanged": im.Unchanged, "rejected": im.Rejected})
	})
	if err != nil {
		return err
	}
	if s.Jobs != nil {
		s.Jobs.Wake()
	}
	if progress != nil {
		im.Status, im.DoneBytes = Done, im.TotalBytes
		progress(im)
	}
	return nil
}

// EnqueuePairs returns the pairs job that import id queued as it
// finished (lead.PairsJob), queuing it should it be missing: the command
// line runs it in its own process.
func EnqueuePairs(ctx context.Context, q sqldb.Querier, id int64) (int64, error) {
	jobID, _, err := job.Enqueue(ctx, q, lead.PairsJob, nil, job.EnqueueOptions{Unique: fmt.Sprintf("%s@import:%d", lead.PairsJob, id), MaxAttempts: 3})
	return jobID, err
}

// open returns the import's file: its chunks in the database, or for an
// import uploaded before files were kept there, the file at its path.
func (s *Service) open(ctx context.Context, im *Import) (io.ReadCloser, error) {
	if im.Path == "" {
		return io.NopCloser(&chunkReader{ctx: ctx, q: s.db.R, importID: im.ID}), nil
	}
	f, err := os.Open(im.Path)
	if err != nil {
		return nil, fileError{fmt.Errorf("imports: open %s: %w", im.FileName, err)}
	}
	return f, nil
}

func (s *Service) run(ctx context.Context, im *Import, progress func(Import)) error {
	f, err := s.open(ctx, im)
	if err != nil {
		return err
	}
	defer f.Close()
	rd, err := leadcsv.NewReaderIn(f, im.Encoding)
	if err != nil {
		return fileError{err}
	}
	origin := lead.Origin{Channel: "import", Reason: fmt.Sprintf("import %d (%s)", im.ID, im.FileName),
		Props: map[string]string{"import": strconv.FormatInt(im.ID, 10)}}
	var batch []pending
	for rowNum := int64(0); ; rowNum++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fileError{fmt.Errorf("imports: read %s: %w", im.FileName, err)}
		}
		if rowNum < im.RowsDone {
			continue // committed by an earlier run
		}
		batch = append(batch, toPending(im, row, origin))
		if len(batch) == s.BatchSize {
			if err := s.commit(ctx, im, batch, rd.BytesRead()); err != nil {
				return err
			}
			batch = batch[:0]
			if progress != nil {
				progress(*im)
			}
		}
	}
	return s.commit(ctx, im, batch, im.TotalBytes)
}

// pending is one row on its way: either lead changes, or the reason it was
// refused before reaching intake.
type pending struct {
	line   int
	values []string
	in     lead.Incoming
	reason string
}

func toPending(im *Import, row leadcsv.Row, origin lead.Origin) pending {
	p := pending{line: row.Line, values: row.Values}
	if row.Err != nil {
		p.reason = row.Err.Error()
		return p
	}
	c, err := im.Mapping.Changes(im.Header, row.Values)
	if err != nil {
		p.reason = err.Error()
		return p
	}
	readPhone(c, im.Country)
	p.in = lead.Incoming{Changes: c, Origin: origin}
	return p
}

// FPhoneUnread is the custom answer that keeps a phone number the import
// could not read, so the row is kept and the number is not lost.
const FPhoneUnread = lead.CustomPrefix + "phone_unread"

// readPhone reads the row's phone in the row's country, else in the
// import's default country. A number that cannot be read is moved to
// FPhoneUnread: the row still imports when something else identifies it
// (an email, a name with a company), and the number waits there for a
// person to fix.
func readPhone(c lead.Changes, defaultCountry string) {
	raw, ok := c[lead.FPhone]
	if !ok {
		return
	}
	region := defaultCountry
	if v := c[lead.FCountry]; v != "" {
		if code, ok := country.Normalize(v); ok {
			region = code
		}
	}
	if e164, reason := phone.Normalize(raw, region); reason == "" {
		c[lead.FPhone] = e164
		return
	}
	delete(c, lead.FPhone)
	c[FPhoneUnread] = raw
}

// commit takes a batch of rows in one transaction, with the import's
// counters and the rejected rows.
func (s *Service) commit(ctx context.Context, im *Import, batch []pending, doneBytes int64) error {
	var ins []lead.Incoming
	var idx []int // position in batch of each intake
	for i, p := range batch {
		if p.reason == "" {
			ins = append(ins, p.in)
			idx = append(idx, i)
		}
	}
	next := *im
	_, _, err := s.leads.IntakeBatchThen(ctx, ins, func(tx *sqldb.Tx, res []lead.IntakeResult, errs []error) error {
		next = *im
		reasons := make([]string, len(batch))
		for i, p := range batch {
			reasons[i] = p.reason
		}
		for j, r := range res {
			switch {
			case errs[j] != nil:
				reasons[idx[j]] = Reason(errs[j])
			case r.Created:
				next.Created++
			case r.Changed():
				next.Updated++
			default:
				next.Unchanged++
			}
		}
		for i, reason := range reasons {
			if reason == "" {
				continue
			}
			next.Rejected++
			raw, _ := json.Marshal(batch[i].values)
			if _, err := tx.Exec(ctx, `INSERT INTO import_rejects (import_id, row_num, raw, reason) VALUES (?, ?, ?, ?)`,
				im.ID, batch[i].line, string(raw), reason); err != nil {
				return err
			}
		}
		next.RowsDone += int64(len(batch))
		next.DoneBytes = doneBytes
		// Conditional on the count this run read: should another
		// instance have taken the job over and committed these rows
		// meanwhile, this batch rolls back instead of counting them twice.
		upd, err := tx.Exec(ctx, `UPDATE imports SET rows_done = ?, done_bytes = ?, created = ?, updated = ?, unchanged = ?, rejected = ?
			WHERE id = ? AND rows_done = ?`, next.RowsDone, next.DoneBytes, next.Created, next.Updated, next.Unchanged, next.Rejected,
			im.ID, im.RowsDone)
		if err != nil {
			return err
		}
		if n, _ := upd.RowsAffected(); n == 0 {
			return errTakenOver
		}
		tx.Touch(live.Import(im.ID))
		return nil
	})
	if err != nil {
		return fmt.Errorf("imports: %d: %w", im.ID, err)
	}
	*im = next
	return nil
}

// errTakenOver ends a run whose rows another run committed first.
var errTakenOver = errors.New("another run of this import committed these rows first")

// Reason turns a validation error into one line naming each field.
func Reason(err error) string {
	e := fault.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err.Error()
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + e.Fields[k]
	}
	return strings.Join(parts, "; ")
}

// WriteRejects writes the rejected rows of import id as CSV: the file's
// own columns, then line and reason, so it can be fixed and imported
// again (leadflow ignores the two extra columns). The two columns and the
// reasons are in l's language. Cells are neutralised against formulas,
// and restored when the file is imported again.
func (s *Service) WriteRejects(ctx context.Context, a access.Actor, id int64, w io.Writer, l *i18n.Locale) (int, error) {
	if err := s.MayImport(a); err != nil {
		return 0, err
	}
	im, err := s.get(ctx, id)
	if err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.Write(append(leadcsv.NeutraliseAll(im.Header), l.T("imp.col_line"), l.T("imp.col_reason")))
	rows, err := s.db.R.Query(ctx, `SELECT row_num, raw, reason FROM import_rejects WHERE import_id = ? ORDER BY row_num, id`, id)
	if err != nil {
		return 0, fmt.Errorf("imports: rejects of %d: %w", id, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var line int64
		var raw, reason string
		if err := rows.Scan(&line, &raw, &reason); err != nil {
			return n, err
		}
		var values []string
		json.Unmarshal([]byte(raw), &values)
		// Pad or cut to the header so the columns line up.
		cells := make([]string, len(im.Header))
		copy(cells, values)
		cw.Write(append(leadcsv.NeutraliseAll(cells), strconv.FormatInt(line, 10), leadcsv.Neutralise(l.FieldReasons(reason))))
		n++
	}
	cw.Flush()
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, cw.Error()
}
