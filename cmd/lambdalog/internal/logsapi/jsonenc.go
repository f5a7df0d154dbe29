package logsapi

import (
	"strconv"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// appendString appends s as a JSON string; see package jsonstr.
func appendString(dst []byte, s string) []byte { return jsonstr.Append(dst, s) }

// appendBytes appends message bytes s as a JSON string; see package jsonstr.
func appendBytes(dst []byte, s []byte) []byte { return jsonstr.Append(dst, s) }

// appendField appends "name": (preceded by a comma unless first).
func appendField(dst []byte, first bool, name string) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':')
}

func appendInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }
