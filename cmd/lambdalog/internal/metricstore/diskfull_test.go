package metricstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tmpfs"
)

// TestDiskFullRefusesPutsUntilSpaceReturns fills a 48 MiB tmpfs with data
// points until the floor refuses a Put with ErrDiskFull before the disk is
// full, checks that statistics still answer, and that Puts resume by
// themselves once a file is removed.
func TestDiskFullRefusesPutsUntilSpaceReturns(t *testing.T) {
	ctx := context.Background()
	dir := tmpfs.Mount(t, 48<<20)
	const floor = 16 << 20
	filler := filepath.Join(dir, "filler")
	must(t, os.WriteFile(filler, make([]byte, 8<<20), 0o600))
	s, err := Open(filepath.Join(dir, "metrics"), Options{MinFreeBytes: floor})
	must(t, err)
	defer s.Close()
	// put stores 2,000 points of 64 values each, on its own goroutine so
	// that a hang fails the test instead of freezing it.
	put := func(b int) error {
		points := make([]Point, 2000)
		for i := range points {
			vals := make([]float64, 64)
			for j := range vals {
				vals[j] = float64(b*1e6 + i*64 + j)
			}
			points[i] = point("Fill", fmt.Sprintf("m%d", i%10), t0.Add(time.Duration(b)*time.Second), nil, vals...)
		}
		done := make(chan error, 1)
		go func() { done <- s.Put(ctx, points) }()
		select {
		case err := <-done:
			return err
		case <-time.After(time.Minute):
			t.Fatalf("Put of batch %d hangs", b)
			return nil
		}
	}
	b := 0
	for ; ; b++ {
		err := put(b)
		if errors.Is(err, ErrDiskFull) {
			t.Logf("refused after %d Puts: %v", b, err)
			break
		}
		must(t, err)
		if b > 1000 {
			t.Fatal("no refusal")
		}
	}
	var st syscall.Statfs_t
	must(t, syscall.Statfs(dir, &st))
	if free := int64(st.Bavail) * st.Bsize; b < 5 || free < floor/2 {
		t.Fatalf("refused after %d Puts with %d bytes available", b, free)
	}
	got, err := s.Statistics(ctx, Query{Series: Series{Namespace: "Fill", Name: "m0"}, Start: t0, End: t0.Add(time.Hour), Period: time.Hour})
	must(t, err)
	if len(got) != 1 || got[0].SampleCount != float64(b*200*64) {
		t.Fatalf("statistics below the floor: %+v, want %d samples", got, b*200*64)
	}
	must(t, os.Remove(filler))
	must(t, put(b))
}
