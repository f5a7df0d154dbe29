package xrayfilter

import (
	"fmt"
	"strconv"
	"strings"
)

// tokenKind is the kind of a lexical token.
type tokenKind uint8

const (
	tEOF tokenKind = iota
	tIdent
	tString
	tNumber
	tOp     // = != < <= > >=
	tBang   // !
	tLParen // (
	tRParen // )
	tLBrace // {
	tRBrace // }
	tComma  // ,
	tDot    // .
	tColon  // :
)

type token struct {
	kind tokenKind
	text string  // the identifier, operator or decoded string
	num  float64 // for tNumber
	pos  int     // byte offset in the expression
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "the end of the expression"
	case tString:
		return strconv.Quote(t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// lex splits an expression into tokens.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tIdent, text: s[i:j], pos: i})
			i = j
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, &Error{Pos: i, Msg: "string not closed with \""}
			}
			toks = append(toks, token{kind: tString, text: b.String(), pos: i})
			i = j + 1
		case c == '-' || '0' <= c && c <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				(s[j] == '-' || s[j] == '+') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			f, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil {
				return nil, &Error{Pos: i, Msg: fmt.Sprintf("%q is not a number", s[i:j])}
			}
			toks = append(toks, token{kind: tNumber, text: s[i:j], num: f, pos: i})
			i = j
		case c == '=' || c == '<' || c == '>':
			j := i + 1
			if c != '=' && j < len(s) && s[j] == '=' {
				j++
			}
			toks = append(toks, token{kind: tOp, text: s[i:j], pos: i})
			i = j
		case c == '!':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{kind: tOp, text: "!=", pos: i})
				i += 2
			} else {
				toks = append(toks, token{kind: tBang, text: "!", pos: i})
				i++
			}
		default:
			k, ok := punct[c]
			if !ok {
				return nil, &Error{Pos: i, Msg: fmt.Sprintf("unexpected character %q", rune(c))}
			}
			toks = append(toks, token{kind: k, text: string(c), pos: i})
			i++
		}
	}
	return append(toks, token{kind: tEOF, pos: len(s)}), nil
}

var punct = map[byte]tokenKind{'(': tLParen, ')': tRParen, '{': tLBrace, '}': tRBrace, ',': tComma, '.': tDot, ':': tColon}

func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || '0' <= c && c <= '9' }
