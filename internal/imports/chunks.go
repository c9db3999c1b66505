package imports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"leadflow/internal/sqldb"
)

// chunkSize is how much of an upload one row of import_chunks holds: big
// enough that a large file is a few hundred rows, small enough that
// reading one back costs little memory.
const chunkSize = 1 << 20

// storeChunks writes r into import_chunks for importID and returns its
// size.
func storeChunks(ctx context.Context, q sqldb.Querier, importID int64, r io.Reader) (int64, error) {
	buf := make([]byte, chunkSize)
	var total int64
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if _, err := q.Exec(ctx, `INSERT INTO import_chunks (import_id, seq, data) VALUES (?, ?, ?)`,
				importID, seq, buf[:n]); err != nil {
				return total, err
			}
			total += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return total, nil
		}
		if err != nil {
			return total, fmt.Errorf("read upload: %w", err)
		}
	}
}

// chunkReader reads an upload back from import_chunks, one chunk at a
// time.
type chunkReader struct {
	ctx      context.Context
	q        sqldb.Querier
	importID int64
	seq      int
	buf      []byte
	done     bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done {
			return 0, io.EOF
		}
		err := c.q.QueryRow(c.ctx, `SELECT data FROM import_chunks WHERE import_id = ? AND seq = ?`, c.importID, c.seq).Scan(&c.buf)
		if errors.Is(err, sql.ErrNoRows) {
			c.done = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("read upload chunk %d: %w", c.seq, err)
		}
		c.seq++
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}
