//go:build !linux

package tmpfs

import "errors"

var errUnsupported = errors.New("tmpfs mounts are only supported on Linux")

func mount(string, int64) error  { return errUnsupported }
func resize(string, int64) error { return errUnsupported }
func unmount(string) error       { return errUnsupported }
