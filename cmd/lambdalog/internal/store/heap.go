package store

// siftDown restores the min-heap order of h below i, where less orders the heap; the event
// iterator (chunks of one stream) and the merge iterator (streams) both keep such heaps.
func siftDown[T any](h []T, i int, less func(a, b T) bool) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && less(h[r], h[l]) {
			c = r
		}
		if !less(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
