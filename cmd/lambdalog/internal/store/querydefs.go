package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// Logs Insights query definitions (saved queries) live under their own key
// prefix, keyed by region and id:
//
//	q <region> 0x00 <id> -> JSON QueryDefinition

const prefixQueryDef = 'q'

// ErrQueryDefinitionNotFound is returned for an id no query definition has.
var ErrQueryDefinitionNotFound = errors.New("query definition does not exist")

// QueryDefinition is a saved Logs Insights query.
type QueryDefinition struct {
	ID            string          `json:"-"`
	Name          string          `json:"name"`
	QueryString   string          `json:"queryString"`
	QueryLanguage string          `json:"queryLanguage,omitempty"`
	LogGroupNames []string        `json:"logGroupNames,omitempty"`
	Parameters    json.RawMessage `json:"parameters,omitempty"`
	LastModified  int64           `json:"lastModified"`
}

func queryDefPrefix(region string) []byte {
	k := make([]byte, 0, 2+len(region))
	k = append(k, prefixQueryDef)
	k = append(k, region...)
	return append(k, 0)
}

// PutQueryDefinition creates or replaces the definition d.ID. check, when
// not nil, is called with the number of definitions the region holds
// besides d.ID while metadata changes are locked out, so that a quota it
// enforces cannot be raced past; its error is returned and nothing written.
func (s *Store) PutQueryDefinition(ctx context.Context, region string, d QueryDefinition, check func(others int) error) error {
	if d.ID == "" || strings.IndexByte(region, 0) >= 0 {
		return fmt.Errorf("store: query definition needs an id and a region")
	}
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	if check != nil {
		others := 0
		if err := s.ListQueryDefinitions(ctx, region, func(o QueryDefinition) bool {
			if o.ID != d.ID {
				others++
			}
			return true
		}); err != nil {
			return err
		}
		if err := check(others); err != nil {
			return err
		}
	}
	v, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("store: encode query definition: %w", err)
	}
	if err := s.db.Set(append(queryDefPrefix(region), d.ID...), v, pebble.Sync); err != nil {
		return fmt.Errorf("store: put query definition: %w", err)
	}
	return nil
}

// DeleteQueryDefinition deletes the definition id, or returns
// ErrQueryDefinitionNotFound.
func (s *Store) DeleteQueryDefinition(_ context.Context, region, id string) error {
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	k := append(queryDefPrefix(region), id...)
	_, closer, err := s.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return ErrQueryDefinitionNotFound
	}
	if err != nil {
		return fmt.Errorf("store: read query definition: %w", err)
	}
	closer.Close()
	if err := s.db.Delete(k, pebble.Sync); err != nil {
		return fmt.Errorf("store: delete query definition: %w", err)
	}
	return nil
}

// ListQueryDefinitions calls fn with the region's definitions in id order
// until fn returns false.
func (s *Store) ListQueryDefinitions(ctx context.Context, region string, fn func(QueryDefinition) bool) error {
	p := queryDefPrefix(region)
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: p, UpperBound: prefixEnd(p)})
	if err != nil {
		return fmt.Errorf("store: list query definitions: %w", err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var d QueryDefinition
		if err := json.Unmarshal(it.Value(), &d); err != nil {
			return fmt.Errorf("store: decode query definition: %w", err)
		}
		d.ID = string(it.Key()[len(p):])
		if !fn(d) {
			break
		}
	}
	return it.Error()
}
