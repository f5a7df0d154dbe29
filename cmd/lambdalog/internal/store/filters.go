package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// Filter definitions (metric filters and subscription filters) live under
// their own key prefix, keyed by kind, region, group name and filter name:
//
//	f <kind> <region> 0x00 <group name> 0x00 <filter name> -> JSON Filter
//
// Group names cannot contain 0x00, so one kind's filters of a region sort by
// (group name, filter name) and one group's filters are one key range, which
// DeleteGroup removes in the same batch as the group.

const prefixFilter = 'f'

// FilterKind says which API a filter definition belongs to.
type FilterKind byte

// The kinds of filter definitions.
const (
	MetricFilter       FilterKind = 'm'
	SubscriptionFilter FilterKind = 's'
)

// ErrFilterNotFound is returned for a filter name the group does not have.
var ErrFilterNotFound = errors.New("filter does not exist")

// Filter is a stored metric or subscription filter definition.
type Filter struct {
	Group        string `json:"-"`
	Name         string `json:"-"`
	Pattern      string `json:"pattern"`
	CreationTime int64  `json:"creationTime"`
	// RegexCount is how many %regex% the pattern holds, for per-group quotas.
	RegexCount int `json:"regexCount,omitempty"`
	// Spec is the kind-specific definition (metric transformations, or the
	// subscription's destination), encoded by the API layer; the store
	// keeps it as is.
	Spec json.RawMessage `json:"spec,omitempty"`
}

func filterGroupPrefix(kind FilterKind, region, group string) []byte {
	k := make([]byte, 0, 4+len(region)+len(group))
	k = append(k, prefixFilter, byte(kind))
	k = append(k, region...)
	k = append(k, 0)
	if group == "" {
		return k
	}
	k = append(k, group...)
	return append(k, 0)
}

func filterKey(kind FilterKind, region, group, name string) []byte {
	return append(filterGroupPrefix(kind, region, group), name...)
}

// deleteFiltersOps adds to b the deletion of every filter of the group.
func deleteFiltersOps(b *pebble.Batch, region, group string) {
	for _, kind := range []FilterKind{MetricFilter, SubscriptionFilter} {
		p := filterGroupPrefix(kind, region, group)
		_ = b.DeleteRange(p, prefixEnd(p), nil)
	}
}

// PutFilter creates or replaces the filter f.Name of kind in log group
// f.Group and sets its CreationTime. check, when not nil, is called with
// the group's other filters of that kind (all but one named f.Name) while
// metadata changes are locked out, so a quota it enforces cannot be raced
// past; an error from check is returned unchanged and nothing is written.
// It returns ErrGroupNotFound when the group does not exist.
func (s *Store) PutFilter(ctx context.Context, region string, kind FilterKind, f Filter, check func(others []Filter) error) (Filter, error) {
	if err := s.db.Admit(len(region) + len(f.Group) + len(f.Name) + len(f.Pattern) + len(f.Spec) + 64); err != nil {
		return Filter{}, err
	}
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	if _, err := s.Group(ctx, region, f.Group); err != nil {
		return Filter{}, err
	}
	if check != nil {
		var others []Filter
		err := s.ListFilters(ctx, region, kind, f.Group, "", func(o Filter) bool {
			if o.Name != f.Name {
				others = append(others, o)
			}
			return true
		})
		if err != nil {
			return Filter{}, err
		}
		if err := check(others); err != nil {
			return Filter{}, err
		}
	}
	f.CreationTime = s.nowMillis()
	v, err := json.Marshal(&f)
	if err != nil {
		return Filter{}, fmt.Errorf("store: encode filter %q: %w", f.Name, err)
	}
	if err := s.db.Set(filterKey(kind, region, f.Group, f.Name), v, pebble.Sync); err != nil {
		return Filter{}, fmt.Errorf("store: write filter %q: %w", f.Name, err)
	}
	s.filterGen.Add(1)
	return f, nil
}

// DeleteFilter deletes the named filter of kind from a log group. It
// returns ErrGroupNotFound or ErrFilterNotFound when there is no such group
// or filter.
func (s *Store) DeleteFilter(ctx context.Context, region string, kind FilterKind, group, name string) error {
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	if _, err := s.Group(ctx, region, group); err != nil {
		return err
	}
	k := filterKey(kind, region, group, name)
	_, closer, err := s.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return ErrFilterNotFound
	}
	if err != nil {
		return fmt.Errorf("store: read filter %q: %w", name, err)
	}
	closer.Close()
	if err := s.db.Delete(k, pebble.Sync); err != nil {
		return fmt.Errorf("store: delete filter %q: %w", name, err)
	}
	s.filterGen.Add(1)
	return nil
}

// FilterGeneration counts the changes PutFilter and DeleteFilter have made
// since Open, so that a cache of filter definitions can tell it is stale:
// read the generation, then the filters, and the cached filters are current
// for as long as the generation stays the same. DeleteGroup does not count:
// the filters of a deleted group go with its ID (Group.ID), which a group
// created later under the same name does not have.
func (s *Store) FilterGeneration() uint64 { return s.filterGen.Load() }

// ListFilters calls fn for each filter of kind in region whose name starts
// with prefix, in (group name, filter name) order, until fn returns false.
// An empty group lists the filters of every group of the region; a named
// group that does not exist is ErrGroupNotFound.
func (s *Store) ListFilters(ctx context.Context, region string, kind FilterKind, group, prefix string, fn func(Filter) bool) error {
	if group != "" {
		if _, err := s.Group(ctx, region, group); err != nil {
			return err
		}
	}
	lower := filterGroupPrefix(kind, region, group)
	if group != "" {
		lower = append(lower, prefix...) // else names are tested one by one
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return fmt.Errorf("store: list filters: %w", err)
	}
	defer it.Close()
	regionLen := len(filterGroupPrefix(kind, region, ""))
	for it.First(); it.Valid(); it.Next() {
		rest := it.Key()[regionLen:]
		var f Filter
		for i, c := range rest {
			if c == 0 {
				f.Group, f.Name = string(rest[:i]), string(rest[i+1:])
				break
			}
		}
		if err := json.Unmarshal(it.Value(), &f); err != nil {
			return fmt.Errorf("store: decode filter %q: %w", f.Name, err)
		}
		if !strings.HasPrefix(f.Name, prefix) {
			continue
		}
		if !fn(f) {
			break
		}
	}
	return it.Error()
}
