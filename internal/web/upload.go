package web

import (
	"io"
	"net/http"
	"time"
)

// A CSV upload may take hours over a slow link, far past the server's
// read timeout (cmd/leadflow: --read-timeout), which bounds every other
// body. An upload instead must keep moving: no read waits longer than
// uploadStall for data, and after the first uploadStall the body must
// have averaged uploadMinRate. A client that opens an upload and then
// trickles is cut off as soon as it falls behind; 8 KiB/s is 64 kbit/s,
// slower than any link people upload files over.
const (
	uploadStall   = time.Minute
	uploadMinRate = 8 << 10 // bytes a second
)

// steadyBody is a request body whose read deadline moves with progress.
type steadyBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	n     int64
}

// keepReading lifts the server's read timeout off r's body, before it
// has passed, and holds the body to the upload rules instead.
func keepReading(w http.ResponseWriter, r *http.Request) {
	b := &steadyBody{ReadCloser: r.Body, rc: http.NewResponseController(w), start: time.Now()}
	b.extend()
	r.Body = b
}

// extend sets the read deadline for the next read: a stall from now, or
// sooner if the body is behind the least average rate.
func (b *steadyBody) extend() {
	now := time.Now()
	deadline := b.start.Add(uploadStall + time.Duration(b.n)*time.Second/uploadMinRate)
	if stall := now.Add(uploadStall); deadline.After(stall) {
		deadline = stall
	}
	b.rc.SetReadDeadline(deadline) // unsupported only under test recorders, which have no timeout
}

func (b *steadyBody) Read(p []byte) (int, error) {
	b.extend()
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}
