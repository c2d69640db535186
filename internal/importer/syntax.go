package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/agendafeed/agendafeed/internal/jsontext"
)

// Both syntaxes are read into a yaml.Node tree, so that one walker with line
// numbers serves YAML and JSON alike.

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML returns the root mapping of a one-document YAML file, or a null
// node for an empty file.
func parseYAML(name string, data []byte) (root *yaml.Node, e *Error) {
	defer func() {
		// A parser bug must not take the daemon down with it.
		if r := recover(); r != nil {
			root, e = nil, &Error{File: name, Line: 1, Field: "syntax", Msg: fmt.Sprintf("cannot parse this file as YAML (%v)", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: 1, Column: 1}, nil
		}
		return nil, yamlError(name, data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, &Error{File: name, Line: next.Line, Field: "syntax", Msg: "expected one YAML document, found another starting here; put one series in each file"}
	case !errors.Is(err, io.EOF):
		return nil, yamlError(name, data, err)
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: 1, Column: 1}, nil
	}
	return doc.Content[0], nil
}

func yamlError(name string, data []byte, err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Field: "syntax", Msg: m[2]}
	}
	// Messages without a line are about bytes YAML refuses; point at the
	// first such byte.
	return &Error{File: name, Line: firstBadLine(data), Field: "syntax", Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// firstBadLine returns the line of the first invalid UTF-8 sequence or
// control character (other than tab and line ends), or 1.
func firstBadLine(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if (r == utf8.RuneError && size == 1) || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' && r != 0x85) {
			return lineAt(data, i)
		}
		i += size
	}
	return 1
}

func lineAt(data []byte, offset int) int {
	if offset > len(data) {
		offset = len(data)
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// parseJSON reads one JSON object into a yaml.Node tree whose Line fields
// are the lines of the JSON tokens.
//
// Text that encoding/json would change (invalid UTF-8 and unpaired
// surrogate escapes become U+FFFD) is refused first, as YAML refuses
// invalid UTF-8; duplicate keys are refused by the decoder's walk, with the
// line of the second.
func parseJSON(name string, data []byte) (*yaml.Node, *Error) {
	if e := jsontext.CheckEncoding(data); e != nil {
		return nil, &Error{File: name, Line: lineAt(data, e.Offset), Field: "syntax", Msg: e.Error()}
	}
	// The format itself is four levels deep; the bound, the API's too, keeps
	// the walk below from recursing without end on hostile input.
	if e := jsontext.CheckDepth(data); e != nil {
		return nil, &Error{File: name, Line: lineAt(data, e.Offset), Field: "syntax", Msg: e.Error()}
	}
	p := &jsonParser{dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	// Newline offsets, so that a token's line is a binary search away.
	for i, b := range data {
		if b == '\n' {
			p.newlines = append(p.newlines, i)
		}
	}
	fail := func(err error) *Error {
		line := p.line(p.dec.InputOffset())
		msg := err.Error()
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			line = p.line(se.Offset - 1)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			line, msg = p.line(int64(len(data))), "unexpected end of JSON input"
		}
		return &Error{File: name, Line: line, Field: "syntax", Msg: msg}
	}
	root, err := p.value()
	if err != nil {
		return nil, fail(err)
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = fmt.Errorf("unexpected data after the top-level object")
		}
		return nil, fail(err)
	}
	return root, nil
}

type jsonParser struct {
	dec      *json.Decoder
	newlines []int
}

// line returns the line of the byte at offset.
func (p *jsonParser) line(offset int64) int {
	return sort.SearchInts(p.newlines, int(offset)) + 1
}

// value reads one value; parseJSON has bounded the depth of its recursion.
func (p *jsonParser) value() (*yaml.Node, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	// The token has just been read, so it ends at InputOffset; JSON tokens
	// cannot span lines.
	n := &yaml.Node{Line: p.line(p.dec.InputOffset() - 1), Column: 1}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			for p.dec.More() {
				k, err := p.value()
				if err != nil {
					return nil, err
				}
				val, err := p.value()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, k, val)
			}
		case '[':
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for p.dec.More() {
				val, err := p.value()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, val)
			}
		default:
			return nil, fmt.Errorf("unexpected %q", v)
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!str", v
	case json.Number:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!int", v.String()
		if strings.ContainsAny(v.String(), ".eE") {
			n.Tag = "!!float"
		}
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", strconv.FormatBool(v)
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	}
	return n, nil
}
