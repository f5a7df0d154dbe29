package jsonscan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
)

// flat is one leaf as text, for comparing.
func flat(path []byte, kind Kind, value []byte) string {
	return fmt.Sprintf("%s %s %q", path, kind, value)
}

// flattenAll flattens the document doc with f, the whole of it, and returns its leaves.
func flattenAll[T string | []byte](f *Flattener, doc T, limit int) ([]string, error) {
	var leaves []string
	s := New(doc)
	err := s.Flatten(f, func(l Leaf) bool {
		leaves = append(leaves, flat(l.Path, l.Kind, l.Value))
		return len(leaves) < limit
	})
	if err == nil {
		err = s.End()
	}
	return leaves, err
}

// referenceLeaves flattens a valid document from encoding/json's token stream.
func referenceLeaves(doc []byte) []string {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	type level struct {
		path     string
		isObject bool
		n        int  // members or elements seen
		key      bool // object: the next token is a key
	}
	var stack []level
	var leaves []string
	var prev json.Token
	childPath := func(name string) string {
		if len(stack) == 1 {
			return name
		}
		return stack[len(stack)-1].path + "." + name
	}
	var pendingPath string // the path of the value the next token starts
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return leaves
		}
		if err != nil {
			panic(err)
		}
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			if tok == json.Delim('}') || tok == json.Delim(']') {
				if prev == json.Delim('{') || prev == json.Delim('[') {
					kind, text := Object, "{}"
					if tok == json.Delim(']') {
						kind, text = Array, "[]"
					}
					leaves = append(leaves, flat([]byte(top.path), kind, []byte(text)))
				}
				stack = stack[:n-1]
				prev = tok
				continue
			}
			switch {
			case top.isObject && top.key:
				pendingPath = childPath(tok.(string))
				top.key = false
				prev = tok
				continue
			case top.isObject:
				top.key = true
			default:
				pendingPath = childPath(strconv.Itoa(top.n))
				top.n++
			}
		}
		prev = tok
		switch v := tok.(type) {
		case json.Delim:
			stack = append(stack, level{path: pendingPath, isObject: v == '{', key: v == '{'})
			continue
		case string:
			leaves = append(leaves, flat([]byte(pendingPath), String, []byte(v)))
		case json.Number:
			leaves = append(leaves, flat([]byte(pendingPath), Number, []byte(v)))
		case bool:
			k := False
			if v {
				k = True
			}
			leaves = append(leaves, flat([]byte(pendingPath), k, []byte(strconv.FormatBool(v))))
		case nil:
			leaves = append(leaves, flat([]byte(pendingPath), Null, []byte("null")))
		}
	}
}

func TestFlatten(t *testing.T) {
	doc := `{"level":"INFO","req":{"path":"/a\u00e9","ms":12.50,"ok":true},"items":[{"sku":"x-1","qty":2},[null,false]],` +
		`"empty":{},"none":[],"a.b":{"":1},"esc\"key":"v"}`
	want := []string{
		`level string "INFO"`,
		`req.path string "/aé"`,
		`req.ms number "12.50"`,
		`req.ok true "true"`,
		`items.0.sku string "x-1"`,
		`items.0.qty number "2"`,
		`items.1.0 null "null"`,
		`items.1.1 false "false"`,
		`empty object "{}"`,
		`none array "[]"`,
		`a.b. number "1"`,
		`esc"key string "v"`,
	}
	var f Flattener
	for _, limit := range []int{len(want) + 1, 3} {
		got, err := flattenAll(&f, doc, limit)
		w := want[:min(limit, len(want))]
		if err != nil || strings.Join(got, "\n") != strings.Join(w, "\n") {
			t.Fatalf("limit %d: Flatten error %v, leaves\n%s\nwant\n%s", limit, err, strings.Join(got, "\n"), strings.Join(w, "\n"))
		}
	}
	for _, c := range []struct{ doc, want string }{
		{`"top"`, ` string "top"`},
		{`[]`, ` array "[]"`},
		{`-1e3`, ` number "-1e3"`},
	} {
		got, err := flattenAll(&f, []byte(c.doc), 10)
		if err != nil || len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: %q %v, want %q", c.doc, got, err, c.want)
		}
	}
	// A visit that stops early still gets an error for a malformed rest.
	if _, err := flattenAll(&f, `{"a":1,"b":[1,}`, 1); err == nil {
		t.Error("Flatten stopped after one leaf accepted a malformed document")
	}
}

func FuzzFlatten(f *testing.F) {
	for _, doc := range documents {
		f.Add([]byte(doc), 3)
	}
	f.Add([]byte(`{"a":{"b":[1,{"c":"\u00e9"}],"":{}},"d":[[],[{}]]}`), 2)
	var fl Flattener
	f.Fuzz(func(t *testing.T, doc []byte, limit int) {
		limit = 1 + int(uint(limit)%8)
		all, err := flattenAll(&fl, doc, 1<<30)
		some, errSome := flattenAll(&fl, string(doc), limit)
		valid := json.Valid(doc)
		if (err == nil) != valid || (errSome == nil) != valid {
			t.Fatalf("%q: Flatten errors %v, %v (limit %d); json.Valid %v", doc, err, errSome, limit, valid)
		}
		if !valid {
			return
		}
		want := referenceLeaves(doc)
		if strings.Join(all, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%q: leaves\n%s\nwant\n%s", doc, strings.Join(all, "\n"), strings.Join(want, "\n"))
		}
		if n := min(limit, len(want)); strings.Join(some, "\n") != strings.Join(want[:n], "\n") {
			t.Fatalf("%q limit %d: leaves\n%s\nwant\n%s", doc, limit, strings.Join(some, "\n"), strings.Join(want[:n], "\n"))
		}
	})
}
