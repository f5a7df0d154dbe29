package logsapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/queries"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/insights"
)

// Logs Insights limits of the API.
const (
	maxResultsPage = 10_000
)

var (
	ruleQueryID      = newStrRule(1, 256, "")
	ruleQueryString  = newStrRule(0, 10000, "")
	ruleQueryDefName = newStrRule(1, 255, "")
	ruleQueryDefText = newStrRule(1, 10000, "")
	ruleClientToken  = newStrRule(36, 128, `\S{36,128}`)
	ruleParamName    = newStrRule(1, 128, `^[a-zA-Z_][a-zA-Z0-9_]*`)
	ruleParamDefault = newStrRule(0, 1024, "")
	ruleParamDesc    = newStrRule(0, 512, "")
	ruleResultsToken = newStrRule(0, 1024, "")
	queryLanguages   = []string{"CWLI", "SQL", "PPL"}
	queryStatuses    = []string{"Scheduled", "Running", "Complete", "Failed", "Cancelled", "Timeout", "Unknown"}
)

// checkLanguage refuses the query languages lambdalog does not run.
func checkLanguage(lang *string) error {
	if lang != nil && *lang != "CWLI" {
		return invalidParameter("lambdalog runs Logs Insights QL (queryLanguage CWLI) only, not %s; write the query in Logs Insights QL or run it against CloudWatch Logs.", *lang)
	}
	return nil
}

// malformedQuery is StartQuery's MalformedQueryException for a compile error.
type malformedQuery struct{ err *insights.Error }

func (m *malformedQuery) Error() string { return "MalformedQueryException: " + m.err.Message }

type startQueryInput struct {
	QueryLanguage       *string
	LogGroupName        *string
	LogGroupNames       []string
	LogGroupIdentifiers []string
	StartTime, EndTime  *int64
	QueryString         *string
	Limit               *int64
}

func (in *startQueryInput) validate(v *validationErrors) {
	v.enum("queryLanguage", in.QueryLanguage, queryLanguages)
	v.str("logGroupName", in.LogGroupName, false, ruleGroupName)
	for i := range in.LogGroupNames {
		v.str("logGroupNames."+itoa(i+1)+".member", &in.LogGroupNames[i], true, ruleGroupName)
	}
	for i := range in.LogGroupIdentifiers {
		v.str("logGroupIdentifiers."+itoa(i+1)+".member", &in.LogGroupIdentifiers[i], true, ruleGroupIdentifier)
	}
	if in.StartTime == nil {
		v.add("null", "startTime", "not be null")
	}
	if in.EndTime == nil {
		v.add("null", "endTime", "not be null")
	}
	v.intRange("startTime", in.StartTime, 0, 1<<62)
	v.intRange("endTime", in.EndTime, 0, 1<<62)
	v.str("queryString", in.QueryString, true, ruleQueryString)
	v.intRange("limit", in.Limit, 1, insights.MaxLimit)
}

func (h *Handler) startQuery(c *call, in *startQueryInput) (any, error) {
	if err := checkLanguage(in.QueryLanguage); err != nil {
		return nil, err
	}
	q, err := insights.Parse(*in.QueryString)
	if ie, ok := errors.AsType[*insights.Error](err); ok {
		return nil, &malformedQuery{ie}
	} else if err != nil {
		return nil, err
	}
	given := 0
	for _, set := range []bool{in.LogGroupName != nil, in.LogGroupNames != nil, in.LogGroupIdentifiers != nil} {
		if set {
			given++
		}
	}
	var groups []string
	switch {
	case given > 1:
		return nil, invalidParameter("Exactly one of logGroupName, logGroupNames and logGroupIdentifiers may be given.")
	case given == 0 && q.Source() == nil:
		return nil, invalidParameter("Specify the log groups to query with logGroupName, logGroupNames or logGroupIdentifiers, or start the query with SOURCE.")
	case given == 0:
		if groups, err = h.queries.ResolveSource(c.ctx, c.region, q.Source()); err != nil {
			return nil, err
		}
		if len(groups) == 0 {
			return nil, clientError("ResourceNotFoundException", "No log group matches the query's SOURCE command.")
		}
	case in.LogGroupName != nil:
		groups = []string{*in.LogGroupName}
	case in.LogGroupNames != nil:
		groups = in.LogGroupNames
	default:
		for _, id := range in.LogGroupIdentifiers {
			name, ok := h.groupFromARN(c.region, id)
			if !ok && strings.HasPrefix(id, "arn:") {
				return nil, clientError("ResourceNotFoundException", "Log group '%s' does not exist for account ID '%s'", id, h.account)
			}
			if !ok {
				name = id
			}
			groups = append(groups, name)
		}
	}
	if given > 0 && (len(groups) < 1 || len(groups) > queries.MaxGroups) {
		return nil, invalidParameter("A query may name between 1 and %d log groups; it names %d.", queries.MaxGroups, len(groups))
	}
	for _, g := range groups {
		if _, err := h.store.Group(c.ctx, c.region, g); errors.Is(err, store.ErrGroupNotFound) {
			return nil, clientError("ResourceNotFoundException", "Log group '%s' does not exist for account ID '%s'", g, h.account)
		} else if err != nil {
			return nil, err
		}
	}
	if *in.EndTime < *in.StartTime {
		return nil, invalidParameter("endTime (%d) must not be before startTime (%d).", *in.EndTime, *in.StartTime)
	}
	limit := 0
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	id, err := h.queries.Start(queries.Spec{
		Region: c.region, Account: h.account, Text: *in.QueryString, Query: q, Groups: groups,
		Start: *in.StartTime * 1000, End: *in.EndTime*1000 + 999, Limit: limit,
	})
	if errors.Is(err, queries.ErrTooManyQueries) {
		return nil, clientError("LimitExceededException", "Resource limit exceeded: at most %d queries run at once.", h.queries.MaxConcurrent())
	}
	if err != nil {
		return nil, err
	}
	return struct {
		QueryID string `json:"queryId"`
	}{id}, nil
}

type queryIDInput struct{ QueryID *string }

func (in *queryIDInput) validate(v *validationErrors) {
	v.str("queryId", in.QueryID, true, ruleQueryID)
}

// queryError maps the query manager's errors to the API's.
func queryError(err error) error {
	switch {
	case errors.Is(err, queries.ErrNotFound):
		return clientError("ResourceNotFoundException", "The specified query does not exist.")
	case errors.Is(err, queries.ErrNotRunning):
		return invalidParameter("The specified query is not running.")
	}
	return err
}

type getQueryResultsInput struct {
	QueryID   *string
	NextToken *string
	MaxItems  *int64
}

func (in *getQueryResultsInput) validate(v *validationErrors) {
	v.str("queryId", in.QueryID, true, ruleQueryID)
	v.str("nextToken", in.NextToken, false, ruleResultsToken)
	v.intRange("maxItems", in.MaxItems, 0, maxResultsPage)
}

func (h *Handler) getQueryResults(c *call, in *getQueryResultsInput) (any, error) {
	s, err := h.queries.Results(c.region, *in.QueryID)
	if err != nil {
		return nil, queryError(err)
	}
	rows := s.Result.Rows
	from := 0
	if in.NextToken != nil && *in.NextToken != "" {
		t, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		if from, err = strconv.Atoi(t); err != nil || from < 0 || from > len(rows) {
			return nil, errBadToken
		}
	}
	// Pages only of an ended query: a running one's rows still change.
	next := ""
	if in.MaxItems != nil && *in.MaxItems > 0 && s.Status.Ended() {
		to := min(from+int(*in.MaxItems), len(rows))
		if to < len(rows) {
			next = encodeToken(strconv.Itoa(to))
		}
		rows = rows[from:to]
	} else {
		rows = rows[from:]
	}
	// The rows can be many and long: they are written by hand, not with
	// encoding/json.
	out := append(c.out, `{"queryLanguage":"CWLI","results":[`...)
	for i, row := range rows {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, '[')
		for j, f := range row {
			if j > 0 {
				out = append(out, ',')
			}
			out = append(out, `{"field":`...)
			out = appendString(out, f.Name)
			out = append(out, `,"value":`...)
			out = appendString(out, f.Value)
			out = append(out, '}')
		}
		out = append(out, ']')
	}
	out = append(out, `],"statistics":{"recordsMatched":`...)
	out = appendInt(out, s.Stats.RecordsMatched)
	out = append(out, `,"recordsScanned":`...)
	out = appendInt(out, s.Stats.RecordsScanned)
	out = append(out, `,"bytesScanned":`...)
	out = appendInt(out, s.Stats.BytesScanned)
	out = append(out, `,"logGroupsScanned":`...)
	out = appendInt(out, int64(len(s.Spec.Groups)))
	out = append(out, `},"status":`...)
	out = appendString(out, string(s.Status))
	if next != "" {
		out = append(out, `,"nextToken":`...)
		out = appendString(out, next)
	}
	c.out = append(out, '}')
	return nil, nil
}

func (h *Handler) stopQuery(c *call, in *queryIDInput) (any, error) {
	if err := h.queries.Stop(c.region, *in.QueryID); err != nil {
		return nil, queryError(err)
	}
	return struct {
		Success bool `json:"success"`
	}{true}, nil
}

type describeQueriesInput struct {
	LogGroupName, Status, NextToken, QueryLanguage *string
	MaxResults                                     *int64
}

func (in *describeQueriesInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, false, ruleGroupName)
	v.enum("status", in.Status, queryStatuses)
	v.str("nextToken", in.NextToken, false, ruleNextToken)
	v.enum("queryLanguage", in.QueryLanguage, queryLanguages)
	v.intRange("maxResults", in.MaxResults, 1, 1000)
}

type queryInfoOut struct {
	QueryLanguage string  `json:"queryLanguage"`
	QueryID       string  `json:"queryId"`
	QueryString   string  `json:"queryString"`
	Status        string  `json:"status"`
	CreateTime    int64   `json:"createTime"`
	LogGroupName  string  `json:"logGroupName,omitempty"`
	QueryDuration int64   `json:"queryDuration,omitempty"`
	BytesScanned  float64 `json:"bytesScanned"`
}

func (h *Handler) describeQueries(c *call, in *describeQueriesInput) (any, error) {
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := 1000
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	out := struct {
		Queries   []queryInfoOut `json:"queries"`
		NextToken string         `json:"nextToken,omitempty"`
	}{Queries: []queryInfoOut{}}
	infos := h.queries.List(c.region)
	skipping := after != ""
	for _, qi := range infos {
		if skipping {
			skipping = qi.ID != after
			continue
		}
		switch {
		case in.Status != nil && string(qi.Status) != *in.Status,
			in.QueryLanguage != nil && *in.QueryLanguage != "CWLI",
			in.LogGroupName != nil && !slices.Contains(qi.Spec.Groups, *in.LogGroupName):
			continue
		}
		if len(out.Queries) == limit {
			out.NextToken = encodeToken(out.Queries[limit-1].QueryID)
			break
		}
		o := queryInfoOut{QueryLanguage: "CWLI", QueryID: qi.ID, QueryString: scopedQueryString(qi.Spec), Status: string(qi.Status),
			CreateTime: qi.Created.UnixMilli()}
		if len(qi.Spec.Groups) == 1 {
			o.LogGroupName = qi.Spec.Groups[0]
		}
		if !qi.Ended.IsZero() {
			o.QueryDuration = qi.Ended.Sub(qi.Created).Milliseconds()
		}
		out.Queries = append(out.Queries, o)
	}
	if skipping {
		return nil, errBadToken
	}
	return out, nil
}

// scopedQueryString is a query's text as DescribeQueries shows it: AWS puts
// the log groups and time range the API gave in front, as a SOURCE command.
func scopedQueryString(s queries.Spec) string {
	if s.Query.Source() != nil {
		return s.Text
	}
	quoted := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		quoted[i] = strconv.Quote(g)
	}
	return fmt.Sprintf("SOURCE %s START=%d END=%d | %s", strings.Join(quoted, " "), s.Start, s.End, s.Text)
}

type getLogRecordInput struct {
	LogRecordPointer *string
	Unmask           bool
}

func (in *getLogRecordInput) validate(v *validationErrors) {
	if in.LogRecordPointer == nil {
		v.add("null", "logRecordPointer", "not be null")
	}
}

func (h *Handler) getLogRecord(c *call, in *getLogRecordInput) (any, error) {
	ev, _, err := queries.Record(c.ctx, h.store, h.account, c.region, *in.LogRecordPointer)
	switch {
	case errors.Is(err, queries.ErrBadPointer):
		return nil, invalidParameter("The specified log record pointer is not valid.")
	case errors.Is(err, queries.ErrNoRecord):
		return nil, clientError("ResourceNotFoundException", "The specified log record does not exist.")
	case err != nil:
		return nil, err
	}
	record := map[string]string{"@ptr": *in.LogRecordPointer}
	for _, f := range insights.EventFields(&ev) {
		record[f.Name] = f.Value
	}
	return struct {
		LogRecord map[string]string `json:"logRecord"`
	}{record}, nil
}

type getLogGroupFieldsInput struct {
	LogGroupName, LogGroupIdentifier *string
	Time                             *int64
}

func (in *getLogGroupFieldsInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, false, ruleGroupName)
	v.str("logGroupIdentifier", in.LogGroupIdentifier, false, ruleGroupIdentifier)
	v.intRange("time", in.Time, 0, 1<<62)
}

// GetLogGroupFields looks at the events of 8 minutes around time, or of the
// last 15 minutes, as AWS does, and at most this many of them.
const fieldsSample = 10_000

func (h *Handler) getLogGroupFields(c *call, in *getLogGroupFieldsInput) (any, error) {
	group, err := h.resolveGroup(c.region, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	now := h.now().UnixMilli()
	start, end := now-15*60_000, now+1
	if in.Time != nil {
		start, end = *in.Time*1000-8*60_000, *in.Time*1000+8*60_000
	}
	counts := map[string]int{}
	total := 0
	var names []string
	err = h.store.ListStreams(c.ctx, c.region, group, "", func(st store.Stream) bool {
		if st.HasEvents && st.LastEventTimestamp >= start && st.FirstEventTimestamp < end {
			names = append(names, st.Name)
		}
		return true
	})
	if err != nil {
		return nil, storeError(err)
	}
	errEnough := errors.New("enough events")
	for _, name := range names {
		_, err := h.store.Scan(c.ctx, c.region, group, name, store.ScanOptions{Start: start, End: end}, func(v *store.EventView) error {
			ev := insights.Event{Timestamp: v.Timestamp, IngestionTime: v.IngestionTime, Account: h.account, Region: c.region,
				LogGroup: group, LogStream: name, Message: v.Message, Flat: v.Flat}
			for _, f := range insights.EventFields(&ev) {
				counts[f.Name]++
			}
			if total++; total == fieldsSample {
				return errEnough
			}
			return nil
		})
		if errors.Is(err, errEnough) {
			break
		}
		if err != nil {
			return nil, storeError(err)
		}
	}
	type fieldOut struct {
		Name    string `json:"name"`
		Percent int    `json:"percent"`
	}
	out := struct {
		LogGroupFields []fieldOut `json:"logGroupFields"`
	}{LogGroupFields: []fieldOut{}}
	for name, n := range counts {
		out.LogGroupFields = append(out.LogGroupFields, fieldOut{name, n * 100 / total})
	}
	slices.SortFunc(out.LogGroupFields, func(a, b fieldOut) int {
		if a.Percent != b.Percent {
			return b.Percent - a.Percent
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

type queryParameter struct {
	Name         *string `json:"name"`
	DefaultValue *string `json:"defaultValue,omitempty"`
	Description  *string `json:"description,omitempty"`
}

type putQueryDefinitionInput struct {
	QueryLanguage     *string
	Name              *string
	QueryDefinitionID *string `json:"queryDefinitionId"`
	LogGroupNames     []string
	QueryString       *string
	ClientToken       *string
	Parameters        []queryParameter
}

func (in *putQueryDefinitionInput) validate(v *validationErrors) {
	v.enum("queryLanguage", in.QueryLanguage, queryLanguages)
	v.str("name", in.Name, true, ruleQueryDefName)
	v.str("queryDefinitionId", in.QueryDefinitionID, false, ruleQueryID)
	for i := range in.LogGroupNames {
		v.str("logGroupNames."+itoa(i+1)+".member", &in.LogGroupNames[i], true, ruleGroupName)
	}
	v.str("queryString", in.QueryString, true, ruleQueryDefText)
	v.str("clientToken", in.ClientToken, false, ruleClientToken)
	if len(in.Parameters) > 20 {
		v.add(itoa(len(in.Parameters))+" parameters", "parameters", "have length less than or equal to 20")
	}
	for i, p := range in.Parameters {
		param := "parameters." + itoa(i+1) + ".member."
		v.str(param+"name", p.Name, true, ruleParamName)
		v.str(param+"defaultValue", p.DefaultValue, false, ruleParamDefault)
		v.str(param+"description", p.Description, false, ruleParamDesc)
	}
}

func (h *Handler) putQueryDefinition(c *call, in *putQueryDefinitionInput) (any, error) {
	if err := checkLanguage(in.QueryLanguage); err != nil {
		return nil, err
	}
	d := store.QueryDefinition{Name: *in.Name, QueryString: *in.QueryString, QueryLanguage: "CWLI",
		LogGroupNames: in.LogGroupNames, LastModified: h.now().UnixMilli()}
	if len(in.Parameters) > 0 {
		d.Parameters, _ = json.Marshal(in.Parameters) // plain strings: cannot fail
	}
	if in.QueryDefinitionID != nil {
		d.ID = *in.QueryDefinitionID
		found := false
		if err := h.store.ListQueryDefinitions(c.ctx, c.region, func(o store.QueryDefinition) bool {
			found = o.ID == d.ID
			return !found
		}); err != nil {
			return nil, err
		}
		if !found {
			return nil, clientError("ResourceNotFoundException", "The specified query definition does not exist.")
		}
	} else {
		d.ID = awsapi.NewID()
	}
	err := h.store.PutQueryDefinition(c.ctx, c.region, d, func(others int) error {
		if others >= queries.MaxDefinitions {
			return clientError("LimitExceededException", "Resource limit exceeded: at most %d query definitions per region.", queries.MaxDefinitions)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct {
		QueryDefinitionID string `json:"queryDefinitionId"`
	}{d.ID}, nil
}

type describeQueryDefinitionsInput struct {
	QueryLanguage             *string
	QueryDefinitionNamePrefix *string
	MaxResults                *int64
	NextToken                 *string
}

func (in *describeQueryDefinitionsInput) validate(v *validationErrors) {
	v.enum("queryLanguage", in.QueryLanguage, queryLanguages)
	v.str("queryDefinitionNamePrefix", in.QueryDefinitionNamePrefix, false, ruleQueryDefName)
	v.intRange("maxResults", in.MaxResults, 1, 1000)
	v.str("nextToken", in.NextToken, false, ruleNextToken)
}

func (h *Handler) describeQueryDefinitions(c *call, in *describeQueryDefinitionsInput) (any, error) {
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := 1000
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	type defOut struct {
		QueryLanguage     string          `json:"queryLanguage"`
		QueryDefinitionID string          `json:"queryDefinitionId"`
		Name              string          `json:"name"`
		QueryString       string          `json:"queryString"`
		LastModified      int64           `json:"lastModified"`
		LogGroupNames     []string        `json:"logGroupNames,omitempty"`
		Parameters        json.RawMessage `json:"parameters,omitempty"`
	}
	var defs []store.QueryDefinition
	if err := h.store.ListQueryDefinitions(c.ctx, c.region, func(d store.QueryDefinition) bool {
		if (in.QueryDefinitionNamePrefix == nil || strings.HasPrefix(d.Name, *in.QueryDefinitionNamePrefix)) &&
			(in.QueryLanguage == nil || *in.QueryLanguage == "CWLI") {
			defs = append(defs, d)
		}
		return true
	}); err != nil {
		return nil, err
	}
	// By name, then id: the order a console lists saved queries in.
	slices.SortFunc(defs, func(a, b store.QueryDefinition) int {
		return strings.Compare(a.Name+"\x00"+a.ID, b.Name+"\x00"+b.ID)
	})
	out := struct {
		QueryDefinitions []defOut `json:"queryDefinitions"`
		NextToken        string   `json:"nextToken,omitempty"`
	}{QueryDefinitions: []defOut{}}
	for _, d := range defs {
		if after != "" && d.Name+"\x00"+d.ID <= after {
			continue
		}
		if len(out.QueryDefinitions) == limit {
			last := out.QueryDefinitions[limit-1]
			out.NextToken = encodeToken(last.Name + "\x00" + last.QueryDefinitionID)
			break
		}
		out.QueryDefinitions = append(out.QueryDefinitions, defOut{QueryLanguage: "CWLI", QueryDefinitionID: d.ID, Name: d.Name,
			QueryString: d.QueryString, LastModified: d.LastModified, LogGroupNames: d.LogGroupNames, Parameters: d.Parameters})
	}
	return out, nil
}

type deleteQueryDefinitionInput struct {
	QueryDefinitionID *string `json:"queryDefinitionId"`
}

func (in *deleteQueryDefinitionInput) validate(v *validationErrors) {
	v.str("queryDefinitionId", in.QueryDefinitionID, true, ruleQueryID)
}

func (h *Handler) deleteQueryDefinition(c *call, in *deleteQueryDefinitionInput) (any, error) {
	err := h.store.DeleteQueryDefinition(c.ctx, c.region, *in.QueryDefinitionID)
	if errors.Is(err, store.ErrQueryDefinitionNotFound) {
		return nil, clientError("ResourceNotFoundException", "The specified query definition does not exist.")
	}
	if err != nil {
		return nil, err
	}
	return struct {
		Success bool `json:"success"`
	}{true}, nil
}

// writeMalformedQuery writes StartQuery's MalformedQueryException, which
// carries where in the query the error is.
func writeMalformedQuery(w http.ResponseWriter, m *malformedQuery) {
	body, _ := json.Marshal(map[string]any{
		"__type":  "MalformedQueryException",
		"message": m.err.Message,
		"queryCompileError": map[string]any{
			"location": map[string]int{"startCharOffset": m.err.Start, "endCharOffset": m.err.End},
			"message":  m.err.Message,
		},
	})
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Amzn-ErrorType", "MalformedQueryException")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(body)
}
