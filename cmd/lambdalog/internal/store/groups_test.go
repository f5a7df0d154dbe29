package store_test

import (
	"context"
	"testing"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// TestGroupClassDefaultsToStandard: a group created without a class (as
// dev creates functions' groups) is STANDARD, as on AWS; a given class is
// kept.
func TestGroupClassDefaultsToStandard(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(t.TempDir(), store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, g := range []store.Group{{Name: "/aws/lambda/fn"}, {Name: "/ia", Class: "INFREQUENT_ACCESS"}} {
		if _, err := st.CreateGroup(ctx, "us-east-1", g); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"/aws/lambda/fn": "STANDARD", "/ia": "INFREQUENT_ACCESS"}
	for name, class := range want {
		g, err := st.Group(ctx, "us-east-1", name)
		if err != nil || g.Class != class {
			t.Errorf("Group(%s): class %q, %v; want %s", name, g.Class, err, class)
		}
	}
	n := 0
	err = st.ListGroups(ctx, "us-east-1", "", func(g store.Group) bool {
		n++
		if g.Class != want[g.Name] {
			t.Errorf("ListGroups: %s has class %q, want %s", g.Name, g.Class, want[g.Name])
		}
		return true
	})
	if err != nil || n != 2 {
		t.Errorf("ListGroups: %d groups, %v", n, err)
	}
}
