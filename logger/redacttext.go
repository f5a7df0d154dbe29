package logger

import (
	"strings"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// span is the byte range [start, end) of a string that is replaced by ***.
type span struct{ start, end int }

// appendString appends s as a JSON string with the secrets in it replaced by ***: values after a
// sensitive key (KEY=value, KEY: value, "key": "value"), URL passwords, AWS access key ids, and
// secret access keys and session tokens.
func (r *redactor) appendString(buf []byte, s string) []byte {
	if len(s) < accessKeyIDLen && strings.IndexByte(s, '=') < 0 && strings.IndexByte(s, ':') < 0 {
		return jsonstr.Append(buf, s) // too short for anything but KEY=value and KEY: value
	}
	var found [8]span
	spans := r.secrets(s, found[:0])
	if len(spans) == 0 {
		return jsonstr.Append(buf, s)
	}
	buf = append(buf, '"')
	prev := 0
	for _, sp := range spans {
		buf = jsonstr.AppendEscaped(buf, s[prev:sp.start])
		buf = append(buf, redactedText...)
		prev = sp.end
	}
	buf = jsonstr.AppendEscaped(buf, s[prev:])
	return append(buf, '"')
}

// secrets appends the spans of s to mask to spans, sorted and disjoint.
func (r *redactor) secrets(s string, spans []span) []span {
	if len(s) < 3 {
		return spans
	}
	spans = r.keyValues(s, spans)
	spans = appendAWSSecrets(s, spans)
	if len(spans) < 2 {
		return spans
	}
	for i := 1; i < len(spans); i++ { // insertion sort: there are few
		for j := i; j > 0 && spans[j].start < spans[j-1].start; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	out := spans[:1]
	for _, sp := range spans[1:] {
		last := &out[len(out)-1]
		if sp.start <= last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// keyValues appends the values that follow a sensitive key and a '=' or ':', and the passwords
// of URLs (scheme://user:password@host).
func (r *redactor) keyValues(s string, spans []span) []span {
	eq, colon := strings.IndexByte(s, '='), strings.IndexByte(s, ':')
	for eq >= 0 || colon >= 0 {
		p := eq
		if p < 0 || (colon >= 0 && colon < p) {
			p = colon
		}
		next := p + 1
		if s[p] == ':' && strings.HasPrefix(s[p+1:], "//") {
			if sp, ok := urlPassword(s, p+3); ok {
				spans = append(spans, sp)
			}
		} else if sp, ok := r.keyValue(s, p); ok {
			spans = append(spans, sp)
			next = sp.end
		}
		if eq >= 0 && eq < next {
			eq = indexFrom(s, '=', next)
		}
		if colon >= 0 && colon < next {
			colon = indexFrom(s, ':', next)
		}
	}
	return spans
}

func indexFrom(s string, c byte, from int) int {
	if from >= len(s) {
		return -1
	}
	if i := strings.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return -1
}

// keyValue returns the value to mask after the separator s[p] if the key before it is sensitive.
// The key is the run of letters, digits, '_', '-' and '.' before the separator, possibly quoted
// ("key", 'key', \"key\") and followed by spaces; when it is not sensitive on its own and holds
// no redact term, the word before it may complete it (see twoWordKey). A run between two colons
// is a part of a value (arn:aws:secretsmanager:...), not a key.
func (r *redactor) keyValue(s string, p int) (span, bool) {
	j := p
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	if j > 0 && (s[j-1] == '"' || s[j-1] == '\'') {
		j--
		if j > 0 && s[j-1] == '\\' {
			j--
		}
	}
	end := j
	for j > 0 && isKeyByte(s[j-1]) {
		j--
	}
	if j == end || (s[p] == ':' && j > 0 && s[j-1] == ':') { // no key, or a part of arn:aws:...
		return span{}, false
	}
	switch hasTerm, allowed := r.classify(s[j:end]); {
	case allowed:
		return span{}, false
	case !hasTerm:
		if !r.twoWordKey(s, j, end) {
			return span{}, false
		}
	}
	v := p + 1
	for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
		v++
	}
	sp := valueSpan(s, v)
	return sp, sp.end > sp.start
}

// twoWordKey reports whether the word before the key s[j:end], with it, makes a sensitive key
// that neither holds alone ("api key", "Access Key"). The word must follow a space or start s:
// after ':' or '=' it is a value.
func (r *redactor) twoWordKey(s string, j, end int) bool {
	k := j - 1
	if k < 1 || s[k] != ' ' || !isKeyByte(s[k-1]) {
		return false
	}
	for k > 0 && isKeyByte(s[k-1]) {
		k--
	}
	if k > 0 && s[k-1] != ' ' {
		return false
	}
	if hasTerm, _ := r.classify(s[k : j-1]); hasTerm {
		return false
	}
	hasTerm, allowed := r.classify(s[k:end])
	return hasTerm && !allowed
}

func isKeyByte(c byte) bool { return keyCode[c] != 0 || c == '_' || c == '-' || c == '.' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// valueSpan returns the value starting at s[v]: up to the closing quote of a quoted value, the
// closing bracket of a bracketed one, the end of the line after an HTTP authorization scheme
// (Bearer, Basic, AWS4-HMAC-SHA256 ...), else up to the next white space.
func valueSpan(s string, v int) span {
	if v >= len(s) {
		return span{v, v}
	}
	switch c := s[v]; {
	case c == '\\' && strings.HasPrefix(s[v+1:], `"`):
		end := strings.Index(s[v+2:], `\"`)
		if end < 0 {
			return span{v + 2, len(s)}
		}
		return span{v + 2, v + 2 + end}
	case c == '"' || c == '\'':
		for i := v + 1; i < len(s); i++ {
			if s[i] == c && s[i-1] != '\\' {
				return span{v + 1, i}
			}
		}
		return span{v + 1, len(s)}
	case c == '{' || c == '[' || c == '(':
		closing := byte(')')
		switch c {
		case '{':
			closing = '}'
		case '[':
			closing = ']'
		}
		depth := 0
		for i := v; i < len(s); i++ {
			switch s[i] {
			case c:
				depth++
			case closing:
				if depth--; depth == 0 {
					return span{v, i + 1}
				}
			}
		}
		return span{v, len(s)}
	}
	end := v
	for end < len(s) && !isSpace(s[end]) {
		end++
	}
	if isAuthScheme(s[v:end]) {
		for end < len(s) && s[end] != '\n' && s[end] != '\r' {
			end++
		}
	}
	return span{v, end}
}

// isAuthScheme reports whether word is an HTTP authorization scheme, which the credentials follow.
func isAuthScheme(word string) bool {
	for _, scheme := range [...]string{"Bearer", "Basic", "Digest", "Negotiate", "NTLM", "Token", "AWS4-HMAC-SHA256"} {
		if strings.EqualFold(word, scheme) {
			return true
		}
	}
	return false
}

// urlPassword returns the password of the URL whose authority starts at s[from], if it has one.
func urlPassword(s string, from int) (span, bool) {
	end := from
	for end < len(s) && !isSpace(s[end]) && !strings.ContainsRune("/?#", rune(s[end])) {
		end++
	}
	at := strings.LastIndexByte(s[from:end], '@')
	if at < 0 {
		return span{}, false
	}
	colon := strings.IndexByte(s[from:from+at], ':')
	if colon < 0 || colon+1 == at {
		return span{}, false
	}
	return span{from + colon + 1, from + at}, true
}

// appendAWSSecrets appends the AWS credentials found in s wherever they are: access key ids
// (AKIA..., ASIA...: four letters and 16 base32 characters), and, in a string that holds an
// access key id or the word secret, a secret access key (40 base64 characters with capitals,
// small letters and a digit or '/' or '+'); session tokens (base64 runs of 100 characters or
// more that start as STS tokens do, or any such run next to an access key id).
func appendAWSSecrets(s string, spans []span) []span {
	if len(s) < accessKeyIDLen {
		return spans
	}
	keyID := false
	for i := 0; i+accessKeyIDLen <= len(s); {
		j := strings.IndexByte(s[i:len(s)-accessKeyIDLen+1], 'A')
		if j < 0 {
			break
		}
		i += j
		if isAccessKeyID(s, i) {
			spans = append(spans, span{i, i + accessKeyIDLen})
			keyID = true
			i += accessKeyIDLen
			continue
		}
		i++
	}
	secretKey := keyID || len(s) >= secretKeyLen && (strings.Contains(s, "ecret") || strings.Contains(s, "ECRET"))
	stsToken := len(s) >= minSessionTokenLen && (strings.Contains(s, "b3JpZ2lu") || strings.Contains(s, "ZXIvYXdz"))
	if !secretKey && !stsToken {
		return spans
	}
	for i := 0; i < len(s); {
		if !isBase64(s[i]) {
			i++
			continue
		}
		start := i
		for i < len(s) && isBase64(s[i]) {
			i++
		}
		run := s[start:i]
		for i < len(s) && s[i] == '=' {
			i++
		}
		switch {
		case secretKey && len(run) == secretKeyLen && looksRandom(run):
			spans = append(spans, span{start, i})
		case len(run) >= minSessionTokenLen && (keyID || isSessionToken(run)):
			spans = append(spans, span{start, i})
		}
	}
	return spans
}

const (
	accessKeyIDLen     = 20
	secretKeyLen       = 40
	minSessionTokenLen = 100
)

// isAccessKeyID reports whether an AWS access key id stands at s[i:], on its own.
func isAccessKeyID(s string, i int) bool {
	end := i + accessKeyIDLen
	if end > len(s) || (i > 0 && keyCode[s[i-1]] != 0) || (end < len(s) && keyCode[s[end]] != 0) {
		return false
	}
	switch s[i : i+4] {
	case "AKIA", "ASIA", "ABIA", "ACCA":
	default:
		return false
	}
	for _, c := range []byte(s[i+4 : end]) {
		if !isUpper(c) && !('2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

func isBase64(c byte) bool { return keyCode[c] != 0 || c == '+' || c == '/' }

// looksRandom reports whether a base64 run mixes capitals, small letters and digits or symbols,
// as a random key does and words, paths and hexadecimal digests do not.
func looksRandom(run string) bool {
	var upper, lower, other bool
	for _, c := range []byte(run) {
		switch {
		case isUpper(c):
			upper = true
		case isLower(c):
			lower = true
		default:
			other = true
		}
	}
	return upper && lower && other
}

// isSessionToken reports whether a base64 run starts as STS session tokens do: the encoding of
// "\x21\n\torigin" (IQoJb3JpZ2lu...) or "\x17\n\x06er/aws" (FwoGZXIvYXdz...).
func isSessionToken(run string) bool {
	return len(run) >= 12 && (run[4:12] == "b3JpZ2lu" || run[4:12] == "ZXIvYXdz")
}
