package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// secret is an admin token as 'agendafeed token' prints them.
const secret = "af_Zq9TOKENs3cretW1llNeverBeLogged_x7"

// rawExchange writes req on a new connection to addr and returns all the
// server sent until it closed the connection (the requests ask it to, or
// are ones it closes after answering).
func rawExchange(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Not an assertion: only a bound on a server that never closes.
	c.SetDeadline(time.Now().Add(time.Minute))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatalf("write %.60q: %v", req, err)
	}
	b, err := io.ReadAll(c)
	if err != nil && len(b) == 0 && !errors.Is(err, net.ErrClosed) {
		// A server that closes with bytes of ours unread resets the
		// connection, which may come before its answer is read.
		t.Logf("read %.60q: %v", req, err)
	}
	return string(b)
}

// Whatever a request looks like, and however malformed, the credentials it
// carries (Authorization, Proxy-Authorization, Cookie, a token in the
// query, in the target's userinfo or in the body) reach neither the
// answer nor the log nor /metrics; the log still says what was wrong.
func TestCredentialsNeverLoggedOrEchoed(t *testing.T) {
	f := newFixture(t, true)
	f.srv.maxRequestBody = 1000
	f.listen(t)
	creds := "Authorization: Bearer " + secret + "\r\n" +
		"Proxy-Authorization: Basic " + secret + "\r\n" +
		"Cookie: session=" + secret + "; other=" + secret + "\r\n"
	for _, tc := range []struct {
		name, req string
		code      int
		reason    string // the reason in the answer and the log; "" for a request that is served
	}{
		{"malformed header line",
			"GET /api/v1/series?token=" + secret + " HTTP/1.1\r\nHost: x\r\n" + creds + "broken\r\n\r\n",
			400, "malformed header line"},
		{"credential line without a colon",
			"GET /api/v1/series HTTP/1.1\r\nHost: x\r\nAuthorization Bearer " + secret + "\r\n\r\n",
			400, "malformed header line"},
		{"control character in a credential",
			"GET /api/v1/series HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + secret + "\x01\r\n\r\n",
			400, "malformed header value"},
		{"header line starting with a space",
			"GET /api/v1/series HTTP/1.1\r\n Authorization: Bearer " + secret + "\r\nHost: x\r\n\r\n",
			400, "header line starts with a space"},
		{"headers over the limit",
			"GET /api/v1/series?token=" + secret + " HTTP/1.1\r\nHost: x\r\n" + creds + "X-Big: " + strings.Repeat("a", maxHeaderBytes) + "\r\n\r\n",
			431, "request header is over the limit of 16384 bytes"},
		{"credentials past the header limit",
			"GET /api/v1/series HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", maxHeaderBytes-100) + "\r\n" + creds + "\r\n",
			431, "request header is over the limit of 16384 bytes"},
		{"unsupported HTTP version",
			"GET /api/v1/series?token=" + secret + " HTTP/1.x\r\nHost: x\r\n" + creds + "\r\n",
			400, "unsupported HTTP version"},
		{"request line with extra spaces",
			"GET  /api/v1/series?token=" + secret + " HTTP/1.1\r\nHost: x\r\n" + creds + "\r\n",
			400, "unsupported HTTP version"},
		{"not HTTP",
			secret + "\r\n\r\n",
			400, "malformed request line"},
		{"missing Host",
			"GET /api/v1/series?token=" + secret + " HTTP/1.1\r\n" + creds + "\r\n",
			400, "missing Host header"},
		{"malformed Content-Length",
			"POST /api/v1/series?token=" + secret + " HTTP/1.1\r\nHost: x\r\n" + creds + "Content-Length: " + secret + "\r\n\r\n",
			400, "malformed Content-Length header"},
		{"unsupported Transfer-Encoding",
			"POST /api/v1/series HTTP/1.1\r\nHost: x\r\n" + creds + "Transfer-Encoding: " + secret + "\r\n\r\n",
			400, "unsupported Transfer-Encoding"},
		{"bad chunk size",
			"POST /api/v1/series?token=" + secret + " HTTP/1.1\r\nHost: x\r\n" + creds + "Transfer-Encoding: chunked\r\n\r\nzz" + secret + "\r\n\r\n",
			400, "malformed chunked body"},
		{"chunk without its CRLF",
			"POST /api/v1/series HTTP/1.1\r\nHost: x\r\n" + creds + "Transfer-Encoding: chunked\r\n\r\n4\r\n" + secret + "\r\n0\r\n\r\n",
			400, "malformed chunked body"},
		{"body over the limit",
			"POST /api/v1/import?token=" + secret + " HTTP/1.1\r\nHost: x\r\n" + creds + "Content-Length: 2000\r\n\r\n" + strings.Repeat(secret, 2000/len(secret)+1)[:2000],
			413, "request body is over the limit of 1000 bytes"},
		{"target net/url rejects",
			"GET /api/v1/%zz?token=" + secret + " HTTP/1.1\r\nHost: x\r\n" + creds + "Connection: close\r\n\r\n",
			400, "malformed request target"},
		{"bad host in an absolute target",
			"GET http://admin:" + secret + "@[::1/api/v1/series HTTP/1.1\r\nHost: x\r\n" + creds + "Connection: close\r\n\r\n",
			400, "malformed request target"},
		// Requests that are served: the access log has no headers, and
		// query values that are credentials are redacted.
		{"served file",
			"GET /madrid/calendar.ics?token=" + secret + "&access_token=" + secret + "&api_key=" + secret + "&" + secret + " HTTP/1.1\r\nHost: x\r\n" + creds + "Connection: close\r\n\r\n",
			400, ""},
		{"served API request",
			"POST /api/v1/series?x=" + secret + " HTTP/1.1\r\nHost: x\r\n" + creds + "Content-Length: " + fmt.Sprint(len(secret)) + "\r\nConnection: close\r\n\r\n" + secret,
			http.StatusTeapot, ""},
		{"userinfo in an absolute target",
			"GET http://admin:" + secret + "@x/api/v1/series HTTP/1.1\r\nHost: x\r\n" + creds + "Connection: close\r\n\r\n",
			http.StatusTeapot, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.logs.String())
			resp := rawExchange(t, f.addr, tc.req)
			if strings.Contains(resp, secret) {
				t.Errorf("the answer holds the token:\n%s", resp)
			}
			if want := fmt.Sprintf("HTTP/1.1 %d ", tc.code); !strings.HasPrefix(resp, want) {
				t.Errorf("answer %.200q; want %q", resp, want)
			}
			logs := f.logs.String()[before:]
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds the token:\n%s", logs)
			}
			if tc.reason == "" {
				return
			}
			// Plain text ends the reason with a newline, the API's JSON
			// with a quote.
			if !strings.Contains(resp, tc.reason+"\n") && !strings.Contains(resp, tc.reason+`"`) {
				t.Errorf("answer %q does not say %q", resp, tc.reason)
			}
			for _, want := range []string{`msg="bad request"`, fmt.Sprintf("status=%d", tc.code), fmt.Sprintf("reason=%q", tc.reason), "remote=127.0.0.1:"} {
				if !strings.Contains(logs, want) {
					t.Errorf("log lacks %s:\n%s", want, logs)
				}
			}
		})
	}
	if m := rawExchange(t, f.addr, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); strings.Contains(m, secret) ||
		!strings.Contains(m, `agendafeed_http_requests_total{code="400",method="other"}`) {
		t.Errorf("/metrics holds the token or does not count the refused requests:\n%s", m)
	}
	if logs := f.logs.String(); strings.Contains(logs, secret) {
		t.Errorf("the log holds the token:\n%s", logs)
	}
}

// A panic in the handler behind fasthttpadaptor is logged without the
// request's query values or headers, drops that connection as net/http
// does, and leaves the server running.
func TestHandlerPanicLoggedWithoutCredentials(t *testing.T) {
	f := newFixture(t, false)
	f.srv.api = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/boom" {
			panic("boom")
		}
		w.WriteHeader(http.StatusTeapot)
	})
	f.listen(t)
	resp := rawExchange(t, f.addr, "GET /api/v1/boom?token="+secret+" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+secret+"\r\nConnection: close\r\n\r\n")
	if resp != "" {
		t.Errorf("a panicking handler answered %q; want the connection dropped", resp)
	}
	logs := f.logs.String()
	if strings.Contains(logs, secret) {
		t.Errorf("the log holds the token:\n%s", logs)
	}
	for _, want := range []string{`msg="panic serving request"`, "path=/api/v1/boom", `query="token=REDACTED"`, "panic=boom", "stack="} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	if resp := rawExchange(t, f.addr, "GET /api/v1/series HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(resp, "HTTP/1.1 418 ") {
		t.Errorf("after the panic: %.100q", resp)
	}
}

// fasthttp's own messages reach the log with only the arguments that
// cannot hold request bytes; the error of a request it could not read,
// which fastError has logged already, is not logged again.
func TestFastLoggerKeepsRequestBytesOut(t *testing.T) {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	remote := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4000}
	leaky := fmt.Errorf("error when reading request headers: %w", fmt.Errorf("malformed mime header: missing colon: %q", "Authorization Bearer "+secret))
	for _, tc := range []struct {
		name   string
		format string
		args   []any
		want   string // "" for no line
	}{
		{"request error, logged by fastError", "error when serving connection %q<->%q: %v", []any{local, remote, leaky}, ""},
		{"body too large", "error when serving connection %q<->%q: %v", []any{local, remote, fasthttp.ErrBodyTooLarge}, ""},
		{"network error", "error when serving connection %q<->%q: %v",
			[]any{local, remote, fmt.Errorf("writing %q: %w", secret, &net.OpError{Op: "write", Net: "tcp", Source: local, Addr: remote, Err: errors.New("connection refused")})},
			`http: error when serving connection \"127.0.0.1:8080\"<->\"192.0.2.1:4000\": write tcp 127.0.0.1:8080->192.0.2.1:4000: connection refused`},
		{"unknown error", "error when serving connection %q<->%q: %v", []any{local, remote, errors.New("odd " + secret)},
			`http: error when serving connection \"127.0.0.1:8080\"<->\"192.0.2.1:4000\": *errors.errorString (text not logged: it may quote the request)`},
		{"RequestCtx.Logger", "%.3f %s - %s", []any{0.5, "#0001 - GET http://x/?token=" + secret, "cannot parse requestURI"},
			`http: 0.500 [redacted] - [redacted]`},
		{"counts", "The incoming connection cannot be served, because %d concurrent connections are served", []any{256},
			"because 256 concurrent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			fastLogger{slog.New(slog.NewTextHandler(&buf, nil))}.Printf(tc.format, tc.args...)
			got := buf.String()
			if strings.Contains(got, secret) {
				t.Errorf("logged the token: %s", got)
			}
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("logged %q; want %q", got, tc.want)
			}
		})
	}
}
