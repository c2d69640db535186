package ical

import (
	"bufio"
	"time"
	"unicode/utf8"
)

// maxLine is the longest content line RFC 5545 §3.1 allows, in octets,
// not counting the CRLF.
const maxLine = 75

// encoder writes content lines, folding at maxLine octets without ever
// splitting a UTF-8 sequence or an escape, and escaping or dropping
// whatever in user text could end a line, a value or a parameter.
//
// It appends to b: with no w, b is the output (a Prepared keeps its encoded
// events so); with w, b is the free end of w's buffer (AvailableBuffer), so
// that bytes go straight into it with append instead of a WriteString call
// each, and it is handed back to w (commit) when full and by flush. It keeps
// the first write error and ignores everything after it, so the render code
// can write straight through and check once at the end.
type encoder struct {
	w   *bufio.Writer // nil: keep everything in b
	b   []byte
	n   int // octets on the current physical line
	err error
	buf [40]byte // scratch for dates and numbers
}

func (e *encoder) raw(s string) {
	if len(s) <= cap(e.b)-len(e.b) {
		e.b = append(e.b, s...) // small enough to inline: the common case
		return
	}
	e.spill(s)
}

// spill writes s when b has no room for it: grow b, or hand b to w and
// write s through w.
func (e *encoder) spill(s string) {
	if e.w == nil {
		e.b = append(e.b, s...)
		return
	}
	e.commit()
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
	e.b = e.w.AvailableBuffer()
}

func (e *encoder) rawBytes(p []byte) {
	if len(p) <= cap(e.b)-len(e.b) || e.w == nil {
		e.b = append(e.b, p...)
		return
	}
	e.commit()
	if e.err == nil {
		_, e.err = e.w.Write(p)
	}
	e.b = e.w.AvailableBuffer()
}

// commit hands what b holds to w (b is w's own free buffer, so this moves
// nothing but w's count).
func (e *encoder) commit() {
	if e.w != nil && len(e.b) > 0 && e.err == nil {
		_, e.err = e.w.Write(e.b)
	}
	e.b = nil
}

// flush commits b to w, then flushes w; with no w it does nothing.
func (e *encoder) flush() error {
	if e.w == nil {
		return e.err
	}
	e.commit()
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.err
}

func (e *encoder) fold() {
	e.raw("\r\n ")
	e.n = 1
}

// name starts a content line with a property name (a constant of ours).
func (e *encoder) name(s string) {
	e.raw(s)
	e.n = len(s)
}

// eol ends the content line.
func (e *encoder) eol() {
	e.raw("\r\n")
	e.n = 0
}

// line writes a whole line whose name and value are constants of ours.
func (e *encoder) line(name, value string) {
	e.name(name)
	e.plain(":")
	e.plain(value)
	e.eol()
}

// plain writes s, which needs no escaping, folding as needed. s must be
// valid UTF-8 without control characters; callers guarantee it.
func (e *encoder) plain(s string) {
	for len(s) > 0 {
		room := maxLine - e.n
		if len(s) <= room {
			e.raw(s)
			e.n += len(s)
			return
		}
		cut := room
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut > 0 {
			e.raw(s[:cut])
			s = s[cut:]
		}
		e.fold()
	}
}

// unit writes a short indivisible piece (an escape, one character).
func (e *encoder) unit(s string) {
	if e.n+len(s) > maxLine {
		e.fold()
	}
	e.raw(s)
	e.n += len(s)
}

// escapes are the backslash escapes of TEXT, by the byte they stand for.
var escapes = [128]string{'\\': `\\`, ';': `\;`, ',': `\,`}

// textClass says how text() treats an ASCII byte: 0 copy, 1 escape with a
// backslash, 2 newline, 3 drop (other controls), 4 CR.
var textClass = func() (t [128]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = 3
	}
	t['\t'] = 0 // WSP is allowed in TEXT (RFC 5545 §3.3.11)
	t['\n'] = 2
	t['\r'] = 4
	t[0x7f] = 3
	t['\\'], t[';'], t[','] = 1, 1, 1
	return t
}()

// text writes s as the body of a TEXT value (RFC 5545 §3.3.11): backslash,
// semicolon and comma are escaped; CRLF, CR and LF become the \n escape;
// other control characters (C0, DEL, C1) are dropped; invalid UTF-8 becomes
// U+FFFD. No user text can therefore end the line.
func (e *encoder) text(s string) {
	start := 0
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if textClass[c] == 0 {
				i++
				continue
			}
			e.plain(s[start:i])
			switch textClass[c] {
			case 1:
				e.unit(escapes[c])
			case 2:
				e.unit(`\n`)
			case 4:
				e.unit(`\n`)
				if i+1 < len(s) && s[i+1] == '\n' {
					i++
				}
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r >= 0x80 && r < 0xa0) {
			e.plain(s[start:i])
			if size == 1 {
				e.unit("\uFFFD")
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	e.plain(s[start:])
}

// param writes ;NAME=value. The value is quoted when it holds , ; or :
// (or always, when quote is set); DQUOTE, which RFC 5545 §3.1 forbids in a
// parameter value, is dropped; line breaks become spaces and other control
// characters are dropped, since parameters have no escapes.
func (e *encoder) param(name, value string, quote bool) {
	e.plain(";")
	e.plain(name)
	e.plain("=")
	if !quote {
		for i := 0; i < len(value); i++ {
			switch value[i] {
			case ',', ';', ':':
				quote = true
			}
		}
	}
	if quote {
		e.plain(`"`)
	}
	e.paramValue(value)
	if quote {
		e.plain(`"`)
	}
}

func (e *encoder) paramValue(s string) {
	start := 0
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f && c != '"' {
				i++
				continue
			}
			e.plain(s[start:i])
			switch c {
			case '\n', '\t':
				e.unit(" ")
			case '\r':
				e.unit(" ")
				if i+1 < len(s) && s[i+1] == '\n' {
					i++
				}
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r >= 0x80 && r < 0xa0) {
			e.plain(s[start:i])
			if size == 1 {
				e.unit("\uFFFD")
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	e.plain(s[start:])
}

// uri writes a URI value. URIs have no escapes, so the encoder only drops
// what could break the line (controls, invalid UTF-8); validation upstream
// already refuses such URLs.
func (e *encoder) uri(s string) {
	start := 0
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f {
				i++
				continue
			}
			e.plain(s[start:i])
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r >= 0x80 && r < 0xa0) {
			e.plain(s[start:i])
			i += size
			start = i
			continue
		}
		i += size
	}
	e.plain(s[start:])
}

// appendDateTime appends YYYYMMDDTHHMMSS of t's wall clock.
func appendDateTime(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = append4(b, y)
	b = append2(b, int(mo))
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, h)
	b = append2(b, mi)
	return append2(b, s)
}

func appendDate(b []byte, y int, mo time.Month, d int) []byte {
	b = append4(b, y)
	b = append2(b, int(mo))
	return append2(b, d)
}

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10%10), byte('0'+v%10))
}

func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// utcLine writes NAME:YYYYMMDDTHHMMSSZ.
func (e *encoder) utcLine(name string, t time.Time) {
	e.name(name)
	b := append(e.buf[:0], ':')
	b = appendDateTime(b, t.UTC())
	b = append(b, 'Z')
	e.bytesPlain(b)
	e.eol()
}

// bytesPlain writes b (no escaping needed) without converting it to a
// string on the heap.
func (e *encoder) bytesPlain(b []byte) {
	if e.n+len(b) <= maxLine {
		e.rawBytes(b)
		e.n += len(b)
		return
	}
	e.plain(string(b))
}

// block writes b, whole content lines already encoded (ending in CRLF).
func (e *encoder) block(b []byte) {
	e.rawBytes(b)
	e.n = 0
}
