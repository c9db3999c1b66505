package mailbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

// imapServer is a real IMAP server on loopback, speaking TLS with a
// certificate made for the test, with one user, sales@, and its INBOX.
type imapServer struct {
	addr   string
	client *tls.Config // trusts the server's certificate
}

func startIMAP(t *testing.T) imapServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("sales@leadflow.example", "app-password")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger: log.New(io.Discard, "", 0),
	})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return imapServer{addr: ln.Addr().String(), client: &tls.Config{RootCAs: pool}}
}

// deliver puts a mail in the INBOX, as a mail server would.
func (s imapServer) deliver(t *testing.T, raw string) {
	t.Helper()
	c, err := imapclient.DialTLS(s.addr, &imapclient.Options{TLSConfig: s.client})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("sales@leadflow.example", "app-password").Wait(); err != nil {
		t.Fatal(err)
	}
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	cmd.Write([]byte(raw))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// count is how many messages the INBOX holds.
func (s imapServer) count(t *testing.T) uint32 {
	t.Helper()
	c, err := imapclient.DialTLS(s.addr, &imapclient.Options{TLSConfig: s.client})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Login("sales@leadflow.example", "app-password").Wait()
	d, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return d.NumMessages
}

func rawMail(id, from, subject, body string) string {
	return fmt.Sprintf("Message-ID: <%s>\nFrom: %s\nTo: sales@leadflow.example\nSubject: %s\nDate: Mon, 30 Nov 2026 09:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n%s\n", id, from, subject, body)
}

const withAttachment = `Message-ID: <att-1@example.org>
From: "Lena Berg" <lena@nordwind.example>
Subject: RFP for 40 seats
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Please find our requirements attached.
--b1
Content-Type: application/pdf; name="rfp.pdf"
Content-Disposition: attachment; filename="rfp.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--b1--
`

// The mailbox flow end to end against a real IMAP server: unknown senders
// become leads with the message as their first event, a known one's mail
// lands on their timeline, a fetch cut short mid-way and run again takes
// nothing twice, nothing is deleted from the server unless asked, and a
// wrong password shows as the mailbox's error.
func TestMailboxFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		sales := usertest.Actor(t, db, "sam@example.com", access.Sales)
		srv := startIMAP(t)
		leads := lead.NewService(db)
		known, err := leads.Create(ctx, admin, lead.Changes{"email": "ola@fjord.example", "first_name": "Ola"})
		if err != nil {
			t.Fatal(err)
		}
		svc := NewService(db, leads)
		svc.TLSConfig = srv.client
		if _, err := svc.Save(ctx, sales, 0, Input{Name: "Sales", Address: srv.addr, Username: "x", Password: "y"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("a sales user connected a mailbox: %v", err)
		}
		_, err = svc.Save(ctx, admin, 0, Input{Name: "", Address: "imap.example.com", Username: "x"})
		if e := fault.As(err); e == nil || e.Fields["name"] == "" || e.Fields["address"] == "" || e.Fields["password"] == "" {
			t.Errorf("bad mailbox: %v", err)
		}
		mb, err := svc.Save(ctx, admin, 0, Input{Name: "Sales inbox", Address: srv.addr, Security: TLS,
			Username: "sales@leadflow.example", Password: "app-password"})
		if err != nil {
			t.Fatal(err)
		}
		srv.deliver(t, rawMail("m1@example.org", `"Ana Pop" <ana@acme.example>`, "Pricing for 20 users?", "Hello, what would 20 users cost?"))
		srv.deliver(t, rawMail("m2@example.org", "ola@fjord.example", "Re: our call", "Thanks for the call."))
		srv.deliver(t, withAttachment)
		srv.deliver(t, rawMail("m1@example.org", `"Ana Pop" <ana@acme.example>`, "Pricing for 20 users?", "the same message, delivered twice"))
		srv.deliver(t, rawMail("m4@example.org", "ben@kurz.example", "Demo", "Can we see a demo?"))

		// A crash after the second message: what was committed stays.
		svc.afterTake = func(n int) error {
			if n == 2 {
				return errors.New("killed")
			}
			return nil
		}
		if n, err := svc.Fetch(ctx, mb.ID); err == nil || n != 2 {
			t.Fatalf("first fetch took %d, %v; want 2 and the crash", n, err)
		}
		svc.afterTake = nil
		if n, err := svc.Fetch(ctx, mb.ID); err != nil || n != 2 {
			t.Fatalf("second fetch took %d, %v; want the 2 left (the duplicate passed over)", n, err)
		}
		// The folder's UIDs starting over (a restored mailbox) takes
		// nothing twice either.
		db.W.Exec(ctx, `UPDATE mailboxes SET last_uid = 0 WHERE id = ?`, mb.ID)
		if n, err := svc.Fetch(ctx, mb.ID); err != nil || n != 0 {
			t.Fatalf("refetch of everything took %d, %v", n, err)
		}

		page, err := leads.List(ctx, admin, lead.Filter{Limit: 20}, true)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range page.Leads {
			got = append(got, l.Email+" "+l.Source+" "+l.FirstName)
		}
		if page.Total != 4 {
			t.Errorf("%d leads: %v", page.Total, got)
		}
		ana := byEmail(t, leads, admin, "ana@acme.example")
		if ana.Source != "email" || ana.FirstName != "Ana" || ana.LastName != "Pop" {
			t.Errorf("Ana's lead %+v", ana)
		}
		ev, _ := leads.Events(ctx, ana.ID, 10)
		if len(ev) != 1 || ev[0].Type != EventEmail || ev[0].Properties["subject"] != "Pricing for 20 users?" ||
			!strings.Contains(ev[0].Properties["body"], "what would 20 users cost") {
			t.Errorf("Ana's events %+v", ev)
		}
		lena := byEmail(t, leads, admin, "lena@nordwind.example")
		ev, _ = leads.Events(ctx, lena.ID, 10)
		if len(ev) != 1 || ev[0].Properties["attachments"] != "rfp.pdf" || !strings.Contains(ev[0].Properties["body"], "requirements attached") {
			t.Errorf("Lena's events %+v", ev)
		}
		ev, _ = leads.Events(ctx, known.ID, 10)
		if len(ev) != 1 || ev[0].Properties["subject"] != "Re: our call" {
			t.Errorf("the known lead's events %+v", ev)
		}
		if c := srv.count(t); c != 5 {
			t.Errorf("the server holds %d messages, want all 5: nothing is deleted unless asked", c)
		}
		got2, _ := svc.Get(ctx, admin, mb.ID)
		if got2.Taken != 4 || got2.LastError != "" || got2.CheckedAt == nil {
			t.Errorf("mailbox after the fetches %+v", got2)
		}

		// Deleting taken messages, when the admin chooses it.
		srv.deliver(t, rawMail("m5@example.org", "cy@late.example", "Hi", "Later"))
		if _, err := svc.Save(ctx, admin, mb.ID, Input{Name: "Sales inbox", Address: srv.addr, Security: TLS,
			Username: "sales@leadflow.example", Folder: "INBOX", DeleteTaken: true}); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Fetch(ctx, mb.ID); err != nil || n != 1 {
			t.Fatalf("fetch with deletion took %d, %v", n, err)
		}
		if c := srv.count(t); c != 5 {
			t.Errorf("after a fetch that deletes, the server holds %d, want the 5 taken before", c)
		}

		// A wrong password: the error is kept for the settings page.
		if _, err := svc.Save(ctx, admin, mb.ID, Input{Name: "Sales inbox", Address: srv.addr, Security: TLS,
			Username: "sales@leadflow.example", Password: "wrong", Folder: "INBOX"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Fetch(ctx, mb.ID); err == nil {
			t.Error("a wrong password fetched")
		}
		got2, _ = svc.Get(ctx, admin, mb.ID)
		if !strings.Contains(got2.LastError, "sign in as sales@leadflow.example") {
			t.Errorf("mailbox error %q", got2.LastError)
		}
	})
}

func byEmail(t *testing.T, leads *lead.Service, a access.Actor, email string) lead.Lead {
	t.Helper()
	p, err := leads.List(context.Background(), a, lead.Filter{Q: email, Limit: 2}, false)
	if err != nil || len(p.Leads) != 1 {
		t.Fatalf("lead %s: %v (%d)", email, err, len(p.Leads))
	}
	return p.Leads[0]
}

// The periodic read runs through the job system: a job of FetchJob takes
// the new mail of every mailbox, and a second run takes nothing again.
func TestFetchThroughTheJobSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		srv := startIMAP(t)
		leads := lead.NewService(db)
		svc := NewService(db, leads)
		svc.TLSConfig = srv.client
		if _, err := svc.Save(ctx, admin, 0, Input{Name: "Sales", Address: srv.addr, Username: "sales@leadflow.example", Password: "app-password"}); err != nil {
			t.Fatal(err)
		}
		srv.deliver(t, rawMail("j1@example.org", "jo@job.example", "Quote", "A quote, please."))
		r := job.NewRunner(db, job.Options{Poll: 20 * time.Millisecond})
		r.Handle(FetchJob, func(ctx context.Context, _ job.Job) error { return svc.RunFetchJob(ctx) })
		r.Start()
		t.Cleanup(func() { r.Stop(context.Background()) })
		for range 2 {
			id, err := r.Enqueue(ctx, FetchJob, nil, job.EnqueueOptions{})
			if err != nil {
				t.Fatal(err)
			}
			wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			j, err := job.Wait(wctx, db.R, id)
			cancel()
			if err != nil || j.State != job.Done {
				t.Fatalf("job %+v %v", j, err)
			}
		}
		p, _ := leads.List(ctx, admin, lead.Filter{Limit: 10}, true)
		if p.Total != 1 || p.Leads[0].Email != "jo@job.example" {
			t.Errorf("leads after two runs: %d", p.Total)
		}
	})
}
