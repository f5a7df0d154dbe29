package console

import (
	"cmp"
	"slices"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// groupOut describes a log group on the logs and group pages.
type groupOut struct {
	Name          string `json:"name"`
	CreationTime  int64  `json:"creationTime"`
	RetentionDays int32  `json:"retentionDays,omitempty"`
	Class         string `json:"class,omitempty"`
	StoredBytes   int64  `json:"storedBytes"`
	Streams       int    `json:"streams"`
	// LastEvent is the newest event's timestamp, 0 when there is none.
	LastEvent int64 `json:"lastEvent,omitempty"`
}

// streamOut describes a log stream on the group page.
type streamOut struct {
	Name          string `json:"name"`
	CreationTime  int64  `json:"creationTime"`
	FirstEvent    int64  `json:"firstEvent,omitempty"`
	LastEvent     int64  `json:"lastEvent,omitempty"`
	LastIngestion int64  `json:"lastIngestion,omitempty"`
	StoredBytes   int64  `json:"storedBytes"`
}

// logsPage lists the region's log groups.
func (c *Console) logsPage() Page {
	return Page{Name: "logs", Title: "Logs", Routes: map[string]Endpoint{
		"GET groups": c.groups,
	}}
}

// groups answers the region's log groups whose name starts with prefix,
// with their streams' totals, in name order.
func (c *Console) groups(r *Request) (any, error) {
	var gs []store.Group
	if err := c.opts.Logs.ListGroups(r.Context(), r.Region, r.Query.Get("prefix"), func(g store.Group) bool {
		gs = append(gs, g)
		return true
	}); err != nil {
		return nil, err
	}
	out := make([]groupOut, 0, len(gs))
	for _, g := range gs {
		o, _, err := c.describeGroup(r, g, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// describeGroup adds up the statistics of a group's streams and returns
// the streams keep accepts (none when keep is nil).
func (c *Console) describeGroup(r *Request, g store.Group, keep func(store.Stream) bool) (groupOut, []store.Stream, error) {
	o := groupOut{Name: g.Name, CreationTime: g.CreationTime, RetentionDays: g.RetentionDays, Class: g.Class}
	var kept []store.Stream
	err := c.opts.Logs.ListStreams(r.Context(), r.Region, g.Name, "", func(st store.Stream) bool {
		o.Streams++
		o.StoredBytes += st.StoredBytes
		if st.HasEvents {
			o.LastEvent = max(o.LastEvent, st.LastEventTimestamp)
		}
		if keep != nil && keep(st) {
			kept = append(kept, st)
		}
		return true
	})
	return o, kept, err
}

// groupPage shows a group and its streams.
func (c *Console) groupPage() Page {
	return Page{Name: "group", Under: "logs", Routes: map[string]Endpoint{
		"GET streams": c.streams,
	}}
}

// maxStreamsPage is the most streams one streams answer lists.
const maxStreamsPage = 500

// streams answers a group and a page of its streams whose name contains
// the parameter "contains", newest last event first.
func (c *Console) streams(r *Request) (any, error) {
	name, err := r.need("group")
	if err != nil {
		return nil, err
	}
	offset, err := r.int("offset", 0)
	if err != nil {
		return nil, err
	}
	limit, err := r.int("limit", 100)
	if err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), maxStreamsPage)
	g, err := c.opts.Logs.Group(r.Context(), r.Region, name)
	if err != nil {
		return nil, err
	}
	contains := r.Query.Get("contains")
	grp, sts, err := c.describeGroup(r, g, func(st store.Stream) bool { return strings.Contains(st.Name, contains) })
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(sts, func(a, b store.Stream) int { return cmp.Compare(lastActivity(b), lastActivity(a)) })
	out := struct {
		Group   groupOut    `json:"group"`
		Streams []streamOut `json:"streams"`
		Total   int         `json:"total"`
	}{Group: grp, Streams: []streamOut{}, Total: len(sts)}
	from := min(int(max(offset, 0)), len(sts))
	for _, st := range sts[from:min(from+int(limit), len(sts))] {
		o := streamOut{Name: st.Name, CreationTime: st.CreationTime, StoredBytes: st.StoredBytes}
		if st.HasEvents {
			o.FirstEvent, o.LastEvent, o.LastIngestion = st.FirstEventTimestamp, st.LastEventTimestamp, st.LastIngestionTime
		}
		out.Streams = append(out.Streams, o)
	}
	return out, nil
}

// lastActivity is when a stream last had an event, or was created.
func lastActivity(st store.Stream) int64 {
	if st.HasEvents {
		return st.LastEventTimestamp
	}
	return st.CreationTime
}
