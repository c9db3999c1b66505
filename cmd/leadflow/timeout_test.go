package main

import (
	"bufio"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A client that starts a body and stops sending is cut off after the read
// timeout instead of holding its connection; a CSV upload that keeps
// moving may take far longer than that timeout and still arrives.
func TestSlowBodiesAndSlowUploads(t *testing.T) {
	dbFlag, env := target(filepath.Join(t.TempDir(), "leadflow.db"))
	if _, err := cli(t, env, append([]string{"user", "create", "--email", "mia@acme.io", "--password", "a long passphrase", "--role", "marketing"}, dbFlag...)...); err != nil {
		t.Fatal(err)
	}
	base, _ := start(t, env, append([]string{"serve", "--addr", "127.0.0.1:0", "--jobs=false", "--read-timeout", "300ms"}, dbFlag...)...)
	u, _ := url.Parse(base)

	// Half a body, then silence.
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=mia", u.Host)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	began := time.Now()
	_, err = bufio.NewReader(conn).ReadString('\n') // an answer, or the connection closed
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("a stalled body still holds its connection after %s", time.Since(began).Round(time.Millisecond))
	}

	// Sign in, then upload a CSV in pieces over about 1.5 s: five times
	// the read timeout.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", url.Values{"email": {"mia@acme.io"}, "password": {"a long passphrase"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, _ := mw.CreateFormFile("file", "slow.csv")
		io.WriteString(part, "Email,Company\n")
		for i := 0; i < 10; i++ {
			time.Sleep(150 * time.Millisecond)
			fmt.Fprintf(part, "p%d@acme.io,Acme\n", i)
		}
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", base+"/imports", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/imports/") {
		t.Fatalf("slow upload: %d %s", resp.StatusCode, body)
	}
}
