//go:build !linux

package server

import "net"

// peek is Linux-only; elsewhere a connection is handed to fasthttp as
// soon as it is accepted.
func peek(net.Conn, []byte) (int, error) { return 0, errNoPeek }
