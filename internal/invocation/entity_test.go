package invocation

import (
	"context"
	"testing"
)

type entityID string

func (e entityID) AppendEntityID(b []byte) []byte { return append(b, e...) }

func TestEntityInnermostWins(t *testing.T) {
	if EntityFromContext(context.Background()) != nil || EntityFromContext(nil) != nil { //nolint:staticcheck // nil is what a logger may pass
		t.Fatal("entity on an empty context")
	}
	type key struct{}
	outer := WithEntity(context.WithValue(context.Background(), key{}, "v"), entityID("aaaaaaaaaaaaaaaa"))
	inner := WithEntity(outer, entityID("bbbbbbbbbbbbbbbb"))
	if inner.Value(key{}) != "v" {
		t.Error("the parent's values are lost")
	}
	for ctx, want := range map[context.Context]string{outer: "aaaaaaaaaaaaaaaa", inner: "bbbbbbbbbbbbbbbb"} {
		if got := string(EntityFromContext(ctx).AppendEntityID(nil)); got != want {
			t.Errorf("entity %q, want %q", got, want)
		}
	}
}
