package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestMain stops the servers the Insights benchmarks keep for the whole
// process and removes the binary testserver built.
func TestMain(m *testing.M) {
	code := testserver.Main(m)
	insStopServers()
	os.Exit(code)
}

// insGroup is the log group of the Insights corpus.
const insGroup = "/aws/lambda/orders-api"

// insAbsent stands for a value a row does not have (a field left out of an
// Insights row, an SQL NULL).
const insAbsent = "<absent>"

// insQuery is one query of BenchmarkInsights, in Logs Insights QL and, for
// DuckDB, in SQL over the corpus's NDJSON file.
type insQuery struct {
	name     string
	insights string
	// sql is the DuckDB query; %[1]s is the NDJSON file's path. Empty: no
	// DuckDB run, and want gives the expected rows.
	sql string
	// want returns the expected rows when sql is empty.
	want func(d *insData) [][]string
	// cells turns a result row, as column name -> value (SQL columns are
	// named like Insights columns), into the cells compared; sqlCells does it
	// for the SQL rows when they differ.
	cells, sqlCells func(row map[string]string) []string
	// tolerance is the relative difference allowed per numeric cell (0:
	// cells must be equal as text).
	tolerance []float64
	// sorted: the rows' order is part of the result; otherwise rows are
	// compared as a set (stats rows, whose order AWS leaves unspecified).
	sorted bool
	// matchedSQL, when set, counts the events the query matches, to check
	// GetQueryResults' recordsMatched.
	matchedSQL string
}

// insPick returns a cells function taking the named columns.
func insPick(cols ...string) func(map[string]string) []string {
	return func(row map[string]string) []string {
		out := make([]string, len(cols))
		for i, c := range cols {
			v, ok := row[c]
			if !ok {
				v = insAbsent
			}
			out[i] = v
		}
		return out
	}
}

// insLatency takes latency_ms from an event row's @message.
func insLatency(row map[string]string) []string {
	var m struct {
		LatencyMS json.Number `json:"latency_ms"`
	}
	if err := json.Unmarshal([]byte(row["@message"]), &m); err != nil || m.LatencyMS == "" {
		return []string{insAbsent}
	}
	return []string{m.LatencyMS.String()}
}

// insQueries are the queries of issue 12's performance section, then the
// one moto can run.
var insQueries = []insQuery{
	{
		name:     "filter-term",
		insights: `filter @message like "ERROR"`,
		// A text search of the whole line, like @message like: each line as
		// its JSON text, newest first, the default limit of 10,000.
		sql:        `SELECT json::VARCHAR AS "@message" FROM read_ndjson_objects('%[1]s') WHERE contains(json::VARCHAR, 'ERROR') ORDER BY json->>'timestamp' DESC LIMIT 10000`,
		matchedSQL: `SELECT count(*) FROM read_ndjson_objects('%[1]s') WHERE contains(json::VARCHAR, 'ERROR')`,
		cells:      insPick("@message"),
		sorted:     true,
	},
	{
		name:     "filter-json",
		insights: `filter level = "ERROR" and latency_ms > 500 | stats count(*)`,
		sql:      `SELECT count(*) AS "count(*)" FROM read_ndjson('%[1]s') WHERE level = 'ERROR' AND latency_ms > 500`,
		cells:    insPick("count(*)"),
	},
	{
		name:     "stats-bin",
		insights: `stats count(*), avg(latency_ms), pct(latency_ms, 95) by bin(5m)`,
		// pct is the nearest-rank percentile (quantile_disc): exact up to
		// 10,000 values per group in lambdalog, then within 0.5%.
		sql: `SELECT strftime(time_bucket(INTERVAL 5 minute, "timestamp"), '%%Y-%%m-%%d %%H:%%M:%%S.%%g') AS "bin(5m)",
			count(*) AS "count(*)", avg(latency_ms) AS "avg(latency_ms)", quantile_disc(latency_ms, 0.95) AS "pct(latency_ms, 95)"
			FROM read_ndjson('%[1]s') GROUP BY 1`,
		cells:     insPick("bin(5m)", "count(*)", "avg(latency_ms)", "pct(latency_ms, 95)"),
		tolerance: []float64{0, 0, 1e-9, 0.01},
	},
	{
		name:     "parse-stats",
		insights: `parse message "order * placed by *" as order_id, customer | stats count(*) by customer`,
		// The glob's *s take the shortest text up to the next literal, the
		// last one the rest; lines that do not match make a group of their
		// own (customer absent), as in Insights.
		sql: `SELECT nullif(regexp_extract(message, 'order (.*?) placed by (.*)', 2), '') AS customer, count(*) AS "count(*)"
			FROM read_ndjson('%[1]s') GROUP BY 1`,
		cells: insPick("customer", "count(*)"),
	},
	{
		name:     "sort-limit",
		insights: `sort latency_ms desc | limit 20`,
		sql:      `SELECT * FROM read_ndjson('%[1]s') ORDER BY latency_ms DESC LIMIT 20`,
		// Ties may come in any order: compare the latencies.
		cells:    insLatency,
		sqlCells: insPick("latency_ms"),
		sorted:   true,
	},
	{
		name:     "fields-sort",
		insights: `fields @timestamp, @message | sort @timestamp desc | limit 10000`,
		want: func(d *insData) [][]string {
			rows := make([][]string, 0, 10_000)
			for i := d.corpus.events - 1; i >= d.corpus.events-10_000; i-- {
				rows = append(rows, []string{d.line(i)})
			}
			return rows
		},
		cells:  insPick("@message"),
		sorted: true,
	},
}

// insResult is a query's result as compared.
type insResult struct {
	rows    [][]string
	matched int64 // recordsMatched, for lambdalog
	scanned int64 // recordsScanned, for lambdalog
}

// check compares got with want as q says.
func (q *insQuery) check(want, got [][]string) error {
	if !q.sorted {
		want, got = insSortRows(want), insSortRows(got)
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			return fmt.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
		for j := range want[i] {
			if !q.cellsEqual(j, got[i][j], want[i][j]) {
				return fmt.Errorf("row %d: %q, want %q", i, got[i], want[i])
			}
		}
	}
	return nil
}

func (q *insQuery) cellsEqual(j int, got, want string) bool {
	if got == want {
		return true
	}
	if j >= len(q.tolerance) || q.tolerance[j] == 0 {
		return false
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	return err1 == nil && err2 == nil && math.Abs(g-w) <= q.tolerance[j]*math.Abs(w)
}

func insSortRows(rows [][]string) [][]string {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
	return rows
}

// insEnv is what the Insights benchmarks share for the whole process: the
// corpus, the servers holding it, DuckDB, and the results to compare with.
type insEnv struct {
	data *insData
	ll   *insServer
	ddb  *sql.DB

	motoOnce sync.Once
	moto     *insServer
	motoErr  error

	mu      sync.Mutex
	want    map[string]insResult // by query name
	rates   map[string]float64   // "query/impl" -> events/s
	cpuRate map[string]float64   // "query/impl" -> events/CPU-s
}

var (
	insEnvOnce sync.Once
	insShared  *insEnv
	insEnvErr  error
	insServers struct {
		sync.Mutex
		all []*insServer
	}
)

// insSetup returns the shared environment, starting lambdalog with the
// corpus on the first call.
func insSetup(b *testing.B) *insEnv {
	b.Helper()
	insEnvOnce.Do(func() {
		insShared, insEnvErr = insNewEnv(b)
	})
	if insEnvErr != nil {
		b.Fatal(insEnvErr)
	}
	return insShared
}

func insNewEnv(b *testing.B) (*insEnv, error) {
	start := time.Now()
	d, err := insDataset1M()
	if err != nil {
		return nil, err
	}
	b.Logf("corpus: %d events, %d MB of NDJSON in %s (%v)", d.corpus.events, len(d.text)>>20, d.path, time.Since(start).Round(time.Millisecond))
	ll, err := insStartLambdalog(b)
	if err != nil {
		return nil, err
	}
	if err := ll.load(b, d); err != nil {
		return nil, err
	}
	ddb, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("open DuckDB: %w", err)
	}
	return &insEnv{data: d, ll: ll, ddb: ddb, want: map[string]insResult{}, rates: map[string]float64{}, cpuRate: map[string]float64{}}, nil
}

// motoServer returns moto_server with the corpus, started on the first call.
func (e *insEnv) motoServer(b *testing.B) *insServer {
	e.motoOnce.Do(func() {
		e.moto, e.motoErr = insStartMoto(b)
		if e.motoErr == nil {
			e.motoErr = e.moto.load(b, e.data)
		}
	})
	if e.motoErr != nil {
		b.Fatal(e.motoErr)
	}
	return e.moto
}

// expected returns q's expected result: DuckDB's (run once), or q.want's.
func (e *insEnv) expected(b *testing.B, q *insQuery) insResult {
	e.mu.Lock()
	defer e.mu.Unlock()
	if w, ok := e.want[q.name]; ok {
		return w
	}
	var w insResult
	if q.sql == "" {
		w.rows = q.want(e.data)
	} else {
		var err error
		if w.rows, err = e.runDuckDB(q); err != nil {
			b.Fatal(err)
		}
		if q.matchedSQL != "" {
			if err := e.ddb.QueryRow(fmt.Sprintf(q.matchedSQL, e.data.path)).Scan(&w.matched); err != nil {
				b.Fatalf("DuckDB %s: %v", q.matchedSQL, err)
			}
		}
	}
	if len(w.rows) == 0 {
		b.Fatalf("%s: the expected result has no rows", q.name)
	}
	e.want[q.name] = w
	return w
}

// runDuckDB runs q's SQL and returns its rows as cells.
func (e *insEnv) runDuckDB(q *insQuery) ([][]string, error) {
	rows, err := e.ddb.Query(fmt.Sprintf(q.sql, e.data.path))
	if err != nil {
		return nil, fmt.Errorf("DuckDB %s: %w", q.name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	cells := q.sqlCells
	if cells == nil {
		cells = q.cells
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out [][]string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("DuckDB %s: %w", q.name, err)
		}
		row := make(map[string]string, len(cols))
		for i, c := range cols {
			if vals[i] != nil {
				row[c] = fmt.Sprint(vals[i])
			}
		}
		out = append(out, cells(row))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("DuckDB %s: %w", q.name, err)
	}
	return out, nil
}

// report records an impl's rate over the corpus and reports it with its
// ratios to the impls that ran before it on the same query.
func (e *insEnv) report(b *testing.B, q *insQuery, impl string, cpu time.Duration) {
	events := float64(b.N * e.data.corpus.events)
	rate := events / b.Elapsed().Seconds()
	b.ReportMetric(rate, "events/s")
	var cpuRate float64
	if cpu > 0 {
		cpuRate = events / cpu.Seconds()
		b.ReportMetric(cpuRate, "events/cpu-s")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rates[q.name+"/"+impl] = rate
	e.cpuRate[q.name+"/"+impl] = cpuRate
	if impl != "lambdalog" {
		return
	}
	for _, ref := range []string{"duckdb", "moto"} {
		if r := e.rates[q.name+"/"+ref]; r > 0 {
			b.ReportMetric(rate/r, "x-"+ref)
		}
		if r := e.cpuRate[q.name+"/"+ref]; r > 0 && cpuRate > 0 {
			b.ReportMetric(cpuRate/r, "x-"+ref+"-cpu")
		}
	}
}

// BenchmarkInsights runs the Logs Insights queries of issue 12 over the same
// 1,000,000 Powertools-shaped JSON events (insCorpus: 8 streams, 1 h 57 min,
// 382 MB of NDJSON), reporting events/s:
//
//   - lambdalog: `lambdalog serve --data DIR` (durable, as users run it),
//     loaded once per process through PutLogEvents; each iteration is
//     StartQuery, then GetQueryResults every insPollInterval until the query
//     is Complete, through aws-sdk-go-v2;
//   - duckdb: DuckDB (duckdb-go) running the equivalent SQL over the NDJSON
//     file, read in every iteration (read_ndjson, or read_ndjson_objects for
//     a text search), as a user querying exported logs would;
//   - moto: moto_server, for the one query it runs (fields-sort).
//
// Every iteration checks its rows: lambdalog's against DuckDB's (or, for
// fields-sort, the corpus's newest 10,000 lines), within the tolerance of
// pct's estimate beyond 10,000 values per group. The references run first,
// and lambdalog reports its ratios to them: x-duckdb and x-moto in events/s,
// and -cpu in events per CPU second (lambdalog's: the server process's plus
// the client's; the references': their process's), which other processes on a
// shared machine disturb less.
func BenchmarkInsights(b *testing.B) {
	e := insSetup(b)
	for i := range insQueries {
		q := &insQueries[i]
		b.Run(q.name, func(b *testing.B) {
			want := e.expected(b, q)
			if q.sql != "" {
				b.Run("duckdb", func(b *testing.B) {
					cpu := processCPU()
					for b.Loop() {
						rows, err := e.runDuckDB(q)
						if err != nil {
							b.Fatal(err)
						}
						if err := q.check(want.rows, rows); err != nil {
							b.Fatalf("duckdb %s: %v", q.name, err)
						}
					}
					e.report(b, q, "duckdb", processCPU()-cpu)
				})
			} else {
				b.Run("moto", func(b *testing.B) {
					e.benchServer(b, q, e.motoServer(b), want)
				})
			}
			b.Run("lambdalog", func(b *testing.B) {
				e.benchServer(b, q, e.ll, want)
			})
		})
	}
}

// benchServer runs q on a server in every iteration and checks its result.
func (e *insEnv) benchServer(b *testing.B, q *insQuery, srv *insServer, want insResult) {
	ctx := context.Background()
	c := e.data.corpus
	cpu, serverCPU := processCPU(), srv.cpu()
	for b.Loop() {
		got, err := srv.query(ctx, q, c.base, c.end(), 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := q.check(want.rows, got.rows); err != nil {
			b.Fatalf("%s %s: %v", srv.name, q.name, err)
		}
		if srv.name == "lambdalog" {
			if got.scanned != int64(c.events) {
				b.Fatalf("%s: recordsScanned %d, want %d", q.name, got.scanned, c.events)
			}
			if want.matched != 0 && got.matched != want.matched {
				b.Fatalf("%s: recordsMatched %d, DuckDB counts %d", q.name, got.matched, want.matched)
			}
		}
	}
	used := srv.cpu() - serverCPU
	b.ReportMetric(float64(used.Milliseconds())/float64(b.N), "srv-cpu-ms/op")
	e.report(b, q, srv.name, processCPU()-cpu+used)
}

// insServer is a server process with the CloudWatch Logs API and its client.
type insServer struct {
	name    string
	cmd     *exec.Cmd
	exited  chan struct{}
	dir     string // removed when it stops
	client  *cloudwatchlogs.Client
	stopped sync.Once
}

func insRegister(s *insServer) {
	insServers.Lock()
	defer insServers.Unlock()
	insServers.all = append(insServers.all, s)
}

// insStopServers stops the servers the benchmarks started.
func insStopServers() {
	insServers.Lock()
	defer insServers.Unlock()
	for _, s := range insServers.all {
		s.stop()
	}
	insServers.all = nil
}

func (s *insServer) stop() {
	s.stopped.Do(func() {
		s.cmd.Process.Kill()
		<-s.exited
		if s.dir != "" {
			os.RemoveAll(s.dir)
		}
	})
}

// insStart starts cmd as a server named name and waits until ready returns
// its URL; dir is removed when the server stops.
func insStart(name string, cmd *exec.Cmd, dir string, ready func(exited <-chan struct{}) (string, error)) (*insServer, error) {
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &insServer{name: name, cmd: cmd, exited: make(chan struct{}), dir: dir}
	go func() {
		cmd.Wait()
		close(s.exited)
	}()
	insRegister(s)
	url, err := ready(s.exited)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.client = logsClient(url)
	return s, nil
}

// insStartLambdalog runs `lambdalog serve` with a durable store in a new
// temporary directory, for the rest of the process.
func insStartLambdalog(tb testing.TB, args ...string) (*insServer, error) {
	dir, err := os.MkdirTemp("", "lambdalog-bench-insights-")
	if err != nil {
		return nil, err
	}
	ready := filepath.Join(dir, "ready.json")
	cmd := exec.Command(testserver.Binary(tb), append([]string{"serve", "--addr", "127.0.0.1:0",
		"--data", filepath.Join(dir, "data"), "--ready-file", ready}, args...)...)
	cmd.Stderr = os.Stderr
	return insStart("lambdalog", cmd, dir, func(exited <-chan struct{}) (string, error) {
		urls, err := testserver.WaitReady(ready, exited, 30*time.Second)
		return urls["api"], err
	})
}

// insStartMoto runs moto_server on a free port, for the rest of the process.
func insStartMoto(tb testing.TB) (*insServer, error) {
	port, err := logsFreePort()
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	return insStart("moto", exec.Command("moto_server", "-p", strconv.Itoa(port)), "", func(exited <-chan struct{}) (string, error) {
		for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
			select {
			case <-exited:
				return "", errors.New("exited before it was ready")
			default:
			}
			if resp, err := http.Get(url + "/moto-api/"); err == nil {
				resp.Body.Close()
				return url, nil
			}
			if time.Since(start) > 30*time.Second {
				return "", fmt.Errorf("not answering on %s after 30s", url)
			}
		}
	})
}

// load writes the corpus into the server and waits until the server is idle
// again (Pebble's flushes and compactions done), so that they do not run
// during the queries.
func (s *insServer) load(b *testing.B, d *insData) error {
	start := time.Now()
	if err := insLoad(context.Background(), s.client, insGroup, d.corpus, d.line); err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	loaded := time.Since(start)
	s.waitIdle(60 * time.Second)
	rss, hwm, _ := s.memoryMB()
	b.Logf("%s: corpus written in %v, idle after %v; RSS %.0f MiB, peak %.0f MiB", s.name,
		loaded.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), rss, hwm)
	return nil
}

// waitIdle waits until the server uses less than 5% of a CPU over 300 ms, at
// most for timeout.
func (s *insServer) waitIdle(timeout time.Duration) {
	const period = 300 * time.Millisecond
	for start, last := time.Now(), s.cpu(); time.Since(start) < timeout; {
		time.Sleep(period)
		now := s.cpu()
		if now-last < period/20 {
			return
		}
		last = now
	}
}

// cpu returns the CPU time the server process has used (utime+stime, in
// clock ticks of 10 ms).
func (s *insServer) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// memoryMB returns the server's VmRSS and VmHWM in MiB.
func (s *insServer) memoryMB() (rss, hwm float64, err error) {
	return (&logsServer{name: s.name, cmd: s.cmd}).memoryMB()
}

// insPollInterval is the time between GetQueryResults calls while a query
// runs. Each call while the query runs makes lambdalog merge its workers'
// partial results, so polling without a pause would slow the query it waits
// for; 5 ms adds at most 5 ms to a query's time.
const insPollInterval = 5 * time.Millisecond

// query runs q over [start, end] (epoch ms) through StartQuery and
// GetQueryResults, following nextToken to the last row; limit 0 leaves
// StartQuery's limit unset.
func (s *insServer) query(ctx context.Context, q *insQuery, start, end int64, limit int32) (insResult, error) {
	in := &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String(insGroup), QueryString: aws.String(q.insights),
		StartTime: aws.Int64(start / 1000), EndTime: aws.Int64(end/1000 + 1)}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	started, err := s.client.StartQuery(ctx, in)
	if err != nil {
		return insResult{}, fmt.Errorf("%s StartQuery %s: %w", s.name, q.name, err)
	}
	for {
		out, err := s.client.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: started.QueryId})
		if err != nil {
			return insResult{}, fmt.Errorf("%s GetQueryResults %s: %w", s.name, q.name, err)
		}
		switch out.Status {
		case types.QueryStatusScheduled, types.QueryStatusRunning:
			time.Sleep(insPollInterval)
			continue
		case types.QueryStatusComplete:
		default:
			return insResult{}, fmt.Errorf("%s query %s ended %s", s.name, q.name, out.Status)
		}
		var res insResult
		if st := out.Statistics; st != nil {
			res.matched, res.scanned = int64(st.RecordsMatched), int64(st.RecordsScanned)
		}
		for {
			for _, r := range out.Results {
				row := make(map[string]string, len(r))
				for _, f := range r {
					row[aws.ToString(f.Field)] = aws.ToString(f.Value)
				}
				res.rows = append(res.rows, q.cells(row))
			}
			if out.NextToken == nil {
				return res, nil
			}
			if out, err = s.client.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: started.QueryId, NextToken: out.NextToken}); err != nil {
				return insResult{}, fmt.Errorf("%s GetQueryResults %s: %w", s.name, q.name, err)
			}
		}
	}
}
