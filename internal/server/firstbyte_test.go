package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A connection that sends nothing is closed at the idle timeout without a
// response and without a log line: browsers open such connections
// speculatively.
func TestListenerClosesSilentConnectionsQuietly(t *testing.T) {
	f := newFixture(t, false)
	f.srv.timeouts.idle = 50 * time.Millisecond
	f.listen(t)
	c, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(time.Minute)) // a bound on a broken test, not a timing check
	b, err := io.ReadAll(c)
	if err != nil || len(b) != 0 {
		t.Errorf("got %q, %v; want the connection closed without a response", b, err)
	}
	if logs := f.logs.String(); strings.Contains(logs, "bad request") || strings.Contains(logs, "level=WARN") {
		t.Errorf("logged:\n%s", logs)
	}
}

// The header timeout runs from a request's first byte: a connection that
// waited longer than it before sending (a preconnect put to use) is
// served.
func TestListenerHeaderTimeoutStartsAtFirstByte(t *testing.T) {
	f := newFixture(t, false)
	f.srv.timeouts.header = 100 * time.Millisecond
	f.listen(t)
	c, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(3 * f.srv.timeouts.header)
	io.WriteString(c, "GET /madrid/calendar.ics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d, want 200", resp.StatusCode)
	}
}

// A client that trickles its header, a byte at a time, is still cut at the
// header timeout from its first byte (no slowloris hole).
func TestListenerCutsTricklingHeader(t *testing.T) {
	f := newFixture(t, false)
	f.srv.timeouts.header = 200 * time.Millisecond
	f.listen(t)
	c, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	answered := make(chan *http.Response, 1)
	go func() {
		resp, _ := http.ReadResponse(bufio.NewReader(c), nil)
		answered <- resp
	}()
	io.WriteString(c, "GET /madrid/calendar.ics HTTP/1.1\r\nHost: a\r\n")
	// 200 times the timeout in all: only a server that never cuts the
	// request lets the loop finish.
	for range 1000 {
		select {
		case resp := <-answered:
			if resp != nil && resp.StatusCode != http.StatusRequestTimeout {
				t.Errorf("status %d, want 408", resp.StatusCode)
			}
			return
		case <-time.After(f.srv.timeouts.header / 5):
		}
		if _, err := io.WriteString(c, "X"); err != nil {
			return // cut
		}
	}
	t.Fatal("a header trickled a byte at a time was never cut")
}

// A request whose lines end in a bare LF is answered 400 at once, saying
// why, not 408 once the header timeout has passed.
func TestListenerRefusesBareLF(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the listener looks at a request's first bytes on Linux only")
	}
	f := newFixture(t, false)
	f.listen(t)
	for _, req := range []string{
		"GET /madrid/calendar.ics HTTP/1.1\nHost: a\nConnection: close\n\n",
		"GET /madrid/calendar.ics HTTP/1.0\n\n",
		"GET /madrid/calendar.ics HTTP/1.1\r\nHost: a\r\nConnection: close\n\r\n",
		"\r\nGET /madrid/calendar.ics HTTP/1.1\nHost: a\n\n",
	} {
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(time.Minute)) // a bound on a broken test
		io.WriteString(c, req)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			c.Close()
			t.Fatalf("%q: %v", req, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		c.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(b), "bare LF") || resp.Header.Get("Content-Type") != hText[0] {
			t.Errorf("%q: %d %q (%v), want 400 naming the bare LF", req, resp.StatusCode, b, resp.Header)
		}
	}
	if !strings.Contains(f.logs.String(), "bare LF") {
		t.Errorf("refusal not logged:\n%s", f.logs.String())
	}
	// A header ending in CRLFCRLF is served as fasthttp reads it, with
	// bare LFs ending lines within it, or in a body.
	for req, want := range map[string]int{
		"POST /api/v1/series HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nConnection: close\r\n\r\na\nb\n": http.StatusTeapot,
		"GET /madrid/calendar.ics HTTP/1.1\r\nHost: a\nConnection: close\r\n\r\n":                         http.StatusOK,
		"GET /madrid/calendar.ics HTTP/1.1\nHost: a\r\nConnection: close\r\n\r\n":                         http.StatusOK,
	} {
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(time.Minute))
		io.WriteString(c, req)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		c.Close()
		if err != nil || resp.StatusCode != want {
			t.Errorf("%q: %v, %v; want %d", req, resp, err, want)
		}
	}
}

func TestBareLF(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\nwith\nLFs", false},
		{"\r\n\r\nGET / HTTP/1.1\r\n", false},
		{"GET / HTTP/1.1\r\nHost: a", false},       // not all there yet
		{"GET / HTTP/1.1\nHost: a\r\n\r\n", false}, // fasthttp reads it
		{"GET / HTTP/1.1\r\nHost: a\n", false},     // nor this, yet
		{"GET / HTTP/1.1\nHost: a\n\n", true},
		{"GET / HTTP/1.0\n\n", true},
		{"GET / HTTP/1.1\r\nHost: a\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: a\r\n\n", true},
		{"\r\n\r\nGET / HTTP/1.1\nHost: a\n\n", true},
		{"\nGET / HTTP/1.1\n\n", true},
	} {
		if got := bareLF([]byte(tc.in)); got != tc.want {
			t.Errorf("bareLF(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// Closing the listener closes the connections still waiting for their
// first byte: fasthttp's shutdown does not know them.
func TestFirstByteListenerCloseClosesWaiting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newFirstByteListener(ln, time.Hour, func(c net.Conn, _ string) { c.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	accepted := make(chan error, 1)
	go func() { _, err := l.Accept(); accepted <- err }()
	// Wait until the listener holds the connection, then close.
	for {
		l.mu.Lock()
		n := len(l.waiting)
		l.mu.Unlock()
		if n == 1 {
			break
		}
		runtime.Gosched()
	}
	l.Close()
	if err := <-accepted; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v", err)
	}
	c.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("waiting connection not closed: %v", err)
	}
}
