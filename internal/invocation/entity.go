package invocation

import "context"

// Entity is the X-Ray segment or subsegment that code running under a context is part of, as a
// tracer records it. The tracer puts its open subsegments on the contexts it hands to the code it
// traces ([WithEntity]); the logger asks the context of each log call for one ([EntityFromContext])
// and writes its id next to the trace id, so that a log line can be found from the subsegment and
// the other way around.
type Entity interface {
	// AppendEntityID appends the entity's id, 16 lowercase hex digits, to b.
	AppendEntityID(b []byte) []byte
}

type entityKey struct{}

// EntityContext is a context carrying an entity: what WithEntity returns. A tracer may embed one
// in its entity and hand out a pointer to it, to open a subsegment with one allocation instead of
// two.
type EntityContext struct {
	context.Context // the parent
	Entity          Entity
}

// Value returns the entity for EntityFromContext and asks the parent for every other key.
func (c *EntityContext) Value(key any) any {
	if key == (entityKey{}) {
		return c.Entity
	}
	return c.Context.Value(key)
}

// WithEntity returns a copy of ctx carrying e, the innermost segment or subsegment open on it.
func WithEntity(ctx context.Context, e Entity) context.Context {
	return &EntityContext{ctx, e}
}

// EntityFromContext returns the innermost entity put on ctx by WithEntity, or nil.
func EntityFromContext(ctx context.Context) Entity {
	if ctx == nil {
		return nil
	}
	e, _ := ctx.Value(entityKey{}).(Entity)
	return e
}
