package logger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// DefaultRedactKeys returns the terms that make a key sensitive unless WithRedactKeys or
// LAMBDALOG_REDACT_KEYS says otherwise; see [WithRedactKeys] for how they match. The caller may
// modify the returned slice.
func DefaultRedactKeys() []string {
	return []string{
		"password", "passwd", "pwd", "passphrase", "secret", "token", "auth_token", "authorization",
		"credential", "creds", "api_key", "private_key", "access_key", "cookie", "session", "jwt",
	}
}

// DefaultRedactAllowKeys returns the keys that are not sensitive although they contain a redact
// term: counts and types of tokens, pagination and idempotency tokens of AWS APIs, and the ids and
// names of sessions and Secrets Manager secrets. The caller may modify the returned slice.
func DefaultRedactAllowKeys() []string {
	return []string{
		"token_count", "token_type", "token_usage", "next_token", "pagination_token",
		"continuation_token", "next_continuation_token", "client_token", "session_id", "session_name",
		"role_session_name", "secret_id", "secret_arn", "secret_name",
	}
}

// What a sensitive value is replaced with, as a JSON value and inside a string.
const (
	redacted     = `"***"`
	redactedText = "***"
)

// term is a redact term, normalized (see normalizeKey). A short term matches only where a word
// of the key ends in it.
type term struct {
	text  []byte
	short bool
}

// minAnywhere is the length from which a term matches anywhere in a key.
const minAnywhere = 6

// redactor decides which keys are sensitive and masks secrets inside strings. A key can only
// hold a term if it has all the term's letters (see letterSet): letters[i] are those of terms[i],
// and every term has one of the letters in rare, so that most keys are rejected with a test or
// two, without normalizing them.
type redactor struct {
	terms   []term
	letters []uint32
	rare    uint32
	allow   []string // normalized keys
}

// byRarity lists the letters from the least to the most frequent in English.
const byRarity = "zqxjkvbpygfwmuclodrhsniate"

func newRedactor(keys, allow []string) redactor {
	r := redactor{}
	for _, k := range keys {
		n, _ := normalizeKey(nil, nil, k)
		if len(n) == 0 {
			continue
		}
		r.terms = append(r.terms, term{text: n, short: len(n) < minAnywhere})
		letters := letterSet(string(n))
		r.letters = append(r.letters, letters)
		for i := 0; letters&r.rare == 0; i++ { // its rarest letter joins rare (digits share letters' bits)
			if bit := uint32(1) << (byRarity[i] & 31); letters&bit != 0 {
				r.rare |= bit
			}
		}
	}
	for _, a := range allow {
		if n, _ := normalizeKey(nil, nil, a); len(n) > 0 {
			r.allow = append(r.allow, string(n))
		}
	}
	return r
}

// keyCode maps the bytes that count in a key (ASCII letters and digits) to 1..36, letters
// case-insensitively; every other byte, a separator, to 0.
var keyCode = func() (t [256]byte) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = byte(c-'a'+1), byte(c-'a'+1)
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0' + 27)
	}
	return t
}()

// letterSet returns the set of the low five bits of the bytes of s: a superset of the letters
// of s, upper and lower case alike. A key holds a term only if its set contains the term's.
func letterSet(s string) uint32 {
	var m uint32
	for i := 0; i < len(s); i++ {
		m |= 1 << (s[i] & 31)
	}
	return m
}

// sensitive reports whether values under key must be redacted: the key, compared without case
// and without separators, contains a term (a short term only where a word ends) and is not on the
// allow list.
func (r *redactor) sensitive(key string) bool {
	hasTerm, allowed := r.classify(key)
	return hasTerm && !allowed
}

// classify reports whether key contains a term and whether it is on the allow list; the allow
// list is consulted only for a key that contains a term.
func (r *redactor) classify(key string) (hasTerm, allowed bool) {
	if len(r.terms) == 0 {
		return false, false
	}
	if !r.mayMatch(key) {
		return false, false
	}
	var nbuf [64]byte
	var ebuf [64]bool
	n, ends := normalizeKey(nbuf[:0], ebuf[:0], key)
	for _, t := range r.terms {
		for off := 0; off+len(t.text) <= len(n); {
			i := bytes.Index(n[off:], t.text)
			if i < 0 {
				break
			}
			if !t.short || ends[off+i+len(t.text)-1] {
				return true, r.allowed(n)
			}
			off += i + 1
		}
	}
	return false, false
}

// mayMatch reports whether key has the letters of a term, which it must to hold one.
func (r *redactor) mayMatch(key string) bool {
	letters := letterSet(key)
	if letters&r.rare == 0 {
		return false
	}
	for _, t := range r.letters {
		if t&^letters == 0 {
			return true
		}
	}
	return false
}

func (r *redactor) allowed(normalized []byte) bool {
	for _, a := range r.allow {
		if string(normalized) == a {
			return true
		}
	}
	return false
}

// normalizeKey appends the letters and digits of key, lowercased, to dst and, if ends is not
// nil, whether each of them ends a word to ends. Words end before a separator, at a change
// between letters and digits, before an upper-case letter that follows a lower-case one
// ("sessionToken") and before the last capital of an acronym followed by a lower-case letter
// ("APIKey").
func normalizeKey(dst []byte, ends []bool, key string) ([]byte, []bool) {
	for i := 0; i < len(key); i++ {
		c := keyCode[key[i]]
		if c == 0 {
			continue
		}
		dst = append(dst, "abcdefghijklmnopqrstuvwxyz0123456789"[c-1])
		if ends != nil {
			ends = append(ends, wordEnds(key, i))
		}
	}
	return dst, ends
}

// wordEnds reports whether the letter or digit key[i] ends a word.
func wordEnds(key string, i int) bool {
	if i+1 >= len(key) {
		return true
	}
	c, next := key[i], key[i+1]
	switch {
	case keyCode[next] == 0:
		return true
	case isDigit(c) != isDigit(next):
		return true
	case isLower(c) && isUpper(next):
		return true
	case isUpper(c) && isUpper(next):
		return i+2 < len(key) && isLower(key[i+2])
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// appendAny appends an arbitrary Go value: it is marshaled with encoding/json (so json tags,
// MarshalJSON and TextMarshaler apply), then re-encoded token by token with sensitive keys
// redacted. A value that cannot be marshaled, or whose MarshalJSON fails or panics, is written
// as a string starting with "!ERROR:" so the record stays valid JSON.
func (r *redactor) appendAny(buf []byte, v any) []byte {
	data, err := safeMarshal(v)
	if err != nil {
		return r.appendString(buf, "!ERROR: "+err.Error())
	}
	out, err := r.appendRedactedJSON(buf, data)
	if err != nil {
		return r.appendString(buf, "!ERROR: "+err.Error())
	}
	return out
}

// safeMarshal is json.Marshal that turns a panic in a MarshalJSON method into an error.
func safeMarshal(v any) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, fmt.Errorf("marshaling %T panicked: %v", v, p)
		}
	}()
	return json.Marshal(v)
}

// appendRedactedJSON re-encodes the JSON document data, keeping key order, replacing the
// values of sensitive keys by "***" and masking secrets inside strings.
func (r *redactor) appendRedactedJSON(buf []byte, data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// One entry per open container: whether it is an object and, if so, whether a key is next.
	type frame struct{ object, expectKey bool }
	var stack []frame
	start := len(buf)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf[:start], err
		}
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			buf = append(buf, byte(d))
			stack = stack[:top]
			if top > 0 && stack[top-1].object {
				stack[top-1].expectKey = true
			}
			continue
		}
		if top >= 0 {
			if last := buf[len(buf)-1]; last != '{' && last != '[' && last != ':' {
				buf = append(buf, ',')
			}
		}
		if top >= 0 && stack[top].expectKey {
			key := tok.(string)
			buf = appendString(buf, key)
			buf = append(buf, ':')
			stack[top].expectKey = false
			if r.sensitive(key) {
				buf = append(buf, redacted...)
				if err := skipValue(dec); err != nil {
					return buf[:start], err
				}
				stack[top].expectKey = true
			}
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			buf = append(buf, byte(t))
			stack = append(stack, frame{object: t == '{', expectKey: t == '{'})
			continue
		case string:
			buf = r.appendString(buf, t)
		case json.Number:
			buf = append(buf, t...)
		case bool:
			buf = strconv.AppendBool(buf, t)
		case nil:
			buf = append(buf, "null"...)
		}
		if top >= 0 && stack[top].object {
			stack[top].expectKey = true
		}
	}
}

// skipValue consumes one complete JSON value from dec.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// redactList returns the list an option set, else the default list edited by the environment
// variable env.
func redactList(set bool, option []string, defaults func() []string, env string) []string {
	if set {
		return option
	}
	return editList(defaults(), os.Getenv(env))
}

// editList applies a comma-separated list of edits to list: an entry adds a key, an entry
// starting with '-' removes every key that normalizes as it does.
func editList(list []string, edits string) []string {
	for e := range strings.SplitSeq(edits, ",") {
		e = strings.TrimSpace(e)
		if name, ok := strings.CutPrefix(e, "-"); ok {
			n, _ := normalizeKey(nil, nil, name)
			kept := list[:0]
			for _, k := range list {
				if nk, _ := normalizeKey(nil, nil, k); !bytes.Equal(nk, n) {
					kept = append(kept, k)
				}
			}
			list = kept
		} else if e != "" {
			list = append(list, e)
		}
	}
	return list
}
