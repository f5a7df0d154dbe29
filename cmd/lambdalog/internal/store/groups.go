package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Group is a log group's metadata.
type Group struct {
	Name          string `json:"-"`
	ID            uint64 `json:"id"`
	CreationTime  int64  `json:"creationTime"`
	RetentionDays int32  `json:"retentionInDays,omitempty"`
	// Class is STANDARD, INFREQUENT_ACCESS or DELIVERY; a group created
	// without one (or stored before classes were kept) is STANDARD, as on AWS.
	Class              string            `json:"class,omitempty"`
	KMSKeyID           string            `json:"kmsKeyId,omitempty"`
	DeletionProtection bool              `json:"deletionProtection,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
}

// retentionCutoff returns the oldest visible event timestamp (ms) at now,
// or MinInt64 when the group keeps events forever.
func (g *Group) retentionCutoff(nowMillis int64) int64 {
	if g.RetentionDays <= 0 {
		return -1 << 63
	}
	return nowMillis - int64(g.RetentionDays)*86_400_000
}

// CreateGroup creates log group g.Name in region. ID and CreationTime are
// assigned by the store.
func (s *Store) CreateGroup(ctx context.Context, region string, g Group) (Group, error) {
	if err := s.db.Admit(len(region) + len(g.Name) + 256); err != nil {
		return Group{}, err
	}
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	if _, err := s.Group(ctx, region, g.Name); err == nil {
		return Group{}, ErrGroupExists
	} else if !errors.Is(err, ErrGroupNotFound) {
		return Group{}, err
	}
	id, err := s.reserveIDs(1)
	if err != nil {
		return Group{}, err
	}
	g.ID, g.CreationTime = id, s.nowMillis()
	return g, s.putGroup(region, &g)
}

func (s *Store) putGroup(region string, g *Group) error {
	v, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("store: encode group %q: %w", g.Name, err)
	}
	if err := s.db.Set(groupKey(region, g.Name), v, pebble.Sync); err != nil {
		return fmt.Errorf("store: write group %q: %w", g.Name, err)
	}
	return nil
}

// Group returns the named log group, or ErrGroupNotFound.
func (s *Store) Group(_ context.Context, region, name string) (Group, error) {
	v, closer, err := s.db.Get(groupKey(region, name))
	if errors.Is(err, pebble.ErrNotFound) {
		return Group{}, ErrGroupNotFound
	}
	if err != nil {
		return Group{}, fmt.Errorf("store: read group %q: %w", name, err)
	}
	defer closer.Close()
	return decodeGroup(name, v)
}

// UpdateGroup applies fn to the named group and stores the result.
func (s *Store) UpdateGroup(ctx context.Context, region, name string, fn func(*Group) error) error {
	if err := s.db.Admit(len(region) + len(name) + 256); err != nil {
		return err
	}
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	g, err := s.Group(ctx, region, name)
	if err != nil {
		return err
	}
	if err := fn(&g); err != nil {
		return err
	}
	g.Name = name
	return s.putGroup(region, &g)
}

// DeleteGroup deletes a log group with all its streams and events.
func (s *Store) DeleteGroup(ctx context.Context, region, name string) error {
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	g, err := s.Group(ctx, region, name)
	if err != nil {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	err = s.eachStream(g.ID, "", func(st Stream) bool {
		s.deleteStreamOps(b, g.ID, st)
		return true
	})
	if err != nil {
		return err
	}
	deleteFiltersOps(b, region, name)
	_ = b.Delete(groupKey(region, name), nil)
	if err := s.db.Commit(b); err != nil {
		return fmt.Errorf("store: delete group %q: %w", name, err)
	}
	return nil
}

// ListGroups calls fn for each group of region whose name starts with
// prefix, in name order, until fn returns false.
func (s *Store) ListGroups(ctx context.Context, region, prefix string, fn func(Group) bool) error {
	p := groupPrefix(region)
	lower := append(p[:len(p):len(p)], prefix...)
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return fmt.Errorf("store: list groups: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		g, err := decodeGroup(string(it.Key()[len(p):]), it.Value())
		if err != nil {
			return err
		}
		if !fn(g) {
			break
		}
	}
	return it.Error()
}

// standardClass is the class of a group created without one.
const standardClass = "STANDARD"

// decodeGroup decodes the stored metadata v of the group name.
func decodeGroup(name string, v []byte) (Group, error) {
	g := Group{Name: name}
	if err := json.Unmarshal(v, &g); err != nil {
		return Group{}, fmt.Errorf("store: decode group %q: %w", name, err)
	}
	if g.Class == "" {
		g.Class = standardClass
	}
	return g, nil
}

// prefixEnd returns the smallest key greater than every key with prefix p,
// or nil when there is none.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
