package store_test

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/wal"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// walBatches is how many batches the WAL-damage test's child acknowledges.
const walBatches = 200

// crashAfterWrites runs a child that acknowledges walBatches batches of 10
// events in dir and kills it with SIGKILL once it has: the store's
// memtables are not flushed, so the newest write-ahead log holds the last
// batches, as after a crash.
func crashAfterWrites(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$")
	cmd.Env = append(os.Environ(), childModeEnv+"=write", childDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	acked := 0
	for sc.Scan() && sc.Text() != "DONE" {
		if !strings.HasPrefix(sc.Text(), "ACK ") {
			cmd.Process.Kill()
			t.Fatalf("child: %s", sc.Text())
		}
		acked++
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if acked != walBatches {
		t.Fatalf("the child acknowledged %d batches, want %d", acked, walBatches)
	}
}

// walRecords returns the newest write-ahead log of dir and the offsets at
// which its records start, read with Pebble's own reader.
func walRecords(t *testing.T, dir string) (string, []int64) {
	t.Helper()
	logs, err := wal.Scan(wal.Dir{FS: vfs.Default, Dirname: dir})
	if err != nil || len(logs) == 0 {
		t.Fatalf("no write-ahead log in %s: %v", dir, err)
	}
	_, path := logs[len(logs)-1].SegmentLocation(0)
	r := logs[len(logs)-1].OpenForRead()
	defer r.Close()
	var offsets []int64
	for {
		rec, off, err := r.NextRecord()
		if errors.Is(err, io.EOF) {
			return path, offsets
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		io.Copy(io.Discard, rec)
		offsets = append(offsets, off.Physical)
	}
}

// copyDir copies the regular files of src into a new directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestDamagedWALTailIsReported damages the newest write-ahead log of a
// crashed store in the two ways a tester did, cutting it inside a batch
// and zeroing 4 KiB inside a batch, and checks that the start that drops
// data says so at WARN with the figures the log allows (the batch cut or
// damaged, and every intact batch after it), and that every event still
// there is intact, in whole batches.
func TestDamagedWALTailIsReported(t *testing.T) {
	crashed := t.TempDir()
	crashAfterWrites(t, crashed)
	_, offsets := walRecords(t, crashed)
	if len(offsets) < 20 {
		t.Fatalf("the newest log holds only %d records", len(offsets))
	}
	k := len(offsets) / 2 // the damaged record, among the event batches
	for _, tc := range []struct {
		name    string
		damage  func(f *os.File, start, end int64) error
		damaged bool
		dropped int
	}{
		{"truncated", func(f *os.File, start, end int64) error {
			return f.Truncate((start + end) / 2)
		}, false, 1},
		{"zeroed", func(f *os.File, start, end int64) error {
			_, err := f.WriteAt(make([]byte, 4096), start+100)
			return err
		}, true, len(offsets) - k},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, crashed)
			path, offs := walRecords(t, dir)
			end := offs[k+1]
			if tc.name == "zeroed" && end-offs[k] < 4096+200 {
				t.Fatalf("record %d is %d bytes, too short to zero 4 KiB inside it", k, end-offs[k])
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := errors.Join(tc.damage(f, offs[k], end), f.Close()); err != nil {
				t.Fatal(err)
			}
			var logs testserver.Buffer
			st, err := store.Open(dir, store.Options{SweepInterval: -1, Logger: textLogger(&logs)})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			r := st.Recovery()
			if r == nil {
				t.Fatalf("no recovery report; log:\n%s", logs.String())
			}
			t.Logf("%v", r)
			if r.File != path || r.Replayed != k || r.ReplayedBytes != offs[k] || r.DroppedBatches != tc.dropped || r.Damaged != tc.damaged || r.DroppedBytes <= 0 {
				t.Fatalf("report %+v, want file %s, %d batches replayed to byte %d, %d dropped, damaged %t",
					*r, path, k, offs[k], tc.dropped, tc.damaged)
			}
			if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, r.String()) {
				t.Fatalf("the report is not logged at WARN:\n%s", l)
			}
			n := countEvents(t, st, "g", "s")
			if n%10 != 0 || n >= walBatches*10 {
				t.Fatalf("%d events: want whole batches of 10, fewer than the %d acknowledged", n, walBatches*10)
			}
			if tc.damaged {
				// Every batch after the damage is reported, as the test
				// knows: the batches lost are the dropped records.
				if lost := walBatches - n/10; lost != tc.dropped {
					t.Fatalf("%d batches lost, %d reported", lost, tc.dropped)
				}
			}
		})
	}
}
