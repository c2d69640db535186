package ical

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Calendar is a parsed VCALENDAR.
type Calendar struct {
	Component
}

// Component is a BEGIN/END block with its properties and sub-components,
// in the order they were read.
type Component struct {
	Name       string
	Props      []Property
	Components []*Component
}

// Property is one content line after unfolding. Value is as written: TEXT
// escapes are still in it (see Text and TextList).
type Property struct {
	Name   string
	Params []Param
	Value  string
}

// Param is one parameter with its values, quotes removed.
type Param struct {
	Name   string
	Values []string
}

// maxParse bounds what Parse reads, so a hostile input cannot exhaust
// memory: our largest calendars are a few tens of megabytes.
const maxParse = 256 << 20

// Parse reads what this package writes, strictly: CRLF line ends, physical
// lines of at most 75 octets of valid UTF-8, no control characters other
// than tab, names of letters, digits and '-', BEGIN/END properly nested, one
// VCALENDAR. It exists so that tests and fuzzing can check the encoder; it
// is not a general iCalendar reader (use a real client for that).
func Parse(r io.Reader) (*Calendar, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxParse+1))
	if err != nil {
		return nil, fmt.Errorf("parse calendar: %w", err)
	}
	if len(data) > maxParse {
		return nil, fmt.Errorf("parse calendar: larger than %d bytes", maxParse)
	}
	var (
		cal     *Calendar
		stack   []*Component
		logical []byte
		lineNo  int
	)
	flush := func() error {
		if logical == nil {
			return nil
		}
		p, err := parseLine(string(logical))
		logical = nil
		if err != nil {
			return err
		}
		switch p.Name {
		case "BEGIN":
			if len(p.Params) > 0 || !validName(p.Value) {
				return fmt.Errorf("bad BEGIN:%q", p.Value)
			}
			c := &Component{Name: p.Value}
			switch {
			case len(stack) > 0:
				top := stack[len(stack)-1]
				top.Components = append(top.Components, c)
			case cal != nil:
				return errors.New("content after the calendar")
			case p.Value != "VCALENDAR":
				return fmt.Errorf("expected BEGIN:VCALENDAR, got BEGIN:%s", p.Value)
			default:
				cal = &Calendar{Component: *c}
				c = &cal.Component
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].Name != p.Value {
				return fmt.Errorf("END:%s does not close an open component", p.Value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return fmt.Errorf("property %s outside a component", p.Name)
			}
			top := stack[len(stack)-1]
			top.Props = append(top.Props, p)
		}
		return nil
	}
	for len(data) > 0 {
		lineNo++
		i := bytes.Index(data, []byte("\r\n"))
		if i < 0 {
			return nil, fmt.Errorf("parse calendar: line %d: missing CRLF at end", lineNo)
		}
		line := data[:i]
		data = data[i+2:]
		if len(line) > maxLine {
			return nil, fmt.Errorf("parse calendar: line %d: %d octets, more than %d", lineNo, len(line), maxLine)
		}
		if !utf8.Valid(line) {
			return nil, fmt.Errorf("parse calendar: line %d: invalid UTF-8 (a fold split a character?)", lineNo)
		}
		for _, c := range line {
			if (c < 0x20 && c != '\t') || c == 0x7f {
				return nil, fmt.Errorf("parse calendar: line %d: control character %#x", lineNo, c)
			}
		}
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if logical == nil {
				return nil, fmt.Errorf("parse calendar: line %d: continuation without a line to continue", lineNo)
			}
			logical = append(logical, line[1:]...)
			continue
		}
		if err := flush(); err != nil {
			return nil, fmt.Errorf("parse calendar: before line %d: %w", lineNo, err)
		}
		logical = append([]byte{}, line...)
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("parse calendar: at end: %w", err)
	}
	if cal == nil {
		return nil, errors.New("parse calendar: no VCALENDAR")
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("parse calendar: %s not closed", stack[len(stack)-1].Name)
	}
	return cal, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// parseLine splits name *(";" param) ":" value (RFC 5545 §3.1).
func parseLine(s string) (Property, error) {
	i := strings.IndexAny(s, ";:")
	if i < 0 {
		return Property{}, fmt.Errorf("no ':' in %q", short(s))
	}
	p := Property{Name: strings.ToUpper(s[:i])}
	if !validName(p.Name) {
		return Property{}, fmt.Errorf("bad property name %q", short(s[:i]))
	}
	s = s[i:]
	for s[0] == ';' {
		s = s[1:]
		eq := strings.IndexByte(s, '=')
		if eq < 0 || !validName(s[:eq]) {
			return Property{}, fmt.Errorf("%s: bad parameter in %q", p.Name, short(s))
		}
		prm := Param{Name: strings.ToUpper(s[:eq])}
		s = s[eq+1:]
		for {
			var v string
			if len(s) > 0 && s[0] == '"' {
				end := strings.IndexByte(s[1:], '"')
				if end < 0 {
					return Property{}, fmt.Errorf("%s: unterminated quoted parameter value", p.Name)
				}
				v, s = s[1:1+end], s[end+2:]
			} else {
				end := strings.IndexAny(s, ",;:\"")
				if end < 0 {
					return Property{}, fmt.Errorf("%s: no ':' after parameters", p.Name)
				}
				if s[end] == '"' {
					return Property{}, fmt.Errorf("%s: DQUOTE inside a parameter value", p.Name)
				}
				v, s = s[:end], s[end:]
			}
			prm.Values = append(prm.Values, v)
			if len(s) == 0 {
				return Property{}, fmt.Errorf("%s: no ':' after parameters", p.Name)
			}
			if s[0] != ',' {
				break
			}
			s = s[1:]
		}
		p.Params = append(p.Params, prm)
		if s[0] != ';' && s[0] != ':' {
			return Property{}, fmt.Errorf("%s: unexpected %q after a parameter", p.Name, s[0])
		}
	}
	p.Value = s[1:]
	return p, nil
}

func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Prop returns the first property named name, or nil.
func (c *Component) Prop(name string) *Property {
	for i := range c.Props {
		if c.Props[i].Name == name {
			return &c.Props[i]
		}
	}
	return nil
}

// Children returns the sub-components named name.
func (c *Component) Children(name string) []*Component {
	var out []*Component
	for _, s := range c.Components {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// Param returns the first value of the parameter named name, or "".
func (p *Property) Param(name string) string {
	for _, prm := range p.Params {
		if prm.Name == name && len(prm.Values) > 0 {
			return prm.Values[0]
		}
	}
	return ""
}

// Text unescapes a single TEXT value. An unescaped ',' or ';' or a
// backslash before anything other than \ ; , n N is an error: this package
// never writes one.
func (p *Property) Text() (string, error) {
	vs, err := splitText(p.Value, false)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p.Name, err)
	}
	return vs[0], nil
}

// TextList unescapes a comma-separated list of TEXT values (CATEGORIES).
func (p *Property) TextList() ([]string, error) {
	vs, err := splitText(p.Value, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.Name, err)
	}
	return vs, nil
}

func splitText(v string, list bool) ([]string, error) {
	var out []string
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '\\':
			if i+1 == len(v) {
				return nil, errors.New("backslash at end of value")
			}
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				return nil, fmt.Errorf("unknown escape \\%c", v[i])
			}
		case ',':
			if !list {
				return nil, errors.New("unescaped ','")
			}
			out = append(out, b.String())
			b.Reset()
		case ';':
			return nil, errors.New("unescaped ';'")
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String()), nil
}
