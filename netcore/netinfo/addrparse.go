package netinfo

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the parts of address parsing that netip does not do: the
// byte-list and Python-literal forms, and the diagnosis that turns a refusal
// into a sentence naming the octet or group that is wrong.

// diagnoseIPv4 says what is wrong with text meant as dotted decimal IPv4.
func diagnoseIPv4(in string) string {
	parts := strings.Split(in, ".")
	if len(parts) != 4 {
		why := fmt.Sprintf("has %d octets; IPv4 needs 4", len(parts))
		if len(parts) < 4 && len(parts) > 1 && allDigits(strings.ReplaceAll(in, ".", "")) {
			why += " (the short forms inet_aton accepts, like 127.1, are not taken here)"
		}
		return why
	}
	for i, p := range parts {
		n := i + 1
		switch {
		case p == "":
			return fmt.Sprintf("octet %d is empty", n)
		case hexPrefixed(p):
			return fmt.Sprintf("octet %d %q is hex; write octets in decimal", n, p)
		case !allDigits(p):
			return fmt.Sprintf("octet %d %q is not a decimal number", n, p)
		case len(p) > 1 && p[0] == '0':
			return fmt.Sprintf("octet %d %q has a leading zero, which inet_aton reads as octal; write it without the zero", n, p)
		}
		if v, err := strconv.ParseUint(p, 10, 64); err != nil || v > 255 {
			return fmt.Sprintf("octet %d is %s, more than 255", n, p)
		}
	}
	return "not a valid IPv4 address"
}

// diagnoseIPv6 says what is wrong with text meant as IPv6.
func diagnoseIPv6(in string) string {
	s := in
	if i := strings.IndexByte(s, '%'); i >= 0 {
		if s[i+1:] == "" {
			return "the zone after '%' is empty"
		}
		s = s[:i]
	}
	switch {
	case strings.Contains(s, ":::"):
		return "IPv6 has ':::'; write '::' once for a run of zero groups"
	case strings.Count(s, "::") > 1:
		return "IPv6 has two '::'; it may appear only once"
	case strings.HasPrefix(s, ":") && !strings.HasPrefix(s, "::"):
		return "IPv6 starts with a single ':'"
	case strings.HasSuffix(s, ":") && !strings.HasSuffix(s, "::"):
		return "IPv6 ends with a single ':'"
	}
	compressed := strings.Contains(s, "::")
	var groups []string
	for _, side := range strings.SplitN(s, "::", 2) {
		if side != "" {
			groups = append(groups, strings.Split(side, ":")...)
		}
	}
	count := 0
	for i, g := range groups {
		n := i + 1
		switch {
		case g == "":
			return fmt.Sprintf("group %d is empty", n)
		case strings.Contains(g, "."):
			if i != len(groups)-1 || !strings.HasSuffix(s, g) {
				return fmt.Sprintf("group %d %q has a '.'; only the last part may be an embedded IPv4 address", n, g)
			}
			if why := diagnoseIPv4(g); why != "not a valid IPv4 address" {
				return "embedded IPv4 part: " + why
			}
			count += 2
			continue
		case len(g) > 4:
			return fmt.Sprintf("group %d %q has more than 4 hex digits", n, g)
		}
		if j := strings.IndexFunc(g, func(r rune) bool { return !isHexDigit(r) }); j >= 0 {
			return fmt.Sprintf("group %d %q has %q, which is not a hex digit", n, g, string([]rune(g[j:])[0]))
		}
		count++
	}
	switch {
	case !compressed && count < 8:
		return fmt.Sprintf("IPv6 has %d groups and no '::'; it needs 8", count)
	case !compressed && count > 8:
		return fmt.Sprintf("IPv6 has %d groups, at most 8", count)
	case compressed && count > 7:
		return fmt.Sprintf("IPv6 has %d groups besides '::', at most 7 when '::' is used", count)
	}
	return "not a valid IPv6 address"
}

// byteTokens splits text that looks like a list of bytes. With colons as
// separators every token must be two hex digits, which no IPv6 address can be
// (4 or 16 such groups and no '::').
func byteTokens(in string) ([]string, bool) {
	if strings.Contains(in, ".") {
		return nil, false
	}
	s := strings.TrimSpace(trimBrackets(in))
	toks := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == ';' || r == '-' || r == ':'
	})
	if len(toks) < 2 {
		return nil, false
	}
	if strings.Contains(s, ":") {
		if strings.Contains(s, "::") {
			return nil, false
		}
		for _, t := range toks {
			if len(t) != 2 || !allHex(t) {
				return nil, false
			}
		}
	}
	return toks, true
}

func trimBrackets(s string) string {
	for _, p := range []string{"[]", "{}", "()"} {
		if len(s) >= 2 && s[0] == p[0] && s[len(s)-1] == p[1] {
			return s[1 : len(s)-1]
		}
	}
	return s
}

func parseByteTokens(toks []string) ([]byte, string) {
	b := make([]byte, 0, len(toks))
	for i, t := range toks {
		d := t
		if hexPrefixed(d) {
			d = d[2:]
		}
		switch {
		case d == "":
			return nil, fmt.Sprintf("byte %d %q has no hex digits", i+1, t)
		case !allHex(d):
			return nil, fmt.Sprintf("byte %d %q is not hex", i+1, t)
		case len(d) > 2:
			why := fmt.Sprintf("byte %d %q has more than 2 hex digits", i+1, t)
			if len(toks) == 4 && looksDecimalOctets(toks) {
				why += " (for dotted decimal write " + strings.Join(toks, ".") + ")"
			}
			return nil, why
		}
		v, _ := strconv.ParseUint(d, 16, 8)
		b = append(b, byte(v))
	}
	switch len(b) {
	case 4, 16:
		return b, ""
	case 6:
		return nil, "got 6 bytes, which looks like a MAC address; an IP address is 4 bytes (IPv4) or 16 bytes (IPv6)"
	}
	return nil, fmt.Sprintf("got %d bytes; an address is 4 bytes (IPv4) or 16 bytes (IPv6)", len(b))
}

func looksDecimalOctets(toks []string) bool {
	for _, t := range toks {
		v, err := strconv.ParseUint(t, 10, 16)
		if err != nil || v > 255 {
			return false
		}
	}
	return true
}

// isPythonBytes reports whether in is a Python bytes literal (b'...') or a
// run of \x escapes as C and Python write them.
func isPythonBytes(in string) bool {
	if len(in) >= 3 && (in[0] == 'b' || in[0] == 'B') && (in[1] == '\'' || in[1] == '"') {
		return true
	}
	return strings.Contains(in, `\x`) || strings.Contains(in, `\X`)
}

// parsePythonBytes reads b'\xc0\xa8\x01\x02' or \xc0\xa8\x01\x02 and also the
// printable characters and \t \n \r \\ \' \" escapes Python uses in repr.
func parsePythonBytes(in string) ([]byte, string) {
	s := in
	if (s[0] == 'b' || s[0] == 'B') && len(s) >= 2 && (s[1] == '\'' || s[1] == '"') {
		q := s[1]
		if len(s) < 3 || s[len(s)-1] != q {
			return nil, fmt.Sprintf("the bytes literal does not end with %c", q)
		}
		s = s[2 : len(s)-1]
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return nil, fmt.Sprintf("character at position %d is not ASCII; a bytes literal holds only ASCII and \\x escapes", i+1)
		}
		if c != '\\' {
			b = append(b, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, "the literal ends with a lone backslash"
		}
		i++
		switch s[i] {
		case 'x', 'X':
			if i+2 >= len(s) {
				return nil, fmt.Sprintf("escape \\x at position %d needs two hex digits", i)
			}
			h := s[i+1 : i+3]
			if !allHex(h) {
				return nil, fmt.Sprintf("escape \\x at position %d needs two hex digits, got %q", i, h)
			}
			v, _ := strconv.ParseUint(h, 16, 8)
			b = append(b, byte(v))
			i += 2
		case 't':
			b = append(b, '\t')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case '\\', '\'', '"':
			b = append(b, s[i])
		default:
			return nil, fmt.Sprintf("unknown escape \\%c at position %d", s[i], i)
		}
	}
	switch len(b) {
	case 4, 16:
		return b, ""
	}
	return nil, fmt.Sprintf("got %d bytes; an address is 4 bytes (IPv4) or 16 bytes (IPv6)", len(b))
}

// pythonBytes writes b the way Python's repr does, quotes included.
func pythonBytes(b []byte) string {
	q := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		q = '"'
	}
	var sb strings.Builder
	sb.WriteByte('b')
	sb.WriteByte(q)
	for _, c := range b {
		switch {
		case c == '\\' || c == q:
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			fmt.Fprintf(&sb, `\x%02x`, c)
		}
	}
	sb.WriteByte(q)
	return sb.String()
}
