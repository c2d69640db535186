package server

import (
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// corkState reads TCP_CORK; it runs on server goroutines, so it reports
// with Error, not Fatal.
func corkState(t *testing.T, c *net.TCPConn) int {
	t.Helper()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Error(err)
		return -1
	}
	var v int
	var serr error
	if err := raw.Control(func(fd uintptr) {
		v, serr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_CORK)
	}); err != nil {
		t.Error(err)
		return -1
	}
	if serr != nil {
		t.Error(serr)
		return -1
	}
	return v
}

// A large body is written corked and the connection is uncorked once the
// response is complete, so the next (small) response on the same
// keep-alive connection is not held back; small bodies are never corked.
func TestCorkLargeResponsesOnly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 100<<10)
	var mu sync.Mutex
	var during []int // TCP_CORK seen by the handler after cork()
	// TCP_CORK seen by ConnState once a response is complete. The client
	// can read the whole body before the server goroutine gets there, so
	// the test waits for each.
	idle := make(chan int, 3)
	hs := &http.Server{
		ConnContext: connContext,
		ConnState: func(c net.Conn, st http.ConnState) {
			connState(c, st)
			if st == http.StateIdle {
				idle <- corkState(t, c.(*corkConn).TCPConn)
			}
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := "small"
			if r.URL.Path == "/big" {
				body = big
			}
			cork(r, int64(len(body)))
			cc := r.Context().Value(connKey{}).(*corkConn)
			mu.Lock()
			during = append(during, corkState(t, cc.TCPConn))
			mu.Unlock()
			io.WriteString(w, body)
		}),
	}
	go hs.Serve(corkListener{ln})
	t.Cleanup(func() { hs.Close() })

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	for _, path := range []string{"/big", "/small", "/big"} {
		resp, err := client.Get("http://" + ln.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"/big": len(big), "/small": 5}[path]; len(b) != want {
			t.Fatalf("%s: %d bytes, want %d", path, len(b), want)
		}
		select {
		case v := <-idle:
			if v != 0 {
				t.Errorf("%s: TCP_CORK once the response was complete = %d, want 0", path, v)
			}
		case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
			t.Fatalf("%s: the connection never went idle", path)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got, want := during, []int{1, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("TCP_CORK during the handlers = %v, want %v", got, want)
	}
}
