// Package tmpfs mounts small tmpfs file systems for tests that need a disk
// that fills up: the disk-full tests of the log and metric stores.
package tmpfs

import (
	"os"
	"testing"
)

// Mount mounts a tmpfs of size bytes on a new directory under t.TempDir and
// returns it; it is unmounted when the test ends. Where mounting is not
// permitted (not root, not Linux) the test is skipped with a message, except
// when CI=true, where it fails: CI runs as root and must run these tests.
func Mount(t testing.TB, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if err := mount(dir, size); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount a %d-byte tmpfs on %s: %v (CI must run the disk-full tests as root)", size, dir, err)
		}
		t.Skipf("skipped: cannot mount a tmpfs (%v); run as root on Linux to test a full disk", err)
	}
	t.Cleanup(func() {
		if err := unmount(dir); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// Resize changes the size of the tmpfs mounted on dir, keeping its files.
func Resize(t testing.TB, dir string, size int64) {
	t.Helper()
	if err := resize(dir, size); err != nil {
		t.Fatalf("resize the tmpfs on %s to %d bytes: %v", dir, size, err)
	}
}
