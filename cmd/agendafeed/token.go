package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/agendafeed/agendafeed/config"
)

func runToken(_ context.Context, args []string, e env) error {
	c := newCommand("token", "token [-access read|write] NAME", e)
	access := c.fs.String("access", "write", "what the token may do: read or write")
	pos, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("token: expected one NAME for the token, e.g. 'agendafeed token cms'")
	}
	if *access != "read" && *access != "write" {
		return usagef("token: -access: %q: expected read or write", *access)
	}
	if !config.ValidTokenName(pos[0]) {
		return usagef("token: name %q: expected 1-64 characters of letters, digits and . _ @ -, starting with a letter or digit", pos[0])
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("token: %w", err)
	}
	tok := "af_" + base64.RawURLEncoding.EncodeToString(raw)
	fmt.Fprintf(e.stdout, "Token (shown once; give it to the client, keep it secret):\n  %s\n\nAdd to the config file under admin_tokens:\n  - name: %s\n    access: %s\n    sha256: %s\n",
		tok, pos[0], *access, config.HashToken(tok))
	return nil
}
