// Package metricstore stores metric data points durably in its own Pebble
// database and answers the CloudWatch metric queries: listing metrics and
// computing statistics per period.
//
// Layout (all integers big-endian, strings length-prefixed with a uvarint so that
// no separator can be forged by a name):
//
//	'm' series                          -> nothing   (one entry per metric series)
//	'd' series ts(8) seq(8)             -> point     (one entry per Put data point)
//
// where series = str(namespace) str(metric) uvarint(len dims) {str(name) str(value)}
// with dimensions sorted by name, and point = str(unit) resolution(1)
// uvarint(n) n*float64. Data keys of one series sort by timestamp, so a
// statistics query is one range scan. seq makes keys unique; it starts from the
// wall clock at Open so keys stay unique across restarts.
package metricstore
