package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Duration is a time.Duration written the way agenda reminders are: "15m",
// "1h", "1d", "1w", "1d12h". Go's own spelling ("90s", "500ms", "1.5h") is
// accepted too, for the settings where seconds make sense (debounce).
type Duration time.Duration

// ParseDuration reads a Duration.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if d, err := agenda.ParseReminder(s); err == nil {
		return Duration(d), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return Duration(d), nil
	}
	return 0, fmt.Errorf("expected a duration such as 500ms, 90s, 15m, 1h, 1d or 1w")
}

// String writes whole minutes as ParseReminder reads them ("1d12h") and
// anything else in Go's spelling ("500ms").
func (d Duration) String() string { return agenda.FormatReminder(time.Duration(d)) }

// UnmarshalYAML reads a scalar. Its errors carry the line, in yaml's own
// form, so that Load reports them like yaml's type errors.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: expected a duration such as 15m, 1h or 1d, not a %s", n.Line, kindName(n.Kind))}}
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		// The column tells which item of a list on one line is meant
		// ([15m, "", 1d]); Load finds the key there and says what it
		// expects (see durationErrorRE and durationHint).
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: not a duration: %q", n.Line, n.Column, n.Value)}}
	}
	*d = v
	return nil
}

// MarshalYAML writes the String form.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

// durationHint says what a key's duration is expected to look like, with
// examples that key accepts: reminders and refresh_interval refuse seconds,
// debounce allows at most 1s.
func durationHint(key string) string {
	switch key {
	case "reminders", "refresh_interval":
		return "expected a duration such as 15m, 1h, 1d or 1w"
	case "debounce":
		return "expected a duration such as 250ms, 500ms or 1s"
	}
	return "expected a duration such as 500ms, 90s, 15m, 1h, 1d or 1w"
}
