package metricstore

import (
	"encoding/binary"
	"errors"
	"math"
)

const (
	prefixSeries = 'm'
	prefixData   = 'd'
)

var errCorrupt = errors.New("metricstore: corrupt key or value")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func readString(b []byte) (string, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return "", nil, errCorrupt
	}
	return string(b[k : k+int(n)]), b[k+int(n):], nil
}

// appendSeries encodes the identity of a series; dims must be sorted by name.
func appendSeries(b []byte, s Series) []byte {
	b = appendString(b, s.Namespace)
	b = appendString(b, s.Name)
	b = binary.AppendUvarint(b, uint64(len(s.Dimensions)))
	for _, d := range s.Dimensions {
		b = appendString(b, d.Name)
		b = appendString(b, d.Value)
	}
	return b
}

func decodeSeries(b []byte) (Series, []byte, error) {
	var s Series
	var err error
	if s.Namespace, b, err = readString(b); err != nil {
		return s, nil, err
	}
	if s.Name, b, err = readString(b); err != nil {
		return s, nil, err
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return s, nil, errCorrupt
	}
	b = b[k:]
	s.Dimensions = make([]Dimension, n)
	for i := range s.Dimensions {
		if s.Dimensions[i].Name, b, err = readString(b); err != nil {
			return s, nil, err
		}
		if s.Dimensions[i].Value, b, err = readString(b); err != nil {
			return s, nil, err
		}
	}
	return s, b, nil
}

func appendPoint(b []byte, unit string, resolution int, values []float64) []byte {
	b = appendString(b, unit)
	b = append(b, byte(resolution))
	b = binary.AppendUvarint(b, uint64(len(values)))
	for _, v := range values {
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// decodePoint returns the unit (aliasing b) and calls fn for each value.
func decodePoint(b []byte, fn func(float64)) ([]byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n >= uint64(len(b)-k) {
		return nil, errCorrupt
	}
	unit := b[k : k+int(n)]
	b = b[k+int(n)+1:] // the resolution byte is not needed to query
	n, k = binary.Uvarint(b)
	if k <= 0 || (len(b)-k)%8 != 0 || n != uint64(len(b)-k)/8 {
		return nil, errCorrupt
	}
	for b = b[k:]; len(b) >= 8; b = b[8:] {
		fn(math.Float64frombits(binary.BigEndian.Uint64(b)))
	}
	return unit, nil
}

// prefixEnd returns the smallest key greater than every key with prefix p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
