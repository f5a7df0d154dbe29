package logger

import (
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
)

// locationSlots is the size of a locationCache; a power of two.
const locationSlots = 1024

// locationCache maps program counters to pre-escaped "dir/file.go:line" strings, so that
// runtime.CallersFrames runs once per call site rather than once per record. It is a
// direct-mapped, lock-free table: a collision only costs a recomputation.
type locationCache struct {
	slots [locationSlots]atomic.Pointer[location]
}

type location struct {
	pc  uintptr
	str string
}

// lookup returns the JSON-escaped location of pc.
func (c *locationCache) lookup(pc uintptr) string {
	slot := &c.slots[(uint64(pc)*0x9E3779B97F4A7C15)>>54&(locationSlots-1)]
	if l := slot.Load(); l != nil && l.pc == pc {
		return l.str
	}
	frame, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	str := string(appendEscaped(nil, shortFile(frame.File)+":"+strconv.Itoa(frame.Line)))
	slot.Store(&location{pc: pc, str: str})
	return str
}

// shortFile keeps the last directory and the file name: "hello/main.go".
func shortFile(file string) string {
	i := strings.LastIndexByte(file, '/')
	if i < 0 {
		return file
	}
	if j := strings.LastIndexByte(file[:i], '/'); j >= 0 {
		return file[j+1:]
	}
	return file
}
