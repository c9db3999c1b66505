package sqldb

import (
	"context"
	"fmt"
	"strconv"
)

// Advice names the PostgreSQL server settings that slow leadflow's large
// writes, each with what to set instead; none on SQLite, whose settings
// are leadflow's own. A rescore after a rule change or a large import
// rewrites many pages of leads and their indexes. At PostgreSQL's
// defaults such a write fills the log's 1 GB over and over, each time
// forcing a checkpoint, after which the first change to each page copies
// the whole page into the log again, uncompressed (BENCHMARKS.md,
// "PostgreSQL's log settings").
func (db *DB) Advice(ctx context.Context) ([]string, error) {
	if db.Dialect != Postgres {
		return nil, nil
	}
	var walMB, compression string
	err := db.R.QueryRow(ctx, `SELECT
		COALESCE((SELECT setting FROM pg_settings WHERE name = 'max_wal_size'), ''),
		COALESCE((SELECT setting FROM pg_settings WHERE name = 'wal_compression'), '')`).Scan(&walMB, &compression)
	if err != nil {
		return nil, fmt.Errorf("read postgresql settings: %w", err)
	}
	return adviceFor(walMB, compression), nil
}

// minWALMB is the least max_wal_size Advice lets pass: half of the 16 GB
// under which BENCHMARKS.md measured a rescore of 300,000 leads without a
// checkpoint, for servers with less disk to spare for the log.
const minWALMB = 8192

// adviceFor is Advice for the settings as pg_settings gives them
// (max_wal_size in MB).
func adviceFor(walMB, compression string) []string {
	var out []string
	if mb, err := strconv.Atoi(walMB); err == nil && mb < minWALMB {
		out = append(out, fmt.Sprintf("postgresql: max_wal_size is %d MB: a rescore or a large import fills it again and again, each time forcing a checkpoint, "+
			"after each of which every page written goes whole into the log again; set max_wal_size = '%dGB' or more, with that much disk free for the log",
			mb, minWALMB>>10))
	}
	if compression == "off" {
		out = append(out, "postgresql: wal_compression is off: the whole pages written after a checkpoint go into the log uncompressed; "+
			"set wal_compression = 'lz4' (PostgreSQL 15 or later; 'on' before it)")
	}
	return out
}
