package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/aws/aws-sdk-go-v2/service/xray/types"
)

func tracesCommand() command {
	return command{
		name:    "traces",
		summary: "list recent X-Ray traces, or draw one as a waterfall with its log lines",
		run:     runTraces,
	}
}

// tracesFlags are the traces command's flags.
type tracesFlags struct {
	target
	since  time.Duration
	filter string
	limit  int
	noLogs bool
}

func runTraces(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("traces", "traces [--since 15m] [--filter EXPR] [--limit N] [--endpoint URL | --aws]   or   traces TRACE_ID [--no-logs] [--endpoint URL | --aws]", stderr)
	var f tracesFlags
	f.target.register(fs)
	fs.DurationVar(&f.since, "since", 15*time.Minute, "list the traces that started this long before now")
	fs.StringVar(&f.filter, "filter", "", "X-Ray filter `expression`, e.g. 'annotation.ColdStart = true' or 'service(\"hello\") { fault }'")
	fs.IntVar(&f.limit, "limit", 25, "list at most this many traces, the most recent")
	fs.BoolVar(&f.noLogs, "no-logs", false, "draw the trace without its log lines")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		fmt.Fprintln(stderr, "lambdalog traces: give at most one trace id")
		fs.Usage()
		return errUsage
	}
	cfg, err := f.config(ctx)
	if err != nil {
		return fmt.Errorf("traces: %w", err)
	}
	if len(pos) == 1 {
		err = f.show(ctx, cfg, pos[0], stdout)
	} else {
		err = f.list(ctx, cfg, stdout)
	}
	if err != nil {
		return fmt.Errorf("traces: %w", err)
	}
	return nil
}

// list prints the recent traces as a table: id, start, duration, status,
// entry point and annotations.
func (f *tracesFlags) list(ctx context.Context, cfg aws.Config, stdout io.Writer) error {
	if f.since <= 0 || f.limit <= 0 {
		return errors.New("--since and --limit must be positive")
	}
	client := xray.NewFromConfig(cfg)
	end := time.Now()
	in := &xray.GetTraceSummariesInput{StartTime: aws.Time(end.Add(-f.since)), EndTime: aws.Time(end)}
	if f.filter != "" {
		in.FilterExpression = aws.String(f.filter)
	}
	var sums []types.TraceSummary
	for p := xray.NewGetTraceSummariesPaginator(client, in); p.HasMorePages() && len(sums) < f.limit; {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("get the trace summaries from %s: %w", f.where(cfg), err)
		}
		sums = append(sums, page.TraceSummaries...)
	}
	slices.SortStableFunc(sums, func(a, b types.TraceSummary) int {
		return -aws.ToTime(a.StartTime).Compare(aws.ToTime(b.StartTime))
	})
	if len(sums) > f.limit {
		sums = sums[:f.limit]
	}
	if len(sums) == 0 {
		_, err := fmt.Fprintf(stdout, "no traces in the last %s\n", f.since)
		return err
	}
	rows := [][]string{{"ID", "START", "DURATION", "STATUS", "ENTRY", "ANNOTATIONS"}}
	for _, s := range sums {
		rows = append(rows, []string{aws.ToString(s.Id), aws.ToTime(s.StartTime).Local().Format("15:04:05.000"),
			formatSeconds(aws.ToFloat64(s.Duration)), summaryStatus(s), entryPoint(s), annotationsText(s.Annotations)})
	}
	return writeTraceTable(stdout, terminalOf(stdout).width, rows)
}

// writeTraceTable prints rows in columns that fit width: the id, time,
// duration and status whole, the entry point and the annotations cut
// with "…" when the line would be too long.
func writeTraceTable(w io.Writer, width int, rows [][]string) error {
	const gap = 2
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	fixed := gap * (len(widths) - 1)
	for _, wd := range widths[:4] {
		fixed += wd
	}
	room := max(16, width-fixed)
	// The entry point gets up to half the room, the annotations the rest.
	widths[4] = min(widths[4], max(room/2, room-widths[5]))
	widths[5] = max(8, min(widths[5], room-widths[4]))
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			c = cut(oneLine.Replace(c), widths[i])
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+gap))
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	return nil
}

func summaryStatus(s types.TraceSummary) string {
	switch {
	case aws.ToBool(s.HasFault):
		return "Fault"
	case aws.ToBool(s.HasThrottle):
		return "Throttle"
	case aws.ToBool(s.HasError):
		return "Error"
	case aws.ToBool(s.IsPartial):
		return "Partial"
	}
	return "OK"
}

func entryPoint(s types.TraceSummary) string {
	var b strings.Builder
	if s.EntryPoint != nil {
		b.WriteString(aws.ToString(s.EntryPoint.Name))
	}
	if h := s.Http; h != nil {
		if h.HttpMethod != nil || h.HttpURL != nil {
			fmt.Fprintf(&b, " %s %s", aws.ToString(h.HttpMethod), aws.ToString(h.HttpURL))
		}
		if h.HttpStatus != nil {
			fmt.Fprintf(&b, " %d", *h.HttpStatus)
		}
	}
	return strings.TrimSpace(b.String())
}

// annotationsText writes annotations as key=value, sorted by key.
func annotationsText(anns map[string][]types.ValueWithServiceIds) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(anns)) {
		for _, v := range anns[k] {
			parts = append(parts, k+"="+annotationValue(v.AnnotationValue))
		}
	}
	return strings.Join(parts, " ")
}

func annotationValue(v types.AnnotationValue) string {
	switch x := v.(type) {
	case *types.AnnotationValueMemberStringValue:
		return x.Value
	case *types.AnnotationValueMemberNumberValue:
		return strconv.FormatFloat(x.Value, 'g', -1, 64)
	case *types.AnnotationValueMemberBooleanValue:
		return strconv.FormatBool(x.Value)
	}
	return "?"
}

// formatSeconds writes a duration in seconds as people read it.
func formatSeconds(s float64) string {
	switch {
	case s < 1:
		return strconv.FormatFloat(s*1000, 'f', 2, 64) + " ms"
	case s < 100:
		return strconv.FormatFloat(s, 'f', 3, 64) + " s"
	}
	return (time.Duration(s * float64(time.Second))).Round(time.Second).String()
}

// show draws one trace and prints its log lines.
func (f *tracesFlags) show(ctx context.Context, cfg aws.Config, id string, stdout io.Writer) error {
	out, err := xray.NewFromConfig(cfg).BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{id}})
	if err != nil {
		return fmt.Errorf("get trace %s from %s: %w", id, f.where(cfg), err)
	}
	if len(out.Traces) == 0 {
		return fmt.Errorf("trace %s not found at %s (traces are kept 30 days; list recent ones with lambdalog traces)", id, f.where(cfg))
	}
	var docs []string
	for _, s := range out.Traces[0].Segments {
		docs = append(docs, aws.ToString(s.Document))
	}
	w := parseWaterfall(id, docs)
	term := terminalOf(stdout)
	if _, err := io.WriteString(stdout, w.render(term.width, term.color)); err != nil {
		return err
	}
	if f.noLogs {
		return nil
	}
	return f.printLogs(ctx, cfg, w, stdout)
}

// span is one row of a waterfall: a segment or subsegment.
type span struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	ParentID    string         `json:"parent_id"`
	Origin      string         `json:"origin"`
	Start       float64        `json:"start_time"`
	End         float64        `json:"end_time"`
	InProgress  bool           `json:"in_progress"`
	Error       bool           `json:"error"`
	Fault       bool           `json:"fault"`
	Throttle    bool           `json:"throttle"`
	Inferred    bool           `json:"inferred"`
	Annotations map[string]any `json:"annotations"`
	Subsegments []*span        `json:"subsegments"`
	AWS         struct {
		RequestID      string `json:"request_id"`
		CloudwatchLogs []struct {
			LogGroup string `json:"log_group"`
		} `json:"cloudwatch_logs"`
	} `json:"aws"`
	children []*span // subsegments and the segments they called, by start
}

// waterfall is a trace prepared for drawing.
type waterfall struct {
	id         string
	roots      []*span
	start, end float64
	// requestIDs and logGroups lead to the trace's log lines.
	requestIDs, logGroups []string
	annotations           []string // key=value
}

// parseWaterfall reads a trace's segment documents: each segment goes
// under the subsegment (or segment) that called it, as X-Ray draws a trace.
// Inferred segments repeat the subsegment of their call and are left out.
func parseWaterfall(id string, docs []string) *waterfall {
	w := &waterfall{id: id, start: math.Inf(1)}
	byID := map[string]*span{}
	var segments []*span
	for _, d := range docs {
		var s span
		if json.Unmarshal([]byte(d), &s) != nil || s.Inferred {
			continue
		}
		segments = append(segments, &s)
		w.index(&s, byID)
	}
	for _, s := range segments {
		if p := byID[s.ParentID]; p != nil && s.ParentID != "" && p != s {
			p.children = append(p.children, s)
		} else {
			w.roots = append(w.roots, s)
		}
		if s.AWS.RequestID != "" {
			w.requestIDs = append(w.requestIDs, s.AWS.RequestID)
		}
		for _, l := range s.AWS.CloudwatchLogs {
			if l.LogGroup != "" && !slices.Contains(w.logGroups, l.LogGroup) {
				w.logGroups = append(w.logGroups, l.LogGroup)
			}
		}
	}
	byStart := func(a, b *span) int { return cmp.Compare(a.Start, b.Start) }
	slices.SortStableFunc(w.roots, byStart)
	seen := map[string]bool{}
	var walk func(s *span, depth int)
	walk = func(s *span, depth int) {
		if depth > 100 {
			return
		}
		slices.SortStableFunc(s.children, byStart)
		w.start = min(w.start, s.Start)
		w.end = max(w.end, s.Start, s.End)
		for _, k := range slices.Sorted(maps.Keys(s.Annotations)) {
			kv := fmt.Sprintf("%s=%v", k, s.Annotations[k])
			if !seen[kv] {
				seen[kv] = true
				w.annotations = append(w.annotations, kv)
			}
		}
		for _, c := range s.children {
			walk(c, depth+1)
		}
	}
	for _, r := range w.roots {
		walk(r, 0)
	}
	if math.IsInf(w.start, 1) {
		w.start = 0
	}
	return w
}

// index records a span and its subsegments by id, with the subsegments as
// their parent's first children.
func (w *waterfall) index(s *span, byID map[string]*span) {
	if _, dup := byID[s.ID]; !dup && s.ID != "" {
		byID[s.ID] = s
	}
	for _, c := range s.Subsegments {
		s.children = append(s.children, c)
		w.index(c, byID)
	}
}

// ANSI colours of the bars.
const (
	colorOK       = "\x1b[32m"
	colorError    = "\x1b[33m"
	colorFault    = "\x1b[31m"
	colorThrottle = "\x1b[35m"
	colorPending  = "\x1b[36m"
	colorDim      = "\x1b[2m"
	colorReset    = "\x1b[0m"
)

func (s *span) status() (word, color string) {
	switch {
	case s.Fault:
		return "fault", colorFault
	case s.Throttle:
		return "throttle", colorThrottle
	case s.Error:
		return "error", colorError
	case s.InProgress:
		return "in progress", colorPending
	}
	return "", colorOK
}

// render draws the waterfall width columns wide: a name column (indented
// by depth), the duration, and a bar placed on the trace's time line.
func (w *waterfall) render(width int, color bool) string {
	type row struct {
		label, dur string
		s          *span
	}
	var rows []row
	var walk func(s *span, depth int)
	walk = func(s *span, depth int) {
		if depth > 100 {
			return
		}
		label := strings.Repeat("  ", depth) + s.Name
		if s.Origin != "" {
			label += " (" + s.Origin + ")"
		}
		dur := "-"
		if !s.InProgress && s.End >= s.Start {
			dur = formatSeconds(s.End - s.Start)
		}
		if word, _ := s.status(); word != "" {
			dur = word + " " + dur
		}
		rows = append(rows, row{label, dur, s})
		for _, c := range s.children {
			walk(c, depth+1)
		}
	}
	for _, r := range w.roots {
		walk(r, 0)
	}
	total := w.end - w.start
	var b strings.Builder
	status := "OK"
	for _, r := range rows {
		if word, _ := r.s.status(); word != "" && status == "OK" {
			status = word
		}
	}
	fmt.Fprintf(&b, "Trace %s  %s  %s\nStarted %s\n", w.id, formatSeconds(total), status,
		time.UnixMicro(int64(w.start*1e6)).Local().Format("2006-01-02 15:04:05.000"))
	if len(w.annotations) > 0 {
		fmt.Fprintf(&b, "Annotations: %s\n", cut(strings.Join(w.annotations, " "), max(20, width-13)))
	}
	if len(rows) == 0 {
		b.WriteString("no segments\n")
		return b.String()
	}
	labelW, durW := 0, 0
	for _, r := range rows {
		labelW = max(labelW, utf8.RuneCountInString(r.label))
		durW = max(durW, len(r.dur))
	}
	labelW = min(labelW, max(12, width*2/5))
	barW := max(10, width-labelW-durW-4)
	// The time axis: 0, the middle and the end of the trace.
	axis := []rune(strings.Repeat(" ", barW))
	place := func(at int, text string) {
		for i, r := range text {
			if at+i >= 0 && at+i < len(axis) {
				axis[at+i] = r
			}
		}
	}
	place(0, "0")
	mid := formatSeconds(total / 2)
	place(barW/2-len(mid)/2, mid)
	end := formatSeconds(total)
	place(barW-len(end), end)
	fmt.Fprintf(&b, "%-*s %*s |%s|\n", labelW, "", durW, "", string(axis))
	for _, r := range rows {
		from, to := 0, barW
		if total > 0 {
			from = int(math.Floor((r.s.Start - w.start) / total * float64(barW)))
			stop := r.s.End
			if r.s.InProgress || stop < r.s.Start {
				stop = w.end
			}
			to = int(math.Ceil((stop - w.start) / total * float64(barW)))
		}
		from = min(max(from, 0), barW-1)
		to = min(max(to, from+1), barW)
		bar := strings.Repeat(" ", from) + strings.Repeat("█", to-from) + strings.Repeat(" ", barW-to)
		if color {
			_, c := r.s.status()
			bar = strings.Repeat(" ", from) + c + strings.Repeat("█", to-from) + colorReset + strings.Repeat(" ", barW-to)
		}
		label := cut(r.label, labelW)
		fmt.Fprintf(&b, "%s%s %*s |%s|\n", label, strings.Repeat(" ", labelW-utf8.RuneCountInString(label)), durW, r.dur, bar)
	}
	return b.String()
}

// printLogs prints the log lines of the trace: those of its log groups that
// carry its trace id (the logger's xray_trace_id) or one of its request
// ids (START, END, REPORT and the logger's function_request_id), from a
// minute before the trace to a minute after.
func (f *tracesFlags) printLogs(ctx context.Context, cfg aws.Config, w *waterfall, stdout io.Writer) error {
	if len(w.logGroups) == 0 {
		_, err := fmt.Fprintln(stdout, "\nNo log groups in the trace (no AWS::Lambda::Function segment names one).")
		return err
	}
	terms := []string{w.id}
	terms = append(terms, w.requestIDs...)
	var pattern strings.Builder
	for _, t := range terms {
		fmt.Fprintf(&pattern, "?%q ", t)
	}
	startMS := int64(w.start*1000) - time.Minute.Milliseconds()
	endMS := int64(w.end*1000) + time.Minute.Milliseconds()
	events, err := fetchEvents(ctx, cwl.NewFromConfig(cfg), w.logGroups, startMS, endMS, strings.TrimSpace(pattern.String()),
		func(string) bool { return true })
	if err != nil {
		return fmt.Errorf("read the log lines of %s: %w", strings.Join(w.logGroups, ", "), err)
	}
	fmt.Fprintf(stdout, "\nLog lines (%s):\n", strings.Join(w.logGroups, ", "))
	if len(events) == 0 {
		_, err := fmt.Fprintln(stdout, "  none found")
		return err
	}
	p := newTailPrinter(stdout, "pretty", len(w.logGroups) > 1)
	for _, e := range events {
		if err := p.print(e); err != nil {
			return err
		}
	}
	return nil
}
