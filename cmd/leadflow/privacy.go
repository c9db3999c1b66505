package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"leadflow/internal/access"
	"leadflow/internal/privacy"
)

// privacyCmd answers a person's request about their data: export
// everything about a person (found by email, phone, or surname and
// company) as JSON, or erase it everywhere.
func (e environment) privacyCmd(ctx context.Context, args []string) error {
	const use = "usage: leadflow privacy export|erase (--email E | --phone +CC... | --last-name L --company C [--first-name F]) [--out FILE.json]"
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase") {
		return errors.New(use)
	}
	fs := e.flags("privacy " + args[0])
	email := fs.String("email", "", "the person's email address (any case)")
	phone := fs.String("phone", "", "the person's phone number, with its country code")
	first := fs.String("first-name", "", "the person's first name (with --last-name and --company)")
	last := fs.String("last-name", "", "the person's surname (with --company)")
	company := fs.String("company", "", "the person's company (with --last-name)")
	out := fs.String("out", "", "export: file to write (default standard output)")
	db, err := e.parseAndOpen(ctx, fs, args[1:], "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	p := privacy.Person{Email: *email, Phone: *phone, FirstName: *first, LastName: *last, Company: *company}
	if p == (privacy.Person{}) {
		return errors.New(use)
	}
	svc := privacy.NewService(db)
	if args[0] == "erase" {
		er, err := svc.ErasePerson(ctx, access.System, p)
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(e.stdout, "erased %s (recorded as erasure %d, sha256 %s):\n", p, er.ID, er.EmailSHA256)
		for _, name := range privacy.CountNames {
			fmt.Fprintf(e.stdout, "  %-28s %d\n", name, er.Counts[name])
		}
		return nil
	}
	ex, err := svc.ExportPerson(ctx, access.System, p)
	if err != nil {
		return explain(err)
	}
	var w io.Writer = e.stdout
	if *out != "" {
		// The export is personal data: readable by its owner alone.
		file, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ex); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d leads, %d contacts, %d submissions, %d events of %s\n",
		len(ex.Leads), len(ex.Contacts), len(ex.Submissions), len(ex.Events), ex.Person)
	return nil
}
