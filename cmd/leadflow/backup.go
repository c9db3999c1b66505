package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"leadflow/internal/sqldb"
)

// backup writes a consistent copy of the SQLite database while the
// server goes on serving, then checks the copy.
func (e environment) backup(ctx context.Context, args []string) error {
	fs := e.flags("backup")
	out := fs.String("out", "", "the backup file to write (must not exist)")
	db, err := e.parseAndOpen(ctx, fs, args, "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	if *out == "" {
		return errors.New("usage: leadflow backup --out FILE [--db leadflow.db]")
	}
	if err := db.Backup(ctx, *out); err != nil {
		return err
	}
	copyDB, err := sqldb.Open(ctx, *out)
	if err != nil {
		return fmt.Errorf("backup written, but it does not open: %w", err)
	}
	defer copyDB.Close()
	h, err := copyDB.Check(ctx)
	if err != nil {
		return err
	}
	e.report(h)
	if !h.OK() {
		return fmt.Errorf("the backup %s failed its check", *out)
	}
	fmt.Fprintf(e.stdout, "backup written to %s and checked\n", *out)
	return nil
}

// restore puts a backup in the database's place, after checking it. The
// server must be stopped first.
func (e environment) restore(ctx context.Context, args []string) error {
	fs := e.flags("restore")
	from := fs.String("from", "", "the backup file to restore")
	dbPath := fs.String("db", "leadflow.db", "the SQLite database file to replace")
	force := fs.Bool("force", false, "replace an existing database file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if e.getenv("LEADFLOW_DATABASE_URL") != "" {
		return errors.New("restore: on PostgreSQL use pg_restore (see the README), then leadflow check")
	}
	if *from == "" {
		return errors.New("usage: leadflow restore --from BACKUP [--db leadflow.db] [--force]")
	}
	if _, err := os.Stat(*dbPath); err == nil && !*force {
		return fmt.Errorf("restore: %s exists; stop the server and add --force to replace it", *dbPath)
	}
	// The backup is copied next to the database, checked and migrated
	// there, and only then renamed into place: a failed restore leaves
	// the database as it was.
	tmp := *dbPath + ".restoring"
	removeDB(tmp)
	if err := copyFile(*from, tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	h, err := e.checkFile(ctx, tmp)
	if err == nil && !h.OK() {
		err = fmt.Errorf("restore: the backup %s failed its check; the database was not touched", *from)
	}
	if err != nil {
		removeDB(tmp)
		return err
	}
	removeDB(*dbPath)
	if err := os.Rename(tmp, *dbPath); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	e.report(h)
	fmt.Fprintf(e.stdout, "restored %s from %s\n", *dbPath, *from)
	return nil
}

// checkFile migrates and checks the SQLite file at path, then closes it,
// which folds its log back into the file.
func (e environment) checkFile(ctx context.Context, path string) (sqldb.Health, error) {
	db, err := e.openDBAt(ctx, path)
	if err != nil {
		return sqldb.Health{}, err
	}
	defer db.Close()
	return db.Check(ctx)
}

// check looks the database over and fails when something is wrong.
func (e environment) check(ctx context.Context, args []string) error {
	db, err := e.parseAndOpen(ctx, e.flags("check"), args, "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	h, err := db.Check(ctx)
	if err != nil {
		return err
	}
	e.report(h)
	if !h.OK() {
		return errors.New("the database failed its check")
	}
	fmt.Fprintf(e.stdout, "the database is sound (%s)\n", db.Dialect)
	return nil
}

func (e environment) report(h sqldb.Health) {
	tables := make([]string, 0, len(h.Rows))
	for t := range h.Rows {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	parts := make([]string, len(tables))
	for i, t := range tables {
		parts[i] = fmt.Sprintf("%s %d", t, h.Rows[t])
	}
	fmt.Fprintf(e.stdout, "rows: %s\n", strings.Join(parts, ", "))
	for _, p := range h.Problems {
		fmt.Fprintf(e.stdout, "problem: %s\n", p)
	}
	for _, a := range h.Advice {
		fmt.Fprintf(e.stdout, "advice: %s\n", a)
	}
}

// removeDB deletes a SQLite file with its log and shared-memory files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o750); err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
