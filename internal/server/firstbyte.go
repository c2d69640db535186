package server

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Why a listener in front of fasthttp's: fasthttp arms its read timeout
// when it takes a connection, so a new connection that has sent nothing
// (a browser's speculative preconnect, which may stay idle for a while)
// was answered "408 Request Timeout" 5 s after it opened, with a "bad
// request" warning per connection; and a request with bare-LF line ends
// waits for a CRLFCRLF that never comes, then gets the same 408 although
// it arrived whole. This listener hands fasthttp a connection only once
// its first byte has arrived: a connection that sends nothing is closed
// at the idle timeout, silently, as nginx does; fasthttp's header timeout
// then runs from the request's first byte, as documented, so a client
// trickling its header still has 5 s from its first byte. Before handing
// it over, it looks at what arrived (without reading it): a request whose
// header ends in bare LFs, which fasthttp would wait on for a CRLFCRLF
// until the header timeout, is answered 400 at once (RFC 9112 section 2.2
// lets a server refuse bare LFs).
//
// The connection fasthttp gets is the accepted *net.TCPConn itself, so
// sendfile and corking (fdpool.go) are untouched. A connection waiting
// for its first byte costs a goroutine and no read buffer.

// peekMax bounds what the listener looks at of a request's first bytes.
const peekMax = 4096

// errNoPeek says this system cannot look at a connection's bytes without
// reading them: the connection is handed over as it is.
var errNoPeek = errors.New("peek not supported")

// firstByteListener is a net.Listener whose Accept returns connections
// that have sent a byte.
type firstByteListener struct {
	ln      net.Listener
	idle    time.Duration
	refuse  func(c net.Conn, reason string) // answers 400 with reason, logs it; c is closed after
	ready   chan net.Conn
	errs    chan error
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	waiting map[net.Conn]struct{} // closed by Close
}

func newFirstByteListener(ln net.Listener, idle time.Duration, refuse func(net.Conn, string)) *firstByteListener {
	l := &firstByteListener{
		ln: ln, idle: idle, refuse: refuse,
		ready: make(chan net.Conn), errs: make(chan error), done: make(chan struct{}),
		waiting: make(map[net.Conn]struct{}),
	}
	go l.accept()
	return l
}

func (l *firstByteListener) accept() {
	for {
		c, err := l.ln.Accept()
		if err != nil {
			select {
			case l.errs <- err:
			case <-l.done:
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		l.mu.Lock()
		select {
		case <-l.done:
			l.mu.Unlock()
			c.Close()
			return
		default:
		}
		l.waiting[c] = struct{}{}
		l.mu.Unlock()
		go l.wait(c)
	}
}

// wait hands c over once its first byte arrives; it closes c, without a
// word, if none arrives within the idle timeout or the peer closes first.
func (l *firstByteListener) wait(c net.Conn) {
	var buf [peekMax]byte
	n, err := 0, error(nil)
	if c.SetReadDeadline(time.Now().Add(l.idle)) == nil {
		n, err = peek(c, buf[:])
	}
	l.mu.Lock()
	delete(l.waiting, c)
	l.mu.Unlock()
	switch {
	case errors.Is(err, errNoPeek):
	case err != nil || n == 0:
		c.Close()
		return
	case bareLF(buf[:n]):
		l.refuse(c, "header ends in bare LF line ends; expected CRLF")
		return
	}
	if c.SetReadDeadline(time.Time{}) != nil { // fasthttp sets its own
		c.Close()
		return
	}
	select {
	case l.ready <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *firstByteListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting and closes the connections that have not sent a
// byte yet: fasthttp does not know them, so its shutdown cannot.
func (l *firstByteListener) Close() error {
	var err error
	l.once.Do(func() {
		l.mu.Lock()
		close(l.done)
		for c := range l.waiting {
			c.Close()
		}
		l.mu.Unlock()
		err = l.ln.Close()
	})
	return err
}

func (l *firstByteListener) Addr() net.Addr { return l.ln.Addr() }

// bareLF reports whether b, the first bytes of a request, ends its header
// with bare LFs and no CRLFCRLF: fasthttp accepts a bare LF ending a line
// within a block that ends in CRLFCRLF, but waits for one forever
// otherwise. The empty lines a client may send ahead of the request line
// (CRLF) are skipped; a block with a CRLFCRLF is left to fasthttp,
// whatever follows it (a body).
func bareLF(b []byte) bool {
	for len(b) >= 2 && b[0] == '\r' && b[1] == '\n' {
		b = b[2:]
	}
	if bytes.Contains(b, []byte("\r\n\r\n")) {
		return false
	}
	return bytes.Contains(b, []byte("\n\n")) || bytes.Contains(b, []byte("\n\r\n"))
}

// refuseConn answers a request the listener refused before fasthttp saw
// it, as refuse (fast.go) answers those fasthttp refuses, then closes c.
// The request's bytes are read first, so that closing does not reset the
// connection under the answer.
func (s *Server) refuseConn(c net.Conn, reason string) {
	defer c.Close()
	msg := "malformed HTTP request: " + reason + "\n"
	c.SetDeadline(time.Now().Add(s.timeouts.header))
	var buf [peekMax]byte
	c.Read(buf[:]) // what arrived: the peeked bytes, at least
	resp := "HTTP/1.1 400 Bad Request\r\n" +
		"Date: " + time.Now().UTC().Format(http.TimeFormat) + "\r\n" +
		"Content-Type: " + hText[0] + "\r\n" +
		"Content-Length: " + strconv.Itoa(len(msg)) + "\r\n" +
		"Connection: close\r\n\r\n" + msg
	if _, err := c.Write([]byte(resp)); err == nil {
		if cw, ok := c.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
			// Until the client closes (or the deadline): the rest of
			// what it sent must not turn the close into a reset.
			for {
				if _, err := c.Read(buf[:]); err != nil {
					break
				}
			}
		}
	}
	s.metrics.request(http.StatusBadRequest, "other")
	s.log.Warn("bad request", "status", http.StatusBadRequest, "reason", reason, "remote", c.RemoteAddr().String())
}
