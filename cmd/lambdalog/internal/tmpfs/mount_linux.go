package tmpfs

import (
	"fmt"
	"syscall"
)

func mount(dir string, size int64) error {
	return syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size))
}

func resize(dir string, size int64) error {
	return syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, fmt.Sprintf("size=%d", size))
}

// unmount detaches the file system even while a failed store, whose files
// stay open until the process exits, still uses it.
func unmount(dir string) error { return syscall.Unmount(dir, syscall.MNT_DETACH) }
