package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/i18n"
	"leadflow/internal/imports"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/leadcsv"
	"leadflow/internal/sqldb"
)

func (e environment) importCSV(ctx context.Context, args []string) error {
	fs := e.flags("import")
	mapFlag := fs.String("map", "", `column mapping overrides: "Column=field,Other Column=-" (- ignores a column)`)
	rejectsPath := fs.String("rejects", "", "where to write rejected rows (default FILE.rejected.csv)")
	encoding := fs.String("encoding", "", "the file's encoding, when the guess is wrong: "+strings.Join(leadcsv.Encodings, ", "))
	countryFlag := fs.String("country", "", "the country of national phone numbers (without +code) in rows that name none, such as RO")
	// Flags may come before or after the file name.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	db, err := e.parseAndOpen(ctx, fs, args, "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		return errors.New("usage: leadflow import FILE.csv [--map 'Column=field,...'] [--rejects FILE] [--encoding NAME] [--country CODE]")
	}
	if *encoding != "" && !leadcsv.ValidEncoding(*encoding) {
		return fmt.Errorf("--encoding: %q is not one of %s", *encoding, strings.Join(leadcsv.Encodings, ", "))
	}
	leads := lead.NewService(db)
	svc := imports.NewService(db, leads)
	im, err := svc.CreateIn(ctx, access.System, file, file, *encoding)
	if err != nil {
		return explain(err)
	}
	if *mapFlag != "" {
		if err := im.Mapping.Override(im.Header, parsePairs(*mapFlag)); err != nil {
			return err
		}
	}
	e.describeMapping(im)
	jobID, err := svc.StartIn(ctx, access.System, im.ID, im.Mapping, *countryFlag)
	if err != nil {
		return explain(err)
	}
	bar := newProgressBar(e.stderr, "rows")
	jo, err := e.jobOptions(nil)
	if err != nil {
		return err
	}
	runner := job.NewRunner(db, jo)
	if err := runImport(ctx, runner, svc, jobID, im.ID, bar.imported); err != nil {
		return err
	}
	bar.finish()
	im, err = svc.Get(ctx, access.System, im.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %s: %d rows: %d created, %d updated, %d unchanged, %d rejected\n",
		filepath.Base(file), im.RowsDone, im.Created, im.Updated, im.Unchanged, im.Rejected)
	if im.Rejected > 0 {
		if err := e.writeRejects(ctx, svc, im, file, *rejectsPath); err != nil {
			return err
		}
	}
	if im.Created > 0 {
		e.findPairs(ctx, db, runner, leads, im.ID)
	}
	return nil
}

// runImport runs the import's job here, under a lease like any job: the
// file is in the database, so if this command is stopped a server takes
// the job over and finishes it. Should a server have claimed the job
// first, it waits for that server instead, showing progress.
func runImport(ctx context.Context, runner *job.Runner, svc *imports.Service, jobID, importID int64, progress func(imports.Import)) error {
	runner.Handle(imports.JobKind, svc.Handler(progress))
	err := runner.RunHere(ctx, jobID)
	if !errors.Is(err, job.ErrNotClaimed) {
		return err
	}
	for {
		im, err := svc.Get(ctx, access.System, importID)
		if err != nil {
			return err
		}
		progress(im)
		switch im.Status {
		case imports.Done:
			return nil
		case imports.Failed:
			return fmt.Errorf("import %d failed: %s", importID, im.Error)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// findPairs runs here the pairs job the import queued as it finished,
// which compares its new leads with their look-alikes, and says how that
// went. The leads are in by then, so a failure is a warning: the job
// stays queued, for a server to run (or the nightly run does its work).
func (e environment) findPairs(ctx context.Context, db *sqldb.DB, runner *job.Runner, leads *lead.Service, importID int64) {
	runner.Handle(lead.PairsJob, leads.RunPairsJob)
	id, err := imports.EnqueuePairs(ctx, db.W, importID)
	if err == nil {
		err = runner.RunHere(ctx, id)
	}
	switch {
	case err == nil:
		fmt.Fprintln(e.stdout, "probable duplicates among them are in the review queue")
	case errors.Is(err, job.ErrNotClaimed) || job.IsLater(err):
		fmt.Fprintln(e.stdout, "a server has the pairs job: probable duplicates among them reach the review queue when it has run")
	default:
		fmt.Fprintf(e.stderr, "warning: the new leads were not compared with their look-alikes (%v); a server's pairs job, nightly at the latest, will do it\n", err)
	}
}

func (e environment) describeMapping(im imports.Import) {
	var used []string
	for i, f := range im.Mapping {
		if f != leadcsv.Ignore {
			used = append(used, fmt.Sprintf("%s→%s", im.Header[i], f))
		}
	}
	fmt.Fprintf(e.stderr, "encoding: %s\n", im.Encoding)
	fmt.Fprintf(e.stderr, "columns: %s\n", strings.Join(used, ", "))
	if ignored := im.Mapping.Ignored(im.Header); len(ignored) > 0 {
		fmt.Fprintf(e.stderr, "ignored columns: %s\n", strings.Join(ignored, ", "))
	}
}

func (e environment) writeRejects(ctx context.Context, svc *imports.Service, im imports.Import, file, path string) error {
	if path == "" {
		path = strings.TrimSuffix(file, filepath.Ext(file)) + ".rejected.csv"
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := svc.WriteRejects(ctx, access.System, im.ID, out, i18n.For(i18n.Default)); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rejected rows, with the reason for each, are in %s: fix them and import that file again\n", path)
	return nil
}

// parsePairs reads "A=b,C=d".
func parsePairs(s string) map[string]string {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if col, field, ok := strings.Cut(pair, "="); ok {
			out[strings.TrimSpace(col)] = strings.TrimSpace(field)
		}
	}
	return out
}

func (e environment) exportCSV(ctx context.Context, args []string) error {
	fs := e.flags("export")
	out := fs.String("out", "", "file to write (default standard output)")
	query := fs.String("filter", "", `lead filter as URL query parameters, e.g. "stage=mql&country=RO"`)
	db, err := e.parseAndOpen(ctx, fs, args, "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := url.ParseQuery(*query)
	if err != nil {
		return fmt.Errorf("--filter: %w", err)
	}
	f, err := lead.ParseFilter(v)
	if err != nil {
		return explain(err)
	}
	var w io.Writer = e.stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	n, err := leadcsv.Export(ctx, w, lead.NewService(db), access.Actor{Role: access.Admin}, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d leads\n", n)
	return nil
}

// progressBar draws progress on one terminal line, at most a few times a
// second: percent, items done, items per second and time left.
type progressBar struct {
	w     io.Writer
	unit  string
	start time.Time
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, unit string) *progressBar {
	return &progressBar{w: w, unit: unit, start: time.Now()}
}

// imported draws an import's progress: bytes read give the percent.
func (p *progressBar) imported(im imports.Import) {
	p.draw(im.Percent(), im.RowsDone, im.Status == imports.Done)
}

func (p *progressBar) draw(pct int, done int64, final bool) {
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond && !final {
		return
	}
	p.last, p.drawn = now, true
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(done) / max(elapsed, 0.001)
	eta := "--"
	if pct > 0 && pct < 100 {
		eta = time.Duration(elapsed * float64(100-pct) / float64(pct) * float64(time.Second)).Round(time.Second).String()
	}
	pct = min(max(pct, 0), 100)
	filled := pct / 5
	fmt.Fprintf(p.w, "\r[%s%s] %3d%%  %d %s  %.0f %s/s  ETA %s   ",
		strings.Repeat("#", filled), strings.Repeat(".", 20-filled), pct, done, p.unit, rate, p.unit, eta)
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func (e environment) rescore(ctx context.Context, args []string) error {
	db, err := e.parseAndOpen(ctx, e.flags("rescore"), args, "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	bar := newProgressBar(e.stderr, "leads")
	start := time.Now()
	p, err := lead.NewService(db).RescoreAll(ctx, "leadflow rescore", func(p lead.RescoreProgress) {
		pct := 100
		if p.Total > 0 {
			pct = int(p.Done * 100 / p.Total)
		}
		bar.draw(pct, p.Done, p.Done == p.Total)
	})
	bar.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rescored %d leads in %s: %d scores changed\n", p.Done, time.Since(start).Round(time.Millisecond), p.Changed)
	return nil
}
