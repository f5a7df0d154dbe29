package console

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/queries"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/insights"
)

// Limits of the Logs Insights page, AWS's where AWS has one.
const (
	maxQueryLength  = 10_000
	maxQueryDefName = 255
	// maxRunningRows is how many rows of a running query one poll carries;
	// the whole result comes once the query has ended.
	maxRunningRows = 1000
	maxQueryBody   = 64 << 10
)

// insightsPage runs Logs Insights queries (package queries) and keeps saved
// queries (the query definitions of the log store). The sample queries it
// offers are static/insights-templates.json.
func (c *Console) insightsPage() Page {
	return Page{Name: "insights", Title: "Logs Insights", Routes: map[string]Endpoint{
		"POST queries":          c.startQuery,
		"GET queries":           c.listQueries,
		"GET queries/{id}":      c.queryResults,
		"DELETE queries/{id}":   c.stopQuery,
		"GET record":            c.logRecord,
		"GET querydefs":         c.queryDefs,
		"POST querydefs":        c.putQueryDef,
		"DELETE querydefs/{id}": c.deleteQueryDef,
	}}
}

type startQueryIn struct {
	Query  string   `json:"query"`
	Groups []string `json:"groups"`
	// Start and End are epoch milliseconds, both included.
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	Limit int   `json:"limit"`
}

// queryErrorDetail locates a compile error for the editor, in UTF-16 code
// units; end is exclusive.
type queryErrorDetail struct {
	Start  int `json:"start"`
	End    int `json:"end"`
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (c *Console) startQuery(r *Request) (any, error) {
	var in startQueryIn
	if err := r.decode(&in, maxQueryBody); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Query) == "" || utf8.RuneCountInString(in.Query) > maxQueryLength {
		return nil, badRequest("A query is 1 to %d characters long.", maxQueryLength)
	}
	q, err := insights.Parse(in.Query)
	if ie, ok := errors.AsType[*insights.Error](err); ok {
		return nil, &Error{Status: http.StatusBadRequest, Message: ie.Message, Detail: queryErrorDetail{
			Start: utf16Offset(in.Query, runeToByte(in.Query, ie.Start)), End: utf16Offset(in.Query, runeToByte(in.Query, ie.End+1)),
			Line: ie.Line, Column: ie.Column}}
	} else if err != nil {
		return nil, badRequest("%v", err)
	}
	groups := in.Groups
	if len(groups) == 0 {
		if q.Source() == nil {
			return nil, badRequest("Choose the log groups to query, or start the query with SOURCE.")
		}
		if groups, err = c.opts.Queries.ResolveSource(r.Context(), r.Region, q.Source()); err != nil {
			return nil, err
		}
		if len(groups) == 0 {
			return nil, badRequest("No log group matches the query's SOURCE command.")
		}
	}
	if len(groups) > queries.MaxGroups {
		return nil, badRequest("A query reads at most %d log groups; %d are chosen.", queries.MaxGroups, len(groups))
	}
	if in.End < in.Start {
		return nil, badRequest("The end of the time range is before its start.")
	}
	if in.Limit < 0 || in.Limit > insights.MaxLimit {
		return nil, badRequest("The limit is 1 to %d rows.", insights.MaxLimit)
	}
	var estimate int64
	for _, g := range groups {
		err := c.opts.Logs.ListStreams(r.Context(), r.Region, g, "", func(st store.Stream) bool {
			if st.HasEvents && st.LastEventTimestamp >= in.Start && st.FirstEventTimestamp <= in.End {
				estimate += st.StoredBytes
			}
			return true
		})
		if errors.Is(err, store.ErrGroupNotFound) {
			return nil, &Error{Status: http.StatusNotFound, Message: "Log group " + g + " does not exist."}
		}
		if err != nil {
			return nil, err
		}
	}
	id, err := c.opts.Queries.Start(queries.Spec{Region: r.Region, Account: c.opts.AccountID, Text: in.Query, Query: q,
		Groups: groups, Start: in.Start, End: in.End, Limit: in.Limit})
	if errors.Is(err, queries.ErrTooManyQueries) {
		return nil, &Error{Status: http.StatusTooManyRequests, Message: "Too many queries are running; wait for one to end."}
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": id, "groups": groups, "estimatedBytes": estimate}, nil
}

// queryOut is a query and its results so far.
type queryOut struct {
	ID      string         `json:"id"`
	Query   string         `json:"query"`
	Groups  []string       `json:"groups"`
	Start   int64          `json:"start"`
	End     int64          `json:"end"`
	Status  queries.Status `json:"status"`
	Created int64          `json:"created"`
	// DurationMs is how long the query ran, once it has ended.
	DurationMs int64  `json:"durationMs,omitempty"`
	Error      string `json:"error,omitempty"`
}

func describeQuery(qi queries.Info) queryOut {
	o := queryOut{ID: qi.ID, Query: qi.Spec.Text, Groups: qi.Spec.Groups, Start: qi.Spec.Start, End: qi.Spec.End,
		Status: qi.Status, Created: qi.Created.UnixMilli()}
	if !qi.Ended.IsZero() {
		o.DurationMs = qi.Ended.Sub(qi.Created).Milliseconds()
	}
	if qi.Err != nil {
		o.Error = qi.Err.Error()
	}
	return o
}

// queryResults answers a query's status, statistics and rows so far. Rows
// are arrays aligned with columns, null where a row has no value; ptrs
// holds each row's @ptr ("" for aggregate rows).
func (c *Console) queryResults(r *Request) (any, error) {
	s, err := c.opts.Queries.Results(r.Region, r.PathValue("id"))
	if err != nil {
		return nil, queryError(err)
	}
	rows := s.Result.Rows
	truncated := false
	if !s.Status.Ended() && len(rows) > maxRunningRows {
		rows, truncated = rows[:maxRunningRows], true
	}
	index := make(map[string]int, len(s.Result.Columns))
	for i, col := range s.Result.Columns {
		index[col] = i
	}
	out := struct {
		queryOut
		Columns   []string    `json:"columns"`
		Rows      [][]*string `json:"rows"`
		Ptrs      []string    `json:"ptrs"`
		Truncated bool        `json:"truncated,omitempty"`
		Matched   int64       `json:"recordsMatched"`
		Scanned   int64       `json:"recordsScanned"`
		Bytes     int64       `json:"bytesScanned"`
	}{queryOut: describeQuery(s.Info), Columns: s.Result.Columns, Rows: make([][]*string, len(rows)), Ptrs: make([]string, len(rows)),
		Truncated: truncated, Matched: s.Stats.RecordsMatched, Scanned: s.Stats.RecordsScanned, Bytes: s.Stats.BytesScanned}
	for i, row := range rows {
		vals := make([]*string, len(s.Result.Columns))
		for _, f := range row {
			if f.Name == "@ptr" {
				out.Ptrs[i] = f.Value
			} else if j, ok := index[f.Name]; ok {
				vals[j] = &f.Value
			}
		}
		out.Rows[i] = vals
	}
	return out, nil
}

func queryError(err error) error {
	switch {
	case errors.Is(err, queries.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Message: "The query does not exist (queries are forgotten when the server restarts)."}
	case errors.Is(err, queries.ErrNotRunning):
		return badRequest("The query is not running.")
	}
	return err
}

func (c *Console) stopQuery(r *Request) (any, error) {
	if err := c.opts.Queries.Stop(r.Region, r.PathValue("id")); err != nil {
		return nil, queryError(err)
	}
	return map[string]bool{"stopped": true}, nil
}

// maxHistory is how many recent queries listQueries answers.
const maxHistory = 50

// listQueries answers the region's recent queries, newest first.
func (c *Console) listQueries(r *Request) (any, error) {
	infos := c.opts.Queries.List(r.Region)
	out := make([]queryOut, 0, min(len(infos), maxHistory))
	for _, qi := range infos[:min(len(infos), maxHistory)] {
		out = append(out, describeQuery(qi))
	}
	return out, nil
}

// logRecord answers every field of the event behind a result row's @ptr,
// and where the event is, for a link to it among its neighbours.
func (c *Console) logRecord(r *Request) (any, error) {
	ptr, err := r.need("ptr")
	if err != nil {
		return nil, err
	}
	ev, pos, err := queries.Record(r.Context(), c.opts.Logs, c.opts.AccountID, r.Region, ptr)
	switch {
	case errors.Is(err, queries.ErrBadPointer):
		return nil, badRequest("not a log record pointer of this region")
	case errors.Is(err, queries.ErrNoRecord):
		return nil, &Error{Status: http.StatusNotFound, Message: "The log record does not exist any more."}
	case err != nil:
		return nil, err
	}
	return map[string]any{"group": ev.LogGroup, "stream": ev.LogStream, "id": formatCursor(pos), "fields": insights.EventFields(&ev)}, nil
}

type queryDefOut struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Query        string   `json:"query"`
	Groups       []string `json:"groups,omitempty"`
	LastModified int64    `json:"lastModified"`
}

// queryDefs answers the region's saved queries by name.
func (c *Console) queryDefs(r *Request) (any, error) {
	out := []queryDefOut{}
	err := c.opts.Logs.ListQueryDefinitions(r.Context(), r.Region, func(d store.QueryDefinition) bool {
		out = append(out, queryDefOut{ID: d.ID, Name: d.Name, Query: d.QueryString, Groups: d.LogGroupNames, LastModified: d.LastModified})
		return true
	})
	slices.SortFunc(out, func(a, b queryDefOut) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return out, err
}

// putQueryDef saves a query, as PutQueryDefinition does: a new one without
// id, else the one with that id.
func (c *Console) putQueryDef(r *Request) (any, error) {
	var in queryDefOut
	if err := r.decode(&in, maxQueryBody); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > maxQueryDefName {
		return nil, badRequest("A saved query's name is 1 to %d characters long.", maxQueryDefName)
	}
	if n := utf8.RuneCountInString(in.Query); strings.TrimSpace(in.Query) == "" || n > maxQueryLength {
		return nil, badRequest("A query is 1 to %d characters long.", maxQueryLength)
	}
	if len(in.Groups) > queries.MaxGroups {
		return nil, badRequest("A saved query names at most %d log groups.", queries.MaxGroups)
	}
	d := store.QueryDefinition{ID: in.ID, Name: in.Name, QueryString: in.Query, QueryLanguage: "CWLI", LogGroupNames: in.Groups,
		LastModified: time.Now().UnixMilli()}
	if d.ID == "" {
		d.ID = awsapi.NewID()
	} else {
		found := false
		if err := c.opts.Logs.ListQueryDefinitions(r.Context(), r.Region, func(o store.QueryDefinition) bool {
			found = o.ID == d.ID
			return !found
		}); err != nil {
			return nil, err
		}
		if !found {
			return nil, &Error{Status: http.StatusNotFound, Message: "The saved query does not exist."}
		}
	}
	err := c.opts.Logs.PutQueryDefinition(r.Context(), r.Region, d, func(others int) error {
		if others >= queries.MaxDefinitions {
			return badRequest("A region holds at most %d saved queries.", queries.MaxDefinitions)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]string{"id": d.ID}, nil
}

func (c *Console) deleteQueryDef(r *Request) (any, error) {
	err := c.opts.Logs.DeleteQueryDefinition(r.Context(), r.Region, r.PathValue("id"))
	if errors.Is(err, store.ErrQueryDefinitionNotFound) {
		return nil, &Error{Status: http.StatusNotFound, Message: "The saved query does not exist."}
	}
	if err != nil {
		return nil, err
	}
	return map[string]bool{"deleted": true}, nil
}
