package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// ErrNoRecorder is returned by the methods of a nil *Recorder, which is what
// [FromContext] returns for a context without one.
var ErrNoRecorder = errors.New("metrics: no Recorder in the context: wrap the handler with metrics.Handler or use metrics.NewContext")

// ErrClosed is returned by a Recorder used after [Recorder.Close], for example by a
// goroutine that outlives its invocation.
var ErrClosed = errors.New("metrics: Recorder used after its invocation ended")

// Recorder collects the metrics, dimensions and metadata of one invocation until
// [Recorder.Flush]. It is safe for concurrent use by the goroutines of that
// invocation. The methods of a nil *Recorder record nothing and return
// [ErrNoRecorder]; after [Recorder.Close] they return [ErrClosed].
type Recorder struct {
	m          *Metrics
	noDefaults bool // single-metric objects carry only their own dimensions and service

	mu sync.Mutex
	s  *state // nil once closed; pooled in Metrics.states
}

// state is the storage of a Recorder; Close returns it to a pool with its capacity.
type state struct {
	metrics []metric       // in insertion order; slots past len keep their values' capacity
	index   map[string]int // metric name -> position, once there are more than linearScan metrics
	last    int            // position of the metric added last: the fast path
	arena   []float64      // backing store carved into the first values of new metrics
	dims    []Dimension    // per-invocation dimensions of the primary dimension set
	sets    [][]Dimension  // further dimension sets
	meta    []metadatum
	buf     []byte      // encoding buffer during a flush, from Metrics.bufs
	primary []Dimension // scratch for Recorder.primary
}

type metric struct {
	name   string
	unit   Unit
	res    Resolution
	values []float64
}

type metadatum struct {
	key string
	raw []byte // JSON encoding of the value
}

type recorderKey struct{}

// NewRecorder returns an empty Recorder that writes with m's configuration. [Handler]
// creates one per invocation; call it yourself outside Lambda handlers, and
// [Recorder.Close] it when done so that its storage is reused.
func (m *Metrics) NewRecorder() *Recorder {
	return &Recorder{m: m, s: m.states.Get().(*state)}
}

// Close flushes r like [Recorder.Flush] and releases its storage for reuse; later
// calls on r return [ErrClosed].
func (r *Recorder) Close() error {
	if r == nil {
		return ErrNoRecorder
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		return ErrClosed
	}
	err := r.flush()
	r.release()
	return err
}

// release returns r's storage, cleared, to the pool; r.mu is held and r.s is not nil.
func (r *Recorder) release() {
	r.reset()
	r.m.states.Put(r.s)
	r.s = nil
}

// NewContext returns a copy of ctx that carries r.
func NewContext(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, r)
}

// FromContext returns the Recorder carried by ctx, or nil.
func FromContext(ctx context.Context) *Recorder {
	r, _ := ctx.Value(recorderKey{}).(*Recorder)
	return r
}

// Add records value for the standard-resolution metric name with unit. Adding to a
// metric that already exists allocates nothing (beyond growing its value list).
// It fails, recording nothing, when the name, unit or value is invalid or when the
// metric was added before with another unit or resolution.
func (r *Recorder) Add(name string, unit Unit, value float64) error {
	return r.add(name, unit, Standard, value)
}

// AddWithResolution is [Recorder.Add] with an explicit storage resolution
// ([Standard] or [High]).
func (r *Recorder) AddWithResolution(name string, unit Unit, res Resolution, value float64) error {
	return r.add(name, unit, res, value)
}

func (r *Recorder) add(name string, unit Unit, res Resolution, value float64) error {
	if r == nil {
		return ErrNoRecorder
	}
	if value-value != 0 { // NaN or ±Inf
		return validValue(name, value)
	}
	r.mu.Lock()
	if r.s == nil {
		r.mu.Unlock()
		return ErrClosed
	}
	i := r.s.last
	if i >= len(r.s.metrics) || r.s.metrics[i].name != name {
		var ok bool
		if i, ok = r.lookup(name); !ok {
			var err error
			if i, err = r.newMetric(name, unit, res); err != nil {
				r.mu.Unlock()
				return err
			}
		}
		r.s.last = i
	}
	mt := &r.s.metrics[i]
	if mt.unit != unit || mt.res != res {
		r.mu.Unlock()
		return fmt.Errorf("%w: metric %q was added with unit %s and resolution %d, now with %s and %d",
			ErrInvalid, name, mt.unit, mt.res, unit, res)
	}
	mt.values = append(mt.values, value)
	r.mu.Unlock()
	return nil
}

// newMetric validates and appends a metric without values; r.mu is held.
func (r *Recorder) newMetric(name string, unit Unit, res Resolution) (int, error) {
	if err := validMetric(name, unit, res); err != nil {
		return 0, err
	}
	if _, ok := r.dimensionValue(name); ok {
		return 0, fmt.Errorf("%w: metric name %q is already a dimension", ErrInvalid, name)
	}
	if r.metadataIndex(name) >= 0 {
		return 0, fmt.Errorf("%w: metric name %q is already a metadata key", ErrInvalid, name)
	}
	i := len(r.s.metrics)
	if i < cap(r.s.metrics) {
		r.s.metrics = r.s.metrics[:i+1]
		values := r.s.metrics[i].values[:0]
		if values == nil { // a slot made by append's growth
			values = r.carve()
		}
		r.s.metrics[i] = metric{name: name, unit: unit, res: res, values: values}
	} else {
		if i == 0 {
			r.s.metrics = make([]metric, 0, 16)
		}
		r.s.metrics = append(r.s.metrics, metric{name: name, unit: unit, res: res, values: r.carve()})
	}
	switch {
	case i == linearScan:
		if r.s.index == nil {
			r.s.index = make(map[string]int, 4*linearScan)
		}
		for j := range r.s.metrics {
			r.s.index[r.s.metrics[j].name] = j
		}
	case i > linearScan:
		r.s.index[name] = i
	}
	return i, nil
}

// linearScan is the number of metrics up to which a lookup scans r.s.metrics
// instead of using the index map.
const linearScan = 8

// lookup returns the position of the metric name.
func (r *Recorder) lookup(name string) (int, bool) {
	if len(r.s.metrics) > linearScan {
		i, ok := r.s.index[name]
		return i, ok
	}
	for i := range r.s.metrics {
		if r.s.metrics[i].name == name {
			return i, true
		}
	}
	return 0, false
}

// carve returns an empty value list with room for a few values, cut from r.s.arena
// so that new metrics do not each allocate.
func (r *Recorder) carve() []float64 {
	const room, chunk = 4, 512
	n := len(r.s.arena)
	if n+room > cap(r.s.arena) {
		r.s.arena = make([]float64, 0, chunk)
		n = 0
	}
	r.s.arena = r.s.arena[:n+room]
	return r.s.arena[n : n : n+room]
}

// AddDimension adds the dimension to the primary dimension set of every metric of
// this invocation (with the default dimensions and service), replacing the value of
// a dimension with the same name.
func (r *Recorder) AddDimension(name, value string) error {
	if r == nil {
		return ErrNoRecorder
	}
	d := Dimension{name, value}
	if err := validDimension(d); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		return ErrClosed
	}
	if err := r.checkDimensionKey(d, true); err != nil {
		return err
	}
	for i := range r.s.dims {
		if r.s.dims[i].Name == name {
			r.s.dims[i].Value = value
			return nil
		}
	}
	primary := r.primary()
	if n := len(primary) + 1; !hasDimension(primary, name) && n > maxDimensions {
		return fmt.Errorf("%w: dimension %q would make %d dimensions in a set, more than %d", ErrInvalid, name, n, maxDimensions)
	}
	r.s.dims = append(r.s.dims, d)
	return nil
}

// AddDimensionSet adds a further dimension set: every metric of this invocation is
// also published with the default dimensions plus dims. A dimension name that is
// already in use must keep its value, since an EMF object holds one value per name.
func (r *Recorder) AddDimensionSet(dims ...Dimension) error {
	if r == nil {
		return ErrNoRecorder
	}
	if len(dims) == 0 {
		return fmt.Errorf("%w: empty dimension set", ErrInvalid)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		return ErrClosed
	}
	set := make([]Dimension, 0, len(dims)+len(r.m.defaults))
	if !r.noDefaults {
		set = append(set, r.m.defaults...)
	}
	for _, d := range dims {
		if err := validDimension(d); err != nil {
			return err
		}
		if hasDimension(set, d.Name) {
			return fmt.Errorf("%w: dimension %q is twice in the set", ErrInvalid, d.Name)
		}
		if err := r.checkDimensionKey(d, false); err != nil {
			return err
		}
		set = append(set, d)
	}
	if len(set) > maxDimensions {
		return fmt.Errorf("%w: dimension set has %d dimensions, more than %d", ErrInvalid, len(set), maxDimensions)
	}
	r.s.sets = append(r.s.sets, set)
	return nil
}

// checkDimensionKey rejects a dimension whose name is a metric or metadata key, or
// which would give a dimension of a further set a second value; for a further set
// (primary false) the primary set's values must be kept as well.
func (r *Recorder) checkDimensionKey(d Dimension, primary bool) error {
	if _, ok := r.lookup(d.Name); ok {
		return fmt.Errorf("%w: dimension name %q is already a metric", ErrInvalid, d.Name)
	}
	if r.metadataIndex(d.Name) >= 0 {
		return fmt.Errorf("%w: dimension name %q is already a metadata key", ErrInvalid, d.Name)
	}
	for _, set := range r.s.sets {
		for _, s := range set {
			if s.Name == d.Name && s.Value != d.Value {
				return fmt.Errorf("%w: dimension %q already has the value %q in a dimension set", ErrInvalid, d.Name, s.Value)
			}
		}
	}
	if !primary {
		for _, s := range r.primary() {
			if s.Name == d.Name && s.Value != d.Value {
				return fmt.Errorf("%w: dimension %q already has the value %q", ErrInvalid, d.Name, s.Value)
			}
		}
	}
	return nil
}

// AddMetadata adds a property that is searchable in the logs but is not a dimension
// (for example a request id). value is encoded as JSON; a key added again is replaced.
func (r *Recorder) AddMetadata(key string, value any) error {
	if r == nil {
		return ErrNoRecorder
	}
	if key == "" || key == reservedKey {
		return fmt.Errorf("%w: metadata key %q", ErrInvalid, key)
	}
	raw, err := appendValue(nil, value)
	if err != nil {
		return fmt.Errorf("%w: metadata %q: %w", ErrInvalid, key, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		return ErrClosed
	}
	if _, ok := r.lookup(key); ok {
		return fmt.Errorf("%w: metadata key %q is already a metric", ErrInvalid, key)
	}
	if _, ok := r.dimensionValue(key); ok {
		return fmt.Errorf("%w: metadata key %q is already a dimension", ErrInvalid, key)
	}
	if i := r.metadataIndex(key); i >= 0 {
		r.s.meta[i].raw = raw
		return nil
	}
	r.s.meta = append(r.s.meta, metadatum{key, raw})
	return nil
}

// metadataIndex returns the position of the metadata key, or -1.
func (r *Recorder) metadataIndex(key string) int {
	for i := range r.s.meta {
		if r.s.meta[i].key == key {
			return i
		}
	}
	return -1
}

// primary returns the primary dimension set: default dimensions (unless replaced),
// per-invocation dimensions, then service. The slice is reused by the next call.
func (r *Recorder) primary() []Dimension {
	set := r.s.primary[:0]
	if !r.noDefaults {
		for _, d := range r.m.defaults {
			if !hasDimension(r.s.dims, d.Name) {
				set = append(set, d)
			}
		}
	}
	set = append(set, r.s.dims...)
	if r.m.service != "" && !hasDimension(set, "service") {
		set = append(set, Dimension{"service", r.m.service})
	}
	r.s.primary = set
	return set
}

// dimensionValue returns the value of the dimension name in any set.
func (r *Recorder) dimensionValue(name string) (string, bool) {
	for _, d := range r.s.dims {
		if d.Name == name {
			return d.Value, true
		}
	}
	if !r.noDefaults {
		for _, d := range r.m.defaults {
			if d.Name == name {
				return d.Value, true
			}
		}
	}
	if name == "service" && r.m.service != "" {
		return r.m.service, true
	}
	for _, set := range r.s.sets {
		for _, d := range set {
			if d.Name == name {
				return d.Value, true
			}
		}
	}
	return "", false
}

// Flush writes the recorded metrics as EMF objects and clears the metrics,
// per-invocation dimensions and metadata. Without metrics it writes nothing and
// logs a warning, or returns [ErrNoMetrics] under [WithErrorOnEmpty]. When metrics
// are disabled it only clears.
func (r *Recorder) Flush() error {
	if r == nil {
		return ErrNoRecorder
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		return ErrClosed
	}
	return r.flush()
}

// flush writes and clears the recorded data; r.mu is held and r.s is not nil.
func (r *Recorder) flush() error {
	defer r.reset()
	if r.m.disabled {
		return nil
	}
	if len(r.s.metrics) == 0 {
		if r.m.errorOnEmpty {
			return ErrNoMetrics
		}
		r.m.log.Warn("metrics: no application metrics to publish; use metrics.WithErrorOnEmpty to make this an error")
		return nil
	}
	bp := r.m.bufs.Get().(*[]byte)
	r.s.buf = *bp
	err := r.encode(r.m.now().UnixMilli(), r.m.write)
	*bp, r.s.buf = r.s.buf[:0], nil
	r.m.bufs.Put(bp)
	return err
}

func (r *Recorder) reset() {
	r.s.metrics = r.s.metrics[:0]
	clear(r.s.index)
	r.s.last = 0
	r.s.dims = r.s.dims[:0]
	r.s.sets = r.s.sets[:0]
	r.s.meta = r.s.meta[:0]
}

// appendValue appends the JSON encoding of a metadata value.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case float64:
		if v-v != 0 {
			return nil, fmt.Errorf("value %v is not a finite number", v)
		}
		return jsonstr.AppendFloat(b, v), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, raw...), nil
}

// discard drops the recorded data without writing it and closes r.
func (r *Recorder) discard() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s != nil {
		r.release()
	}
}
