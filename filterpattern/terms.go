package filterpattern

import "strings"

// termGroup is one alternative of a term pattern: every include term and no
// exclude term must occur in the event.
type termGroup struct {
	include []string
	exclude []string
}

// parseTerms parses a pattern of terms: words and "quoted phrases", each
// optionally prefixed with ? (starts a new alternative) or - (must not
// occur).
func parseTerms(p *parser) ([]termGroup, error) {
	var groups []termGroup
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return groups, nil
		}
		start := p.pos
		alt, exclude := false, false
		switch p.peek() {
		case '?':
			alt = true
			p.pos++
			p.skipSpace()
		case '-':
			exclude = true
			p.pos++
			p.skipSpace()
		}
		term, err := p.parseTerm(start)
		if err != nil {
			return nil, err
		}
		if alt || len(groups) == 0 {
			groups = append(groups, termGroup{})
		}
		g := &groups[len(groups)-1]
		if exclude {
			g.exclude = append(g.exclude, term)
		} else {
			g.include = append(g.include, term)
		}
	}
}

// parseTerm parses one word or quoted phrase. prefixAt is where the term
// with its ? or - prefix starts.
func (p *parser) parseTerm(prefixAt int) (string, error) {
	start := p.pos
	switch c := p.peek(); {
	case c == 0:
		return "", errorf(prefixAt, "%q must be followed by a term", p.src[prefixAt])
	case c == '"':
		s, err := p.parseQuoted()
		if err != nil {
			return "", err
		}
		if s == "" {
			return "", errorf(start, `empty phrase ""; to match every event use an empty pattern`).
				withAWS(`Invalid character(s) in term '""'`)
		}
		return s, nil
	case c == '%':
		return "", errorf(start, "a regular expression %%...%% must be the whole filter pattern (or a value in a JSON or space-delimited pattern); to match a literal %% put the term in double quotes")
	case c == '?' || c == '-':
		return "", errorf(start, "%q cannot follow %q; put the term in double quotes", c, p.src[prefixAt])
	}
	for p.pos < len(p.src) && !isSpace(p.src[p.pos]) {
		p.pos++
	}
	word := p.src[start:p.pos]
	for i := 0; i < len(word); i++ {
		if !isWordByte(word[i]) {
			return "", errorf(start+i, "term %q contains %q: terms with characters other than letters, digits and _ must be in double quotes, as in %q", word, word[i], `"`+word+`"`).
				withAWS("Invalid character(s) in term '" + word + "'")
		}
	}
	return word, nil
}

// matchTerms reports whether s satisfies one of the groups.
func matchTerms(groups []termGroup, s string) bool {
	for i := range groups {
		if groups[i].match(s) {
			return true
		}
	}
	return false
}

func (g *termGroup) match(s string) bool {
	for _, t := range g.include {
		if !strings.Contains(s, t) {
			return false
		}
	}
	for _, t := range g.exclude {
		if strings.Contains(s, t) {
			return false
		}
	}
	return true
}
