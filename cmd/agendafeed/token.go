package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/agendafeed/agendafeed/config"
)

const tokenUsage = `token [-access read|write] NAME

Prints a new admin API token once, and the entry to add under admin_tokens
in the config file. NAME must not be one the config (-config FILE, else
$AGENDAFEED_CONFIG, and $AGENDAFEED_ADMIN_TOKENS) already has: the config
refuses two tokens of one name. To replace a token, make one under a new
name, move the clients to it, then remove the old entry.`

func runToken(_ context.Context, args []string, e env) error {
	c := newCommand("token", tokenUsage, e)
	access := c.fs.String("access", "write", "what the token may do: read or write")
	pos, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("token: expected one NAME for the token, e.g. 'agendafeed token cms'")
	}
	if *access != "read" && *access != "write" {
		return usagef("token: -access: %s: expected read or write", quoteArg(*access))
	}
	name := pos[0]
	if !config.ValidTokenName(name) {
		return usagef("token: name %s: expected 1-64 characters of letters, digits and . _ @ -, starting with a letter or digit", quoteArg(name))
	}
	// The printed entry is meant to be added to the config this command
	// reads; with the name already there, the config would then refuse to
	// load (names must be unique), so say so now, naming the entry.
	cfg, err := c.loadConfig()
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	for i, t := range cfg.AdminTokens {
		if t.Name != name {
			continue
		}
		// The variable, when set, replaces the file's list.
		where := "AGENDAFEED_ADMIN_TOKENS"
		if c.e.getenv(where) == "" {
			path := *c.config
			if path == "" {
				path = c.e.getenv("AGENDAFEED_CONFIG")
			}
			where = "config file " + path
		}
		return fmt.Errorf("token: name %q is already used by admin_tokens[%d] (access %s, sha256 %s) in %s; the config refuses two tokens of one name: choose another name (to replace that token, make a new one, move its clients to it, then remove admin_tokens[%d])",
			name, i, t.Access, t.SHA256, where, i)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("token: %w", err)
	}
	tok := "af_" + base64.RawURLEncoding.EncodeToString(raw)
	fmt.Fprintf(e.stdout, "Token (shown once; give it to the client, keep it secret):\n  %s\n\nAdd to the config file under admin_tokens:\n  - name: %s\n    access: %s\n    sha256: %s\n",
		tok, name, *access, config.HashToken(tok))
	return nil
}
