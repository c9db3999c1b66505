// Command leadflow runs the leadflow lead management server and its
// administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runWith(ctx, os.Args[1:], environment{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr,
		limitMemory: debug.SetMemoryLimit}); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "leadflow:", err)
		}
		os.Exit(1)
	}
}

const usage = `leadflow — lead management

Usage:
  leadflow serve   [--addr :8080] [--db leadflow.db] [--trusted-proxies CIDRS] [--jobs=false]
                                                      run the server
  leadflow demo    [--addr 127.0.0.1:8080] [--db leadflow-demo.db] [--leads 300] [--trusted-proxies CIDRS]
                                                      run the server on demo data
  leadflow migrate [--db leadflow.db]                 apply database migrations
  leadflow user create --email E --password P --role admin|marketing|sales [--name N]
  leadflow token create --user E [--name N] [--scope S] [--expires 90d]
                                                      print a new API token (last line)
  leadflow import FILE.csv [--map 'Column=field,...'] [--rejects FILE]
                                                      import leads from CSV
  leadflow export [--out FILE] [--filter 'stage=mql&country=RO']
                                                      export leads to CSV
  leadflow rescore                                    rescore every lead with the current rules
  leadflow privacy export --email E [--out FILE.json]  everything about a person, as JSON
  leadflow privacy erase --email E                    delete a person everywhere, and say what went
  leadflow secret rotate NAME                         replace a signing key shared by all instances
                                                      (NAME: form-token)
  leadflow backup --out FILE [--db leadflow.db]       copy the SQLite database while it serves, and check the copy
  leadflow restore --from FILE [--db leadflow.db] [--force]
                                                      check a backup and put it in the database's place
  leadflow check [--db leadflow.db]                   look the database over (integrity, counts)
  leadflow bench [--quick] [--leads N] [--events M] [--instances N] [--out bench.json]
                                                      measure leadflow on a fresh database

The database is the SQLite file --db, unless LEADFLOW_DATABASE_URL holds a
postgres:// URL, which selects PostgreSQL. --trusted-proxies defaults to
LEADFLOW_TRUSTED_PROXIES. Every command takes --durable to make each SQLite
commit wait until it is on disk (default LEADFLOW_SQLITE_DURABLE).
`

// run is the whole program, with its environment passed in so tests can
// run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runWith(ctx, args, environment{getenv: getenv, stdout: stdout, stderr: stderr})
}

// runWith is run in env.
func runWith(ctx context.Context, args []string, env environment) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, usage)
		return errors.New("no command given")
	}
	stdout, stderr := env.stdout, env.stderr
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return env.serve(ctx, rest)
	case "demo":
		return env.demo(ctx, rest)
	case "migrate":
		return env.migrate(ctx, rest)
	case "user":
		return env.user(ctx, rest)
	case "token":
		return env.token(ctx, rest)
	case "import":
		return env.importCSV(ctx, rest)
	case "export":
		return env.exportCSV(ctx, rest)
	case "rescore":
		return env.rescore(ctx, rest)
	case "privacy":
		return env.privacyCmd(ctx, rest)
	case "secret":
		return env.secret(ctx, rest)
	case "bench":
		return env.bench(ctx, rest)
	case "backup":
		return env.backup(ctx, rest)
	case "restore":
		return env.restore(ctx, rest)
	case "check":
		return env.check(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// environment is what every command reads and writes.
type environment struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	// limitMemory sets the Go heap's soft limit (debug.SetMemoryLimit);
	// nil in tests, which run commands in their own process.
	limitMemory func(int64) int64
}

// baseMemoryLimit is the Go heap's soft limit of a server, less the
// duplicate search's budget: the collector works harder as the heap
// nears it rather than let garbage grow to twice what is live. A 1 M
// lead import and the duplicate search after it peaked at 310 MB of
// resident memory without it and 238 MB with it (BENCHMARKS.md, "Peak
// RSS of the import"). 48 MiB took the peak 25 MB lower but the search
// a third longer ("The import's statements a few hundred rows each").
const baseMemoryLimit = 64 << 20

// setMemoryLimit gives a server process the soft limit baseMemoryLimit
// plus pairsMemory, unless GOMEMLIMIT sets one.
func (e environment) setMemoryLimit(pairsMemory int64) {
	if e.limitMemory != nil && e.getenv("GOMEMLIMIT") == "" {
		e.limitMemory(baseMemoryLimit + pairsMemory)
	}
}

// flags returns a flag set that prints its errors to stderr.
func (e environment) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("leadflow "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}
