package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

func filterNames(t *testing.T, st *store.Store, kind store.FilterKind, group, prefix string) []string {
	t.Helper()
	var got []string
	err := st.ListFilters(context.Background(), "r", kind, group, prefix, func(f store.Filter) bool {
		got = append(got, f.Group+"/"+f.Name)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestFiltersLifecycle(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []string{"a", "ab", "b"} {
		if _, err := st.CreateGroup(ctx, "r", store.Group{Name: g}); err != nil {
			t.Fatal(err)
		}
	}
	put := func(kind store.FilterKind, group, name string) {
		t.Helper()
		f, err := st.PutFilter(ctx, "r", kind, store.Filter{Group: group, Name: name, Pattern: "ERROR", Spec: []byte(`{"x":1}`)}, nil)
		if err != nil || f.CreationTime == 0 {
			t.Fatalf("PutFilter(%s/%s) = %+v, %v", group, name, f, err)
		}
	}
	put(store.MetricFilter, "ab", "m2")
	put(store.MetricFilter, "ab", "m1")
	put(store.MetricFilter, "a", "x")
	put(store.MetricFilter, "b", "m1")
	put(store.SubscriptionFilter, "a", "s1")
	put(store.MetricFilter, "a", "x") // replace, not duplicate

	if got, want := filterNames(t, st, store.MetricFilter, "", ""), []string{"a/x", "ab/m1", "ab/m2", "b/m1"}; !slices.Equal(got, want) {
		t.Errorf("all metric filters = %v, want %v", got, want)
	}
	if got, want := filterNames(t, st, store.MetricFilter, "a", ""), []string{"a/x"}; !slices.Equal(got, want) {
		t.Errorf("group a = %v, want %v (group ab must not leak in)", got, want)
	}
	if got, want := filterNames(t, st, store.MetricFilter, "", "m"), []string{"ab/m1", "ab/m2", "b/m1"}; !slices.Equal(got, want) {
		t.Errorf("prefix m = %v, want %v", got, want)
	}
	if got, want := filterNames(t, st, store.SubscriptionFilter, "", ""), []string{"a/s1"}; !slices.Equal(got, want) {
		t.Errorf("subscription filters = %v, want %v", got, want)
	}

	// check sees the other filters and can veto the write.
	veto := errors.New("quota")
	_, err = st.PutFilter(ctx, "r", store.MetricFilter, store.Filter{Group: "ab", Name: "m1"}, func(others []store.Filter) error {
		if len(others) != 1 || others[0].Name != "m2" {
			t.Errorf("check saw %+v, want only m2", others)
		}
		return veto
	})
	if !errors.Is(err, veto) {
		t.Fatalf("vetoed PutFilter = %v", err)
	}

	if err := st.DeleteFilter(ctx, "r", store.MetricFilter, "ab", "m2"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteFilter(ctx, "r", store.MetricFilter, "ab", "m2"); !errors.Is(err, store.ErrFilterNotFound) {
		t.Errorf("second delete = %v, want ErrFilterNotFound", err)
	}
	if err := st.DeleteFilter(ctx, "r", store.MetricFilter, "nope", "m2"); !errors.Is(err, store.ErrGroupNotFound) {
		t.Errorf("delete in missing group = %v, want ErrGroupNotFound", err)
	}
	if _, err := st.PutFilter(ctx, "r", store.MetricFilter, store.Filter{Group: "nope", Name: "x"}, nil); !errors.Is(err, store.ErrGroupNotFound) {
		t.Errorf("put in missing group = %v, want ErrGroupNotFound", err)
	}

	// Deleting a group deletes its filters: a re-created group has none.
	if err := st.DeleteGroup(ctx, "r", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateGroup(ctx, "r", store.Group{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if got := filterNames(t, st, store.SubscriptionFilter, "a", ""); len(got) != 0 {
		t.Errorf("filters of re-created group = %v", got)
	}

	// Definitions survive a restart.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err = store.Open(dir, store.Options{SweepInterval: -1}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got store.Filter
	err = st.ListFilters(ctx, "r", store.MetricFilter, "b", "", func(f store.Filter) bool { got = f; return true })
	if err != nil || got.Name != "m1" || got.Pattern != "ERROR" || string(got.Spec) != `{"x":1}` {
		t.Errorf("after reopen = %+v, %v", got, err)
	}
	if got := filterNames(t, st, store.MetricFilter, "", ""); !slices.Equal(got, []string{"ab/m1", "b/m1"}) {
		t.Errorf("after reopen all = %v", got)
	}
}
