package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func tailCommand() command {
	return command{
		name:    "tail",
		summary: "print log events of log groups, interleaved by time, and follow new ones",
		run:     runTail,
	}
}

// tailFlags are tail's flags.
type tailFlags struct {
	target
	follow   bool
	filter   string
	since    time.Duration
	format   string
	every    time.Duration
	lateness time.Duration
}

func runTail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("tail", "tail GROUP... [--follow] [--filter PATTERN] [--since 10m] [--format pretty|short|json] [--endpoint URL | --aws]", stderr)
	var f tailFlags
	f.target.register(fs)
	fs.BoolVar(&f.follow, "follow", false, "keep printing new events until interrupted (Ctrl-C)")
	fs.StringVar(&f.filter, "filter", "", "CloudWatch Logs filter `pattern`, such as ERROR or '{ $.level = \"ERROR\" }'")
	fs.DurationVar(&f.since, "since", 10*time.Minute, "print the events of this long before now")
	fs.StringVar(&f.format, "format", "pretty", "`format`: pretty (Powertools JSON and EMF as one readable line), short (time and message) or json (one object per event)")
	fs.DurationVar(&f.every, "interval", 500*time.Millisecond, "with --follow, how often to ask for new events")
	fs.DurationVar(&f.lateness, "lateness", 10*time.Second, "with --follow, how late (by its timestamp) an event may arrive and still be printed")
	groups, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		fmt.Fprintln(stderr, "lambdalog tail: name at least one log group, e.g. /aws/lambda/hello")
		fs.Usage()
		return errUsage
	}
	if f.format != "pretty" && f.format != "short" && f.format != "json" {
		return fmt.Errorf("tail: --format %q: want pretty, short or json", f.format)
	}
	if err := f.run(ctx, groups, stdout, stderr); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("tail: %w", err)
	}
	return nil
}

// tailEvent is one event of one group.
type tailEvent struct {
	group string
	types.FilteredLogEvent
}

func (f *tailFlags) run(ctx context.Context, groups []string, stdout, stderr io.Writer) error {
	cfg, err := f.config(ctx)
	if err != nil {
		return err
	}
	client := cwl.NewFromConfig(cfg)
	p := newTailPrinter(stdout, f.format, len(groups) > 1)
	start := time.Now().Add(-f.since).UnixMilli()
	// Events are asked for from a little before the newest one printed, so
	// that events arriving late still appear; seen remembers the ids printed
	// in that window so that none is printed twice.
	seen := map[string]int64{}
	// With --follow, a group that does not exist yet (a function not yet
	// invoked) is waited for.
	missing := map[string]bool{}
	for {
		evs, err := fetchEvents(ctx, client, groups, start, 0, f.filter, func(group string) bool {
			if !f.follow {
				return false
			}
			if !missing[group] {
				missing[group] = true
				fmt.Fprintf(stderr, "lambdalog tail: %s does not exist yet; waiting for it\n", group)
			}
			return true
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read %s at %s: %w", strings.Join(groups, ", "), f.where(cfg), err)
		}
		newest := start
		for _, e := range evs {
			id := aws.ToString(e.EventId)
			if _, dup := seen[id]; dup {
				continue
			}
			seen[id] = aws.ToInt64(e.Timestamp)
			newest = max(newest, aws.ToInt64(e.Timestamp))
			if err := p.print(e); err != nil {
				return err
			}
		}
		if !f.follow {
			return nil
		}
		start = max(start, newest-f.lateness.Milliseconds())
		for id, ts := range seen {
			if ts < start {
				delete(seen, id)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(f.every):
		}
	}
}

// fetchEvents returns the events of every group from start on (and before
// end, unless 0), all pages, interleaved by time (ties keep the order of the
// groups as given). A group that does not exist is skipped if skipMissing
// says so, else an error.
func fetchEvents(ctx context.Context, client *cwl.Client, groups []string, start, end int64, pattern string, skipMissing func(group string) bool) ([]tailEvent, error) {
	var all []tailEvent
	for _, g := range groups {
		in := &cwl.FilterLogEventsInput{LogGroupName: aws.String(g), StartTime: aws.Int64(start)}
		if end > 0 {
			in.EndTime = aws.Int64(end)
		}
		if pattern != "" {
			in.FilterPattern = aws.String(pattern)
		}
		p := cwl.NewFilterLogEventsPaginator(client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if nf := (*types.ResourceNotFoundException)(nil); errors.As(err, &nf) && skipMissing(g) {
				break
			}
			if err != nil {
				return nil, err
			}
			for _, e := range page.Events {
				all = append(all, tailEvent{g, e})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b tailEvent) int { return cmp.Compare(aws.ToInt64(a.Timestamp), aws.ToInt64(b.Timestamp)) })
	return all, nil
}

// tailPrinter writes events in one of tail's formats.
type tailPrinter struct {
	w       io.Writer
	format  string
	color   bool
	prefix  bool // several groups: name each line's function
	palette map[string]string
}

func newTailPrinter(w io.Writer, format string, several bool) *tailPrinter {
	return &tailPrinter{w: w, format: format, color: terminalOf(w).color, prefix: several, palette: map[string]string{}}
}

// ANSI styles.
const (
	styleReset = "\x1b[0m"
	styleDim   = "\x1b[2m"
	styleBold  = "\x1b[1m"
	styleRed   = "\x1b[31m"
	styleYel   = "\x1b[33m"
	styleBlue  = "\x1b[34m"
	styleCyan  = "\x1b[36m"
	styleMag   = "\x1b[35m"
	styleGreen = "\x1b[32m"
)

func (p *tailPrinter) style(s, code string) string {
	if !p.color || s == "" {
		return s
	}
	return code + s + styleReset
}

func (p *tailPrinter) print(e tailEvent) error {
	ts := time.UnixMilli(aws.ToInt64(e.Timestamp))
	msg := strings.TrimRight(aws.ToString(e.Message), "\n")
	var line string
	switch p.format {
	case "json":
		b, err := json.Marshal(map[string]any{
			"logGroup": e.group, "logStream": aws.ToString(e.LogStreamName), "timestamp": aws.ToInt64(e.Timestamp),
			"ingestionTime": aws.ToInt64(e.IngestionTime), "eventId": aws.ToString(e.EventId), "message": msg,
		})
		if err != nil {
			return err
		}
		line = string(b)
	case "short":
		line = p.style(ts.Format("15:04:05.000"), styleDim) + " " + p.source(e) + msg
	default:
		line = p.style(ts.Format("15:04:05.000"), styleDim) + " " + p.source(e) + p.pretty(msg)
	}
	_, err := fmt.Fprintln(p.w, line)
	return err
}

// source names the function of a line when several groups are tailed.
func (p *tailPrinter) source(e tailEvent) string {
	if !p.prefix {
		return ""
	}
	name := e.group[strings.LastIndexByte(e.group, '/')+1:]
	code, ok := p.palette[name]
	if !ok {
		colors := []string{styleCyan, styleMag, styleGreen, styleBlue, styleYel}
		code = colors[len(p.palette)%len(colors)]
		p.palette[name] = code
	}
	return p.style(name, code) + " "
}

// contextKeys are the Powertools keys every line of an invocation repeats;
// pretty leaves them out.
var contextKeys = map[string]bool{
	"level": true, "message": true, "timestamp": true, "location": true, "service": true, "cold_start": true,
	"function_name": true, "function_memory_size": true, "function_arn": true, "function_request_id": true,
	"xray_trace_id": true, "xray_segment_id": true, "sampling_rate": true,
}

// pretty renders a message: Powertools JSON as "LEVEL function message key=value ...", EMF as its metrics,
// Lambda's platform lines dimmed, REPORT summarised, anything else as is.
func (p *tailPrinter) pretty(msg string) string {
	switch {
	case strings.HasPrefix(msg, "REPORT RequestId: "):
		return p.style(summariseReport(msg), styleDim)
	case strings.HasPrefix(msg, "INIT_START "):
		// The runtime version ARN says nothing locally and overflows the line.
		line, _, _ := strings.Cut(msg, "\tRuntime Version ARN: ")
		return p.style(line, styleDim)
	case strings.HasPrefix(msg, "START RequestId: "), strings.HasPrefix(msg, "END RequestId: "),
		strings.HasPrefix(msg, "INIT_REPORT "):
		return p.style(msg, styleDim)
	}
	if !strings.HasPrefix(msg, "{") {
		return msg
	}
	dec := json.NewDecoder(strings.NewReader(msg))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || dec.More() {
		return msg
	}
	level, _ := m["level"].(string)
	text, _ := m["message"].(string)
	if level == "" && text == "" {
		if emf, ok := p.metrics(m); ok {
			return emf
		}
		return msg
	}
	var b strings.Builder
	b.WriteString(p.style(fmt.Sprintf("%-5s", level), levelStyle(level)))
	if fn, _ := m["function_name"].(string); fn != "" && !p.prefix {
		b.WriteString(" " + p.style(fn, styleCyan))
	}
	if cold, _ := m["cold_start"].(bool); cold {
		b.WriteString(" " + p.style("cold", styleBlue))
	}
	b.WriteString(" " + p.style(text, styleBold))
	keys := make([]string, 0, len(m))
	for k := range m {
		if !contextKeys[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(" " + p.style(k+"=", styleDim) + fieldText(m[k]))
	}
	return b.String()
}

// metrics renders an Embedded Metric Format record as
// "METRICS namespace Name=value unit ... · dimension=value ...".
func (p *tailPrinter) metrics(m map[string]any) (string, bool) {
	meta, _ := m["_aws"].(map[string]any)
	directives, _ := meta["CloudWatchMetrics"].([]any)
	if len(directives) == 0 {
		return "", false
	}
	var b strings.Builder
	b.WriteString(p.style("METRICS", styleMag))
	dims := map[string]bool{}
	for _, d := range directives {
		d, _ := d.(map[string]any)
		ns, _ := d["Namespace"].(string)
		b.WriteString(" " + p.style(ns, styleCyan))
		metrics, _ := d["Metrics"].([]any)
		for _, md := range metrics {
			md, _ := md.(map[string]any)
			name, _ := md["Name"].(string)
			b.WriteString(" " + p.style(name+"=", styleBold) + emfValue(m[name]))
			if unit, _ := md["Unit"].(string); unit != "" && unit != "None" {
				b.WriteString(" " + unit)
			}
		}
		sets, _ := d["Dimensions"].([]any)
		for _, set := range sets {
			set, _ := set.([]any)
			for _, k := range set {
				if k, ok := k.(string); ok {
					dims[k] = true
				}
			}
		}
	}
	if len(dims) > 0 {
		b.WriteString(" " + p.style("·", styleDim))
		for _, k := range slices.Sorted(maps.Keys(dims)) {
			b.WriteString(" " + p.style(k+"=", styleDim) + fieldText(m[k]))
		}
	}
	return b.String(), true
}

// emfValue writes a metric's value or values ([1,2] as 1,2).
func emfValue(v any) string {
	vs, ok := v.([]any)
	if !ok {
		return fieldText(v)
	}
	parts := make([]string, len(vs))
	for i, x := range vs {
		parts[i] = fieldText(x)
	}
	return strings.Join(parts, ",")
}

func levelStyle(level string) string {
	switch strings.ToUpper(level) {
	case "ERROR", "CRITICAL", "FATAL":
		return styleRed + styleBold
	case "WARN", "WARNING":
		return styleYel
	case "DEBUG", "TRACE":
		return styleDim
	}
	return styleGreen
}

// fieldText writes a JSON value compactly: strings bare unless they hold
// spaces, everything else as JSON.
func fieldText(v any) string {
	if s, ok := v.(string); ok {
		if s != "" && !strings.ContainsAny(s, " \t\n\"=") {
			return s
		}
		return strconv.Quote(s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// summariseReport turns a REPORT line into "REPORT 12.34 ms (billed 13 ms) · 45/128 MB · init 203.69 ms · <request id>".
func summariseReport(line string) string {
	fields := map[string]string{}
	id := ""
	for part := range strings.SplitSeq(strings.TrimPrefix(line, "REPORT "), "\t") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), ": ")
		if !ok {
			continue
		}
		if k == "RequestId" {
			id = v
		}
		fields[k] = v
	}
	s := "REPORT " + fields["Duration"]
	if b := fields["Billed Duration"]; b != "" {
		s += " (billed " + b + ")"
	}
	if used, size := strings.TrimSuffix(fields["Max Memory Used"], " MB"), fields["Memory Size"]; used != "" {
		s += " · " + used + "/" + size
	}
	if init := fields["Init Duration"]; init != "" {
		s += " · init " + init
	}
	return s + " · " + id
}
