package lambdaemu

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// treeMemory returns the summed VmRSS and VmHWM (peak RSS), in bytes, of
// the process pid and all its descendants, read from /proc.
func treeMemory(pid int) (rss, hwm int64) {
	walkTree(pid, func(p int) bool {
		r, h := procMemory(p)
		rss += r
		hwm += h
		return true
	})
	return rss, hwm
}

// walkTree calls visit for the process pid, then for each of its
// descendants (at most 1024 processes, read from /proc), until visit
// returns false.
func walkTree(pid int, visit func(pid int) bool) {
	seen := map[int]bool{}
	var walk func(int) bool
	walk = func(p int) bool {
		if seen[p] || len(seen) > 1024 {
			return true
		}
		seen[p] = true
		if !visit(p) {
			return false
		}
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(p) + "/task/*/children")
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for f := range strings.FieldsSeq(string(b)) {
				if c, err := strconv.Atoi(f); err == nil && !walk(c) {
					return false
				}
			}
		}
		return true
	}
	walk(pid)
}

// procMemory reads VmRSS and VmHWM of one process.
func procMemory(pid int) (rss, hwm int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		switch {
		case bytes.HasPrefix(line, []byte("VmRSS:")):
			rss = kbField(line)
		case bytes.HasPrefix(line, []byte("VmHWM:")):
			hwm = kbField(line)
		}
	}
	return rss, hwm
}

func kbField(line []byte) int64 {
	f := strings.Fields(string(line))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(f[1], 10, 64)
	return n * 1024
}

// toMB rounds bytes up to whole megabytes (MiB), as REPORT shows them.
func toMB(b int64) int { return int((b + 1<<20 - 1) >> 20) }
