package metrics

// Single writes one metric immediately in its own EMF object, with only dims and
// the service dimension (not the default dimensions), like Powertools' single_metric.
// Use it for a metric whose dimensions differ from the rest of the invocation.
func (m *Metrics) Single(name string, unit Unit, res Resolution, value float64, dims ...Dimension) error {
	r := m.NewRecorder()
	r.noDefaults = true
	for _, d := range dims {
		if err := r.AddDimension(d.Name, d.Value); err != nil {
			r.discard()
			return err
		}
	}
	if err := r.AddWithResolution(name, unit, res, value); err != nil {
		r.discard()
		return err
	}
	return r.Close()
}
