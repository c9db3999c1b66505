// Package live tells open pages that something they show has changed,
// so they refresh it without a reload. A committed transaction names the
// topics it touched (sqldb.Touch: "lead:42", "leads", "user:7"); the Hub
// hands them to the subscribers of those topics in this process and, on
// PostgreSQL, to every other instance through NOTIFY, whose own Hubs hand
// them on. Only topic names travel, never data: a page that hears one
// fetches what it shows through the usual, access-checked request.
package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"leadflow/internal/sqldb"
)

// Topics that pages follow.
const (
	Leads = "leads" // a lead was created, deleted, or changed stage
	Deals = "deals" // a deal was created or moved
)

// Lead is the topic of one lead's page.
func Lead(id int64) string { return "lead:" + strconv.FormatInt(id, 10) }

// Import is the topic of one import's progress.
func Import(id int64) string { return "import:" + strconv.FormatInt(id, 10) }

// User is the topic of one user's notifications.
func User(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// Hub passes topics from commits to subscribers.
type Hub struct {
	db       *sqldb.DB
	log      *slog.Logger
	instance string // tells this instance's own notices from others'

	mu   sync.Mutex
	subs map[*Sub]struct{}

	relayMu  sync.Mutex
	outgoing []string
	relay    chan struct{}
	done     chan struct{} // closed when Run ends: streams end with it
}

// New returns a Hub that db's commits feed.
func New(db *sqldb.DB, log *slog.Logger) *Hub {
	var b [8]byte
	rand.Read(b[:])
	h := &Hub{db: db, log: log, instance: hex.EncodeToString(b[:]), subs: map[*Sub]struct{}{}, relay: make(chan struct{}, 1), done: make(chan struct{})}
	db.OnCommit(h.committed)
	return h
}

// Sub is one subscriber: a page's open event stream.
type Sub struct {
	topics map[string]bool
	mu     sync.Mutex
	// pending are the topics heard since the subscriber last took them:
	// a burst of changes to one lead reaches a page as one refresh.
	pending []string
	wake    chan struct{}
}

// Wake is signalled when topics are pending.
func (s *Sub) Wake() <-chan struct{} { return s.wake }

// Take returns the pending topics and clears them.
func (s *Sub) Take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.pending
	s.pending = nil
	return out
}

func (s *Sub) offer(topic string) {
	if !s.topics[topic] {
		return
	}
	s.mu.Lock()
	for _, t := range s.pending {
		if t == topic {
			s.mu.Unlock()
			return
		}
	}
	s.pending = append(s.pending, topic)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Subscribe follows topics until the returned function is called.
func (h *Hub) Subscribe(topics ...string) (*Sub, func()) {
	s := &Sub{topics: map[string]bool{}, wake: make(chan struct{}, 1)}
	for _, t := range topics {
		s.topics[t] = true
	}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s, func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
	}
}

// Subscribers counts the open subscriptions, for tests and metrics.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// publish hands topics to this process's subscribers.
func (h *Hub) publish(topics []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		for _, t := range topics {
			s.offer(t)
		}
	}
}

// committed is the database's commit hook: subscribers here hear at
// once, other instances after the relay's next send.
func (h *Hub) committed(topics []string) {
	h.publish(topics)
	if h.db.Dialect != sqldb.Postgres {
		return
	}
	h.relayMu.Lock()
	h.outgoing = append(h.outgoing, topics...)
	h.relayMu.Unlock()
	select {
	case h.relay <- struct{}{}:
	default:
	}
}

// maxPayload keeps a notice under PostgreSQL's 8000-byte limit.
const maxPayload = 7000

// Done is closed once Run has ended: a server shutting down ends its
// streams rather than wait for pages to close them.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Run relays topics to and from the other instances until ctx ends; on
// SQLite, where one process holds the database, there are none to relay
// to. ready, when not nil, is called once this Hub hears the others.
func (h *Hub) Run(ctx context.Context, ready func()) {
	defer close(h.done)
	if h.db.Dialect != sqldb.Postgres {
		if ready != nil {
			ready()
		}
		<-ctx.Done()
		return
	}
	var channel string
	if err := h.db.R.QueryRow(ctx, `SELECT 'leadflow_live_' || current_schema()`).Scan(&channel); err != nil {
		h.log.Error("live: channel", "err", err)
		return
	}
	go h.db.Listen(ctx, channel, h.heard, ready)
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.relay:
		}
		// Changes of the next moments go in the same notice.
		time.Sleep(50 * time.Millisecond)
		h.relayMu.Lock()
		topics := dedupe(h.outgoing)
		h.outgoing = nil
		h.relayMu.Unlock()
		for _, payload := range payloads(h.instance, topics) {
			if err := h.db.Notify(ctx, channel, payload); err != nil && ctx.Err() == nil {
				h.log.Warn("live: notify", "err", err) // pages refresh at their next change
			}
		}
	}
}

// heard takes another instance's notice.
func (h *Hub) heard(payload string) {
	from, rest, _ := strings.Cut(payload, "\n")
	if from == h.instance || rest == "" {
		return
	}
	h.publish(strings.Split(rest, "\n"))
}

// payloads splits topics into notices that fit, each led by the sender.
func payloads(instance string, topics []string) []string {
	var out []string
	var b strings.Builder
	for _, t := range topics {
		if b.Len() > 0 && b.Len()+len(t)+1 > maxPayload {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() == 0 {
			b.WriteString(instance)
		}
		b.WriteString("\n" + t)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

func dedupe(topics []string) []string {
	seen := map[string]bool{}
	out := topics[:0]
	for _, t := range topics {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
