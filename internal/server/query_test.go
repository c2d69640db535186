package server

import (
	"strings"
	"testing"
)

// A query url.ParseQuery refuses is answered with the parameter it
// concerns and the fix, not the whole query and "expected name=value
// pairs" (a name may hold a ';', and "15m;1d" is a likely typo).
func TestQueryErrorNamesTheParameter(t *testing.T) {
	for _, tt := range []struct{ query, want string }{
		{"speaker=Smith,+John;+Jr", `speaker: "Smith,+John;+Jr": a ';' must be written %3B in a URL`},
		{"reminders=15m;1d", `reminders: "15m;1d": a ';' must be written %3B`},
		{"tag=a&reminders=15m;1d", `reminders: "15m;1d": a ';' must be written %3B`},
		{"speaker=%ZZ", `speaker: "%ZZ": a '%' not followed by two hex digits; write a '%' as %25`},
		{"tag=100%", `tag: "100%": a '%' not followed by two hex digits`},
		{"ta%g=x", `query: "ta%g": a parameter name with a '%' not followed by two hex digits`},
	} {
		_, _, err := parseQuery(tt.query, ParseVariant)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("?%s: %v; want %q", tt.query, err, tt.want)
		}
	}
	// The encoded forms are what the messages advise, and are read.
	for _, q := range []string{"speaker=Smith,+John%3B+Jr", "tag=100%25"} {
		if _, _, err := parseQuery(q, ParseVariant); err != nil {
			t.Errorf("?%s: %v", q, err)
		}
	}
}

// A refused query never repeats a credential: the answer goes to proxies'
// and browsers' logs and caches.
func TestQueryErrorRedactsCredentials(t *testing.T) {
	const tok = "af_Zq9TOKENs3cret"
	for _, q := range []string{
		"tag=" + tok + ";x",
		"tag=%zz" + tok,
		"token=" + tok + "%zz",
		"access_token=abc;def",
		tok + "%zz=1",
		"AF_ZQ9TOKENS3CRET=%",
	} {
		_, _, err := parseQuery(q, ParseVariant)
		if err == nil {
			t.Errorf("?%s: accepted", q)
			continue
		}
		msg := err.Error()
		if strings.Contains(strings.ToLower(msg), "zq9token") || strings.Contains(msg, "abc") {
			t.Errorf("?%s: the answer repeats the credential: %s", q, msg)
		}
		if !strings.Contains(msg, "REDACTED") || !strings.Contains(msg, "%") && !strings.Contains(msg, ";") {
			t.Errorf("?%s: %s; want the diagnosis with the value REDACTED", q, msg)
		}
	}
}
