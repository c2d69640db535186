package server

import (
	"context"
	"net"
	"net/http"
)

// Why corking: net/http writes a response through a 4 KiB buffer, so a body
// larger than what is left of it after the headers leaves in two write(2)s,
// and with TCP_NODELAY (Go's default) in two segments: the client wakes up
// twice per response. nginx avoids that with TCP_CORK (tcp_nopush). A
// handler about to write such a body corks the connection; the server's
// ConnState hook uncorks it when the response is complete (the connection
// goes idle or closes), and the kernel then sends headers and body together.

// corkMin is the body size from which a response is corked: smaller bodies
// fit in net/http's buffer with the headers and leave in one write anyway.
const corkMin = 2 << 10

type connKey struct{}

// corkListener wraps accepted TCP connections in *corkConn.
type corkListener struct{ net.Listener }

func (l corkListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		return &corkConn{TCPConn: tc}, nil
	}
	return c, nil
}

// corkConn is an accepted TCP connection. Embedding *net.TCPConn keeps its
// ReadFrom (sendfile) visible to net/http. Only the connection's own
// goroutine touches corked: the handler and the ConnState hook run on it
// one after the other.
type corkConn struct {
	*net.TCPConn
	corked bool
}

// connContext puts the connection in every request's context, for cork.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*corkConn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

// connState uncorks a corked connection once its response is complete.
func connState(c net.Conn, st http.ConnState) {
	if st != http.StateIdle && st != http.StateClosed && st != http.StateHijacked {
		return
	}
	if cc, ok := c.(*corkConn); ok && cc.corked {
		cc.corked = false
		setCork(cc.TCPConn, false)
	}
}

// cork corks r's connection if the body about to be written is large
// enough to need it. Errors are ignored: corking only saves packets.
func cork(r *http.Request, bodyLen int64) {
	if bodyLen < corkMin {
		return
	}
	cc, ok := r.Context().Value(connKey{}).(*corkConn)
	if !ok || cc.corked {
		return
	}
	if setCork(cc.TCPConn, true) == nil {
		cc.corked = true
	}
}
