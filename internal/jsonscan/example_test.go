package jsonscan_test

import (
	"fmt"

	"github.com/lambdalog/lambdalog/internal/jsonscan"
)

// Reading the fields of an object one member at a time: strings that need no decoding are
// slices of the document; the others are decoded into a reused buffer.
func ExampleScanner() {
	doc := []byte(`{"level":"ERROR","msg":"caf\u00e9 closed","ms":12.50,"tags":["a","b"]}`)
	s := jsonscan.New(doc)
	var buf []byte
	read := func() error {
		if err := s.Object(); err != nil {
			return err
		}
		for {
			key, more, err := s.Member()
			if err != nil || !more {
				return err
			}
			switch string(key.Raw) {
			case "level", "msg":
				v, err := s.Str()
				if err != nil {
					return err
				}
				text := v.Raw
				if !v.Plain {
					buf = jsonscan.AppendUnescaped(buf[:0], v.Raw)
					text = buf
				}
				fmt.Printf("%s: %s\n", key.Raw, text)
			case "ms":
				n, err := s.Number()
				if err != nil {
					return err
				}
				fmt.Printf("ms: %s\n", n)
			default:
				if err := s.Skip(); err != nil {
					return err
				}
			}
		}
	}
	if err := read(); err != nil {
		fmt.Println("error at offset", s.Pos(), err)
	}
	if err := s.End(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// level: ERROR
	// msg: café closed
	// ms: 12.50
}

// Flattening a log event into fields named by dotted paths, as Logs Insights discovers them,
// stopping after a number of fields. The Flattener is reused from one event to the next.
func ExampleScanner_Flatten() {
	var f jsonscan.Flattener
	for _, event := range []string{
		`{"level":"INFO","req":{"path":"/pay","ms":12.5},"items":[{"sku":"A-1"},{"sku":"B-7"}],"user":null}`,
		`{"level":"WARN","extra":[1, 2, 3]}`,
		`{"level":"WARN",}`,
	} {
		s := jsonscan.New(event)
		fields := 0
		err := s.Flatten(&f, func(l jsonscan.Leaf) bool {
			fmt.Printf("%s = %s (%s)\n", l.Path, l.Value, l.Kind)
			fields++
			return fields < 4 // Logs Insights keeps 200
		})
		if err == nil {
			err = s.End()
		}
		fmt.Println("--", err)
	}
	// Output:
	// level = INFO (string)
	// req.path = /pay (string)
	// req.ms = 12.5 (number)
	// items.0.sku = A-1 (string)
	// -- <nil>
	// level = WARN (string)
	// extra.0 = 1 (number)
	// extra.1 = 2 (number)
	// extra.2 = 3 (number)
	// -- <nil>
	// level = WARN (string)
	// -- expected an object key
}
