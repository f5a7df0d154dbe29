package logsapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// firstWins decodes the JSON value at the decoder's position as
// appendJSON reads documents: objects keep the first of duplicate keys.
func firstWins(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return nil, err
			}
			v, err := firstWins(d)
			if err != nil {
				return nil, err
			}
			if _, dup := m[k.(string)]; !dup {
				m[k.(string)] = v
			}
		}
		_, err = d.Token()
		return m, err
	case json.Delim('['):
		var l []any
		for d.More() {
			v, err := firstWins(d)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err = d.Token()
		return l, err
	}
	return tok, nil
}

// FuzzLookupJSON checks appendJSON against encoding/json on valid documents
// and that no input or selector makes it panic.
func FuzzLookupJSON(f *testing.F) {
	f.Add(`{"a":{"b":[1,{"c":"x"}]}}`, "$.a.b[1].c")
	f.Add(`{"latency_ms":12.5,"req":{"route":"/a"}}`, "$.latency_ms")
	f.Add(`{"k\u0065y":true,"key":false}`, "$.key")
	f.Add(`{"a":[0,7]}`, "$.a[1]")
	f.Add(`{"a":"\ud800"}`, "$.a")
	f.Add(`{"a":1,"a":2}`, "$.a")
	f.Fuzz(func(t *testing.T, doc, ref string) {
		path, ok := parseSelector(ref)
		if !ok {
			return
		}
		b, found := appendJSON(nil, []byte(doc), path)
		got := string(b)
		if !json.Valid([]byte(doc)) {
			return
		}
		d := json.NewDecoder(bytes.NewReader([]byte(doc)))
		d.UseNumber()
		v, err := firstWins(d)
		if err != nil {
			t.Fatalf("decode %q: %v", doc, err)
		}
		for _, st := range path {
			if st.isIdx {
				l, _ := v.([]any)
				if st.index >= len(l) {
					v = nil
					break
				}
				v = l[st.index]
			} else {
				m, _ := v.(map[string]any)
				v = m[st.key]
			}
		}
		var want string
		switch w := v.(type) {
		case string:
			want = w
		case json.Number:
			want = string(w)
		case bool:
			want = strconv.FormatBool(w)
		default:
			if found {
				t.Fatalf("appendJSON(%q, %q) = %q, want not found (%#v)", doc, ref, got, v)
			}
			return
		}
		if !found || got != want {
			t.Fatalf("appendJSON(%q, %q) = %q, %v, want %q", doc, ref, got, found, want)
		}
	})
}
