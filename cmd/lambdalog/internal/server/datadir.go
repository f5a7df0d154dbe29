package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// storeDirs are the data directory's subdirectories, one per store.
var storeDirs = []string{"logs", "metrics", "traces"}

// prepareDataDir creates dir and moves a directory of the earlier layout,
// the log store's Pebble files at the top, into logs/.
func prepareDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read data directory: %w", err)
	}
	var old []string
	pebble := false
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() && slices.Contains(storeDirs, name) {
			continue
		}
		old = append(old, name)
		pebble = pebble || name == "LOCK" || strings.HasPrefix(name, "MANIFEST-") || strings.HasPrefix(name, "marker.manifest.")
	}
	if !pebble {
		return nil
	}
	// Take the log store's lock as Pebble does, so that a store open in this
	// or another process is not moved from under it.
	lock, err := vfs.Default.Lock(filepath.Join(dir, "LOCK"))
	if err != nil {
		return fmt.Errorf("data directory %s is in use by another lambdalog (%v); stop it, or pass --data DIR or --memory", dir, err)
	}
	defer lock.Close()
	logs := filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("move the log store into %s: %w", logs, err)
	}
	for _, name := range old {
		if err := os.Rename(filepath.Join(dir, name), filepath.Join(logs, name)); err != nil {
			return fmt.Errorf("move the log store into %s: %w (move the files other than metrics/ there by hand)", logs, err)
		}
	}
	return nil
}
