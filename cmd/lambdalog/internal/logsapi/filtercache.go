package logsapi

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// filterCache holds one kind of filter of each log group, compiled for use
// on the events the group takes in. It keys a group's filters by the
// group's ID and drops every group's when store.FilterGeneration says a
// filter was put or deleted, so that a group without filters of the kind
// costs one map lookup per batch of events. It is safe for concurrent use.
type filterCache[T any] struct {
	store   *store.Store
	kind    store.FilterKind
	what    string // the kind's name in errors: "metric", "subscription"
	compile func(store.Filter) (T, error)

	mu     sync.RWMutex
	gen    uint64         // the store's filter generation the cache holds
	groups map[uint64][]T // group ID -> its filters (nil: none)
}

func newFilterCache[T any](st *store.Store, kind store.FilterKind, what string, compile func(store.Filter) (T, error)) *filterCache[T] {
	return &filterCache[T]{store: st, kind: kind, what: what, compile: compile, groups: map[uint64][]T{}}
}

// get returns the compiled filters of a group, from the cache when it is
// current. A filter that does not compile makes it an error, and the
// group's filters are read again on the next call.
func (c *filterCache[T]) get(ctx context.Context, region string, g store.Group) ([]T, error) {
	gen := c.store.FilterGeneration() // before reading the filters: see FilterGeneration
	c.mu.RLock()
	fs, ok := c.groups[g.ID]
	ok = ok && c.gen == gen
	c.mu.RUnlock()
	if ok {
		return fs, nil
	}
	fs, err := c.load(ctx, region, g.Name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if gen > c.gen {
		c.gen = gen
		clear(c.groups)
	}
	if gen == c.gen {
		c.groups[g.ID] = fs
	}
	c.mu.Unlock()
	return fs, nil
}

// load reads and compiles a group's filters.
func (c *filterCache[T]) load(ctx context.Context, region, group string) ([]T, error) {
	var fs []T
	var errs []error
	err := c.store.ListFilters(ctx, region, c.kind, group, "", func(sf store.Filter) bool {
		f, err := c.compile(sf)
		if err != nil {
			errs = append(errs, err)
		} else {
			fs = append(fs, f)
		}
		return true
	})
	if errors.Is(err, store.ErrGroupNotFound) { // deleted since the events were put
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the %s filters of %s: %w", c.what, group, err)
	}
	return fs, errors.Join(errs...)
}
