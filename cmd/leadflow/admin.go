package main

import (
	"context"
	"errors"
	"fmt"
	"leadflow/internal/activity"
	"leadflow/internal/calendar"
	"leadflow/internal/product"
	"net"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/brief"
	"leadflow/internal/catalog"
	"leadflow/internal/crm"
	"leadflow/internal/demo"
	"leadflow/internal/fault"
	"leadflow/internal/forms"
	"leadflow/internal/invoice"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailbox"
	"leadflow/internal/nurture"
	"leadflow/internal/project"
	"leadflow/internal/report"
	"leadflow/internal/salesteam"
	"leadflow/internal/secret"
	"leadflow/internal/segment"
	"leadflow/internal/tracking"
	"leadflow/internal/user"
)

func (e environment) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: leadflow user create --email E --password P --role admin|marketing|sales [--name N]")
	}
	fs := e.flags("user create")
	email := fs.String("email", "", "the user's email (their login)")
	password := fs.String("password", "", "password, at least 10 characters")
	role := fs.String("role", "", "admin, marketing or sales")
	name := fs.String("name", "", "display name")
	db, err := e.parseAndOpen(ctx, fs, args[1:], "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := user.NewService(db).Create(ctx, access.System, user.Input{Email: *email, Password: *password, Role: access.Role(*role), Name: *name})
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "created %s user %s (id %d)\n", u.Role, u.Email, u.ID)
	return nil
}

func (e environment) token(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: leadflow token create --user E [--name N] [--scope read-only|read-write|admin] [--expires 90d]")
	}
	fs := e.flags("token create")
	email := fs.String("user", "", "email of the user the token acts as")
	name := fs.String("name", "", "what the token is for")
	scope := fs.String("scope", "", "read-only, read-write or admin (default: the widest the user's role allows)")
	expires := fs.String("expires", "", "how long the token lasts, in days (90d) or as a duration (36h); default never")
	db, err := e.parseAndOpen(ctx, fs, args[1:], "leadflow.db")
	if err != nil {
		return err
	}
	if *email == "" {
		db.Close()
		return errors.New("--user is required")
	}
	defer db.Close()
	spec := user.TokenSpec{Name: *name, Scope: *scope}
	if *expires != "" {
		d, err := parseLifetime(*expires)
		if err != nil {
			return err
		}
		spec.ExpiresAt = time.Now().Add(d)
	}
	secret, err := user.NewService(db).CreateTokenWith(ctx, access.System, *email, spec)
	if fault.CodeOf(err) == fault.NotFound {
		// The usual cause: the demo's users live in leadflow-demo.db.
		return fmt.Errorf("%w in this database; the demo's users are in leadflow-demo.db: add --db leadflow-demo.db", explain(err))
	}
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "API token for %s (shown once; send it as Authorization: Bearer <token>):\n%s\n", *email, secret)
	return nil
}

const secretUsage = "usage: leadflow secret rotate NAME   (NAME: %s)"

// secret rotates a signing key shared by every instance on the database.
func (e environment) secret(ctx context.Context, args []string) error {
	names := strings.Join(secret.Names(), ", ")
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf(secretUsage, names)
	}
	fs := e.flags("secret rotate")
	args = args[1:]
	// The name may come before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	db, err := e.parseAndOpen(ctx, fs, args, "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if name == "" {
		return fmt.Errorf(secretUsage, names)
	}
	store := secret.New(db)
	keys, err := store.Rotate(ctx, name)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "rotated %s (it %s); the previous key stays valid until %s\n",
		name, secret.Known[name], keys.RotatedAt.Add(store.Grace).Format(time.RFC3339))
	if name == secret.MailboxKey {
		// Sealed again now, rather than by the next fetch, so no password
		// depends on the old key once this command returns.
		n, err := mailbox.Reseal(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "sealed %d mailbox passwords with the new key\n", n)
	}
	return nil
}

// explain turns a validation error into one line per field.
func explain(err error) error {
	e := fault.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	msg := e.Message
	for f, why := range e.Fields {
		msg += fmt.Sprintf("\n  --%s %s", f, why)
	}
	return errors.New(msg)
}

func (e environment) demo(ctx context.Context, args []string) error {
	fs := e.flags("demo")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on; another free port is used if it is taken")
	n := fs.Int("leads", 300, "how many demo leads to create in a new database")
	opts := e.serveFlags(fs)
	db, err := e.parseAndOpen(ctx, fs, args, "leadflow-demo.db")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := opts.parse(e.stderr); err != nil {
		return err
	}
	users := user.NewService(db)
	password := user.NewPassword()
	count, err := users.Count(ctx)
	if err != nil {
		return err
	}
	if count == 0 {
		fmt.Fprintf(e.stderr, "creating demo data: %d leads...\n", *n)
		leads := lead.NewService(db)
		cat := catalog.NewService(db)
		briefs := brief.NewService(db, leads, cat)
		briefs.Projects = project.NewService(db, leads)
		svc := demo.Services{Users: users, Leads: leads, Forms: forms.NewService(db, leads), CRM: crm.NewService(db, leads), Reports: report.NewService(db),
			Activities: activity.NewService(db, leads), Calendar: calendar.NewStore(db), Products: product.NewService(db), Segments: segment.NewService(db),
			Nurture: nurture.NewService(db, leads, mail.NewOutbox(db, mail.Config{}), tracking.NewService(db)),
			Catalog: cat, Briefs: briefs, Invoices: invoice.NewService(db), Projects: briefs.Projects, Teams: salesteam.NewService(db, leads)}
		if err := demo.Seed(ctx, svc, password, *n, 1, time.Now()); err != nil {
			return err
		}
	} else {
		// An existing demo keeps its data; its users get a fresh password so
		// the one printed below works.
		for _, u := range demo.Team {
			if err := users.SetPassword(ctx, access.System, u.Email, password); err != nil && fault.CodeOf(err) != fault.NotFound {
				return err
			}
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s is taken (%v); using a free port\n", *addr, err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return err
		}
	}
	return e.listen(ctx, db, *opts, ln, func(url string) {
		fmt.Fprintf(e.stdout, "\nOpen %s and sign in:\n  email:    %s\n  password: %s\n", url, demo.Team[0].Email, password)
		fmt.Fprintf(e.stdout, "The other demo users (marketing, sales) have the same password:\n")
		for _, u := range demo.Team[1:] {
			fmt.Fprintf(e.stdout, "  %-32s %s\n", u.Email, u.Role)
		}
		fmt.Fprintln(e.stdout, "Press Ctrl+C to stop.")
	})
}

// parseLifetime reads --expires: a number of days ("90d") or a Go
// duration ("36h").
func parseLifetime(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("--expires must be a number of days like 90d, or a duration like 36h; got %q", v)
}
