package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func queryCommand() command {
	return command{
		name:    "query",
		summary: "run a Logs Insights query and print its results",
		run:     runQuery,
	}
}

// queryFlags are query's flags.
type queryFlags struct {
	target
	groups     listFlag
	since      time.Duration
	start, end string
	limit      int
	output     string
}

func runQuery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("query", "query 'QUERY' [--group G ...] [--since 1h | --start T --end T] [--limit N] [--output table|json|csv] [--endpoint URL | --aws]", stderr)
	var f queryFlags
	f.target.register(fs)
	fs.Var(&f.groups, "group", "log `group` to query (repeatable; none when the query starts with SOURCE)")
	fs.DurationVar(&f.since, "since", time.Hour, "query the events of this long before now")
	fs.StringVar(&f.start, "start", "", "start `time` (RFC 3339, '2006-01-02 15:04:05' local time, or epoch seconds); overrides --since")
	fs.StringVar(&f.end, "end", "", "end `time`, inclusive (default now)")
	fs.IntVar(&f.limit, "limit", 0, "rows to return when the query has no limit command (default 10000, at most 100000)")
	fs.StringVar(&f.output, "output", "table", "output `format`: table, json or csv")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "lambdalog query: give the query as one argument, in quotes ('-' reads it from standard input)")
		fs.Usage()
		return errUsage
	}
	text := pos[0]
	if text == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fmt.Errorf("query: read the query: %w", err)
		}
		text = string(b)
	}
	if err := f.run(ctx, text, stdout, stderr); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	return nil
}

// parseInterspersed parses flags that may come before and after positional
// arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseTime reads a command-line time: RFC 3339, a local date and time, or
// epoch seconds.
func parseTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time: use RFC 3339 (2026-12-01T10:00:00Z), '2026-12-01 10:00:00' or epoch seconds", s)
}

func (f *queryFlags) timeRange() (start, end time.Time, err error) {
	end = time.Now()
	if f.end != "" {
		if end, err = parseTime(f.end); err != nil {
			return start, end, fmt.Errorf("--end: %w", err)
		}
	}
	start = end.Add(-f.since)
	if f.start != "" {
		if start, err = parseTime(f.start); err != nil {
			return start, end, fmt.Errorf("--start: %w", err)
		}
	}
	if end.Before(start) {
		return start, end, errors.New("the end of the time range is before its start")
	}
	return start, end, nil
}

func (f *queryFlags) run(ctx context.Context, text string, stdout, stderr io.Writer) error {
	if f.output != "table" && f.output != "json" && f.output != "csv" {
		return fmt.Errorf("--output %q: want table, json or csv", f.output)
	}
	start, end, err := f.timeRange()
	if err != nil {
		return err
	}
	cfg, err := f.config(ctx)
	if err != nil {
		return err
	}
	client := cwl.NewFromConfig(cfg)
	in := &cwl.StartQueryInput{QueryString: aws.String(text), StartTime: aws.Int64(start.Unix()), EndTime: aws.Int64(end.Unix())}
	if len(f.groups) > 0 {
		in.LogGroupNames = f.groups
	}
	if f.limit > 0 {
		in.Limit = aws.Int32(int32(min(f.limit, 100_000)))
	}
	started, err := client.StartQuery(ctx, in)
	if err != nil {
		return explainQueryError(err, text, f.where(cfg))
	}
	progress := terminalOf(stderr)
	out, err := waitForQuery(ctx, client, started.QueryId, func(s *types.QueryStatistics) {
		if progress.isTTY && s != nil {
			fmt.Fprintf(stderr, "\r\x1b[Kquerying: %s records scanned, %s matched", thousands(s.RecordsScanned), thousands(s.RecordsMatched))
		}
	})
	if progress.isTTY {
		fmt.Fprint(stderr, "\r\x1b[K")
	}
	if err != nil {
		return err
	}
	rows := out.Results
	switch f.output {
	case "json":
		err = writeJSONRows(stdout, rows)
	case "csv":
		err = writeCSVRows(stdout, rows)
	default:
		err = writeTable(stdout, terminalOf(stdout).width, rows)
	}
	if err != nil {
		return err
	}
	if s := out.Statistics; s != nil {
		fmt.Fprintf(stderr, "%d rows; %s records matched of %s scanned (%s)\n", len(rows), thousands(s.RecordsMatched), thousands(s.RecordsScanned), byteSize(s.BytesScanned))
	}
	return nil
}

// waitForQuery polls a query until it ends and returns all its rows. On
// cancellation it stops the query.
func waitForQuery(ctx context.Context, client *cwl.Client, id *string, progress func(*types.QueryStatistics)) (*cwl.GetQueryResultsOutput, error) {
	wait := 20 * time.Millisecond
	for {
		out, err := client.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: id})
		if ctx.Err() != nil {
			stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, _ = client.StopQuery(stopCtx, &cwl.StopQueryInput{QueryId: id})
			cancel()
			return nil, errors.New("stopped")
		}
		if err != nil {
			return nil, err
		}
		switch out.Status {
		case types.QueryStatusComplete:
			for token := out.NextToken; token != nil; {
				page, err := client.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: id, NextToken: token})
				if err != nil {
					return nil, err
				}
				out.Results = append(out.Results, page.Results...)
				token = page.NextToken
			}
			return out, nil
		case types.QueryStatusScheduled, types.QueryStatusRunning:
			progress(out.Statistics)
		default:
			return nil, fmt.Errorf("the query ended %s", out.Status)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
		wait = min(wait*3/2, time.Second)
	}
}

// explainQueryError points at where a malformed query went wrong.
func explainQueryError(err error, text, where string) error {
	var mq *types.MalformedQueryException
	if errors.As(err, &mq) && mq.QueryCompileError != nil && mq.QueryCompileError.Location != nil {
		loc := mq.QueryCompileError.Location
		start := int(aws.ToInt32(loc.StartCharOffset))
		line, col, lineText := lineAt(text, start)
		return fmt.Errorf("%s\n  line %d, column %d:\n  %s\n  %s^", aws.ToString(mq.QueryCompileError.Message), line, col, lineText, strings.Repeat(" ", col-1))
	}
	return fmt.Errorf("start the query at %s: %w", where, err)
}

// lineAt returns the 1-based line and column of the character offset off
// in text, and that line.
func lineAt(text string, off int) (line, col int, lineText string) {
	line, col = 1, 1
	lineStart := 0
	i := 0
	for j, r := range text {
		if i == off {
			break
		}
		i++
		if r == '\n' {
			line++
			col = 1
			lineStart = j + 1
			continue
		}
		col++
	}
	lineText, _, _ = strings.Cut(text[lineStart:], "\n")
	return line, col, lineText
}

// columns returns the fields of rows in the order they first appear,
// without @ptr.
func columns(rows [][]types.ResultField) []string {
	var cols []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, f := range r {
			name := aws.ToString(f.Field)
			if name != "@ptr" && !seen[name] {
				seen[name] = true
				cols = append(cols, name)
			}
		}
	}
	return cols
}

func rowMap(r []types.ResultField) map[string]string {
	m := make(map[string]string, len(r))
	for _, f := range r {
		m[aws.ToString(f.Field)] = aws.ToString(f.Value)
	}
	return m
}

func writeJSONRows(w io.Writer, rows [][]types.ResultField) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	out := make([]map[string]string, len(rows))
	for i, r := range rows {
		out[i] = rowMap(r)
	}
	return enc.Encode(out)
}

func writeCSVRows(w io.Writer, rows [][]types.ResultField) error {
	cols := columns(rows)
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for _, r := range rows {
		m := rowMap(r)
		for i, c := range cols {
			rec[i] = m[c]
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeTable prints rows as a table at most width columns wide: the widest
// columns are narrowed, and their values cut with "…", until it fits.
func writeTable(w io.Writer, width int, rows [][]types.ResultField) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no rows")
		return err
	}
	cols := columns(rows)
	cells := make([][]string, len(rows))
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = utf8.RuneCountInString(c)
	}
	for r, row := range rows {
		m := rowMap(row)
		cells[r] = make([]string, len(cols))
		for i, c := range cols {
			v := oneLine.Replace(m[c])
			cells[r][i] = v
			widths[i] = max(widths[i], utf8.RuneCountInString(v))
		}
	}
	const gap, narrowest = 2, 8
	total := func() int {
		n := gap * (len(cols) - 1)
		for _, wd := range widths {
			n += wd
		}
		return n
	}
	for total() > width {
		widest := 0
		for i := range widths {
			if widths[i] > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= narrowest {
			break
		}
		widths[widest] = max(narrowest, widths[widest]-(total()-width))
	}
	line := func(vals []string) string {
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", gap))
			}
			v = cut(v, widths[i])
			b.WriteString(v)
			if i < len(vals)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v)))
			}
		}
		return b.String()
	}
	if _, err := fmt.Fprintln(w, line(cols)); err != nil {
		return err
	}
	for _, r := range cells {
		if _, err := fmt.Fprintln(w, line(r)); err != nil {
			return err
		}
	}
	return nil
}

// oneLine keeps a value on its row.
var oneLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// cut shortens s to n characters, ending it with "…" when it was longer.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// thousands formats a count with thousands separators.
func thousands(f float64) string {
	s := strconv.FormatInt(int64(f), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// byteSize formats a byte count for people.
func byteSize(f float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", int64(f))
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}
