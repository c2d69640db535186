//go:build !linux

package server

import (
	"errors"
	"net"
)

// setCork is Linux-only; elsewhere responses are not corked.
func setCork(*net.TCPConn, bool) error { return errors.ErrUnsupported }
