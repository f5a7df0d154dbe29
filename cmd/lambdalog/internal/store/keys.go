package store

import "encoding/binary"

// Key prefixes; see the package documentation for the layout.
const (
	prefixMeta   = 'm'
	prefixGroup  = 'g'
	prefixStream = 's'
	prefixStats  = 't'
	prefixEvent  = 'c' // event chunks; 'e' held single events before chunking
)

// eventKeyLen is the length of an event chunk key: prefix, stream id, and
// the timestamp and seq of the chunk's first event.
const eventKeyLen = 1 + 8 + 8 + 8

var seqKey = []byte{prefixMeta, 's', 'e', 'q'}

func groupPrefix(region string) []byte {
	k := make([]byte, 0, 2+len(region))
	k = append(k, prefixGroup)
	k = append(k, region...)
	return append(k, 0)
}

func groupKey(region, name string) []byte {
	return append(groupPrefix(region), name...)
}

func streamPrefix(groupID uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixStream}, groupID)
}

func streamKey(groupID uint64, name string) []byte {
	return append(streamPrefix(groupID), name...)
}

func statsKey(streamID uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixStats}, streamID)
}

// appendEventKey appends the key of the chunk whose first event is (ts, seq)
// in stream streamID.
func appendEventKey(dst []byte, streamID uint64, ts int64, seq uint64) []byte {
	dst = append(dst, prefixEvent)
	dst = binary.BigEndian.AppendUint64(dst, streamID)
	dst = binary.BigEndian.AppendUint64(dst, uint64(ts)^(1<<63))
	return binary.BigEndian.AppendUint64(dst, seq)
}

// eventStreamBounds returns the key range holding all event chunks of a stream.
func eventStreamBounds(streamID uint64) (lower, upper []byte) {
	lower = binary.BigEndian.AppendUint64([]byte{prefixEvent}, streamID)
	upper = binary.BigEndian.AppendUint64([]byte{prefixEvent}, streamID+1)
	return lower, upper
}

// decodeEventKey returns the timestamp and seq of a chunk key's first event.
func decodeEventKey(k []byte) (ts int64, seq uint64) {
	return int64(binary.BigEndian.Uint64(k[9:17]) ^ (1 << 63)), binary.BigEndian.Uint64(k[17:25])
}
