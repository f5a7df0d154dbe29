package pebbledb

import (
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// TestPanicInWriteIsFatal commits a batch of another database, which
// Pebble's commit path answers with a panic, and checks that the panic
// becomes the database's fatal error: the write fails with ErrFailed,
// OnFatal gets it once, and every later call fails fast with it.
func TestPanicInWriteIsFatal(t *testing.T) {
	fatal := make(chan error, 2)
	d, err := Open("", &pebble.Options{}, Options{Name: "test", InMemory: true, OnFatal: func(err error) { fatal <- err }})
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open("", &pebble.Options{}, Options{Name: "other", InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	b := other.NewBatch()
	if err := b.Set([]byte("k"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	err = d.Commit(b)
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("commit that panics: %v, want ErrFailed", err)
	}
	if got := <-fatal; got != err {
		t.Fatalf("OnFatal got %v, want %v", got, err)
	}
	for name, call := range map[string]func() error{
		"Admit":  func() error { return d.Admit(1) },
		"Set":    func() error { return d.Set([]byte("k"), nil, pebble.Sync) },
		"Delete": func() error { return d.Delete([]byte("k"), pebble.Sync) },
		"Get":    func() error { _, _, err := d.Get([]byte("k")); return err },
		"Iter":   func() error { _, err := d.NewIter(nil); return err },
		"Close":  d.Close,
	} {
		if err := call(); !errors.Is(err, ErrFailed) {
			t.Errorf("%s after the fatal error: %v, want ErrFailed", name, err)
		}
	}
	if len(fatal) != 0 {
		t.Fatal("OnFatal was called twice")
	}
}
