package lambdaemu

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCronNext checks the times EventBridge's cron syntax names, from the
// examples of its documentation and the special day forms.
func TestCronNext(t *testing.T) {
	for _, c := range []struct {
		expr, from string
		want       []string // the next times, in order
	}{
		// Every day at 10:00 UTC.
		{"cron(0 10 * * ? *)", "2024-03-01T09:59:30Z", []string{"2024-03-01T10:00:00Z", "2024-03-02T10:00:00Z"}},
		// 12:15 every day; "after" is strict.
		{"cron(15 12 * * ? *)", "2024-03-01T12:15:00Z", []string{"2024-03-02T12:15:00Z"}},
		// 18:00 Monday to Friday (2024-03-01 is a Friday).
		{"cron(0 18 ? * MON-FRI *)", "2024-03-01T18:00:00Z", []string{"2024-03-04T18:00:00Z", "2024-03-05T18:00:00Z"}},
		// 8:00 on the first of the month.
		{"cron(0 8 1 * ? *)", "2024-01-15T00:00:00Z", []string{"2024-02-01T08:00:00Z", "2024-03-01T08:00:00Z"}},
		// Every 15 minutes, and every 10 minutes from minute 1.
		{"cron(0/15 * * * ? *)", "2024-03-01T10:07:00Z", []string{"2024-03-01T10:15:00Z", "2024-03-01T10:30:00Z", "2024-03-01T10:45:00Z", "2024-03-01T11:00:00Z"}},
		{"cron(1/10 * * * ? *)", "2024-03-01T10:50:00Z", []string{"2024-03-01T10:51:00Z", "2024-03-01T11:01:00Z"}},
		// Every 5 minutes between 8:00 and 17:55, Monday to Friday.
		{"cron(0/5 8-17 ? * MON-FRI *)", "2024-03-01T17:52:00Z", []string{"2024-03-01T17:55:00Z", "2024-03-04T08:00:00Z"}},
		// The last day of the month, in a leap year.
		{"cron(0 0 L * ? *)", "2024-02-01T00:00:00Z", []string{"2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z"}},
		// The weekday nearest the 1st: Saturday 2024-06-01 moves to Monday the 3rd.
		{"cron(0 9 1W * ? *)", "2024-05-31T00:00:00Z", []string{"2024-06-03T09:00:00Z", "2024-07-01T09:00:00Z"}},
		// The weekday nearest the 15th: Sunday 2024-09-15 moves to Monday the 16th.
		{"cron(0 9 15W SEP ? *)", "2024-01-01T00:00:00Z", []string{"2024-09-16T09:00:00Z", "2025-09-15T09:00:00Z"}},
		// The last weekday: 2024-08-31 is a Saturday.
		{"cron(0 9 LW 8 ? *)", "2024-01-01T00:00:00Z", []string{"2024-08-30T09:00:00Z"}},
		// The second Tuesday, and the last Friday, of the month.
		{"cron(0 12 ? * 3#2 *)", "2024-03-01T00:00:00Z", []string{"2024-03-12T12:00:00Z", "2024-04-09T12:00:00Z"}},
		{"cron(0 12 ? * 6L *)", "2024-03-01T00:00:00Z", []string{"2024-03-29T12:00:00Z", "2024-04-26T12:00:00Z"}},
		// L alone in day-of-week: Saturday.
		{"cron(30 6 ? * L *)", "2024-03-01T00:00:00Z", []string{"2024-03-02T06:30:00Z", "2024-03-09T06:30:00Z"}},
		// Lists, month names, years.
		{"cron(0 10,15 ? * SUN,7 2025-2026)", "2024-12-31T23:00:00Z", []string{"2025-01-04T10:00:00Z", "2025-01-04T15:00:00Z", "2025-01-05T10:00:00Z"}},
		{"cron(0 0 29 FEB ? *)", "2024-03-01T00:00:00Z", []string{"2028-02-29T00:00:00Z"}},
		// Nothing after the last year.
		{"cron(0 0 1 1 ? 2020)", "2024-01-01T00:00:00Z", []string{"0001-01-01T00:00:00Z"}},
	} {
		tm, err := parseExpression(c.expr, time.UTC, false)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		at := mustTime(t, c.from)
		for _, w := range c.want {
			at = tm.next(at)
			if got := at.UTC().Format(time.RFC3339); got != w {
				t.Errorf("%s from %s: got %s, want %s", c.expr, c.from, got, w)
				break
			}
		}
	}
}

func TestScheduleExpressionsInTimezonesAndOnce(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	tm, err := parseExpression("cron(0 9 * * ? *)", ny, true)
	if err != nil {
		t.Fatal(err)
	}
	// 9:00 in New York is 14:00 UTC in winter, 13:00 in summer.
	if got := tm.next(mustTime(t, "2024-03-09T15:00:00Z")).UTC().Format(time.RFC3339); got != "2024-03-10T13:00:00Z" {
		t.Errorf("across the DST change: %s", got)
	}
	// 1:30 happens twice on 2024-11-03; the next is always later.
	half, _ := parseExpression("cron(30 1 * * ? *)", ny, true)
	first := half.next(mustTime(t, "2024-11-03T04:00:00Z"))
	if second := half.next(first); !second.After(first) {
		t.Errorf("next(%s) = %s, not later", first, second)
	}
	once, err := parseExpression("at(2030-01-02T03:04:05)", ny, true)
	if err != nil {
		t.Fatal(err)
	}
	at := once.next(mustTime(t, "2029-01-01T00:00:00Z"))
	if at.UTC().Format(time.RFC3339) != "2030-01-02T08:04:05Z" || !once.next(at).IsZero() {
		t.Errorf("at: %s then %s", at, once.next(at))
	}
	r, _ := parseExpression("rate(5 minutes)", time.UTC, false)
	if got := r.next(mustTime(t, "2024-01-01T00:00:00Z")); got != mustTime(t, "2024-01-01T00:05:00Z") {
		t.Errorf("rate: %s", got)
	}
}

func TestScheduleExpressionErrors(t *testing.T) {
	for expr, want := range map[string]string{
		"rate(1 minutes)":          "a value of 1 takes the singular minute",
		"rate(5 minute)":           "a value above 1 takes the plural minutes",
		"rate(0 hours)":            "positive whole number",
		"rate(2 weeks)":            "want minute(s), hour(s) or day(s)",
		"rate(5)":                  "want rate(value unit)",
		"cron(0 10 * * *)":         "cron has 5 fields, want 6",
		"cron(0 10 * * * *)":       "use ? in exactly one of day-of-month and day-of-week",
		"cron(0 10 ? * ? *)":       "use ? in exactly one",
		"cron(60 10 * * ? *)":      `minutes "60"`,
		"cron(0 24 * * ? *)":       `hours "24"`,
		"cron(0 0 32 * ? *)":       `day-of-month "32"`,
		"cron(0 0 ? 13 * *)":       `month "13"`,
		"cron(0 0 ? * 8 *)":        `day-of-week "8"`,
		"cron(0 0 ? * 1#6 *)":      "want d#n with n in 1-5",
		"cron(0 0 ? * 3#1,6#3 *)":  "a field with # holds one expression only",
		"cron(0 0 ? * MON *)":      "", // valid
		"cron(0 0 1 * ? 1969)":     `year "1969"`,
		"cron(0 5-2 * * ? *)":      "want a range a-b",
		"cron(0/0 * * * ? *)":      "the increment must be 1-60",
		"at(2030-01-02T03:04:05)":  "want rate(...) or cron(...)", // not for rules
		"every(5 minutes)":         "want rate(...) or cron(...)",
		"rate(5 minutes":           "want rate(...) or cron(...)",
		"cron(0 0 15W,L * ? 2030)": "",
	} {
		_, err := parseExpression(expr, time.UTC, false)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", expr, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: error %v, want one saying %q", expr, err, want)
		}
	}
	if err := (Schedule{Name: "r", Expression: "cron(0 9 * * ? *)", Timezone: "Europe/Paris"}).validate(); err == nil || !strings.Contains(err.Error(), "rules run in UTC") {
		t.Errorf("a rule with a timezone: %v", err)
	}
	if err := (Schedule{Name: "s", V2: true, Expression: "rate(1 hour)", Timezone: "Mars/Olympus"}).validate(); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("an unknown timezone: %v", err)
	}
	if err := (Schedule{Name: "s", Expression: "rate(1 hour)", Input: "{"}).validate(); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("bad input: %v", err)
	}
}

// FuzzScheduleExpression checks that no expression makes the parser or
// next panic, and that next always moves forward.
func FuzzScheduleExpression(f *testing.F) {
	for _, s := range []string{"rate(1 minute)", "rate(12 hours)", "cron(0/5 8-17 ? * MON-FRI *)", "cron(0 0 L * ? *)",
		"cron(0 9 1W,LW * ? 2030-2199/3)", "cron(0 12 ? * 3#2 *)", "cron(0 12 ? * 6L,L *)", "at(2030-01-02T03:04:05)", "cron(* * * * ? *)"} {
		f.Add(s, int64(1700000000))
	}
	f.Fuzz(func(t *testing.T, expr string, from int64) {
		tm, err := parseExpression(expr, time.UTC, true)
		if err != nil {
			return
		}
		at := time.Unix(from%(1<<33), 0)
		for range 3 {
			n := tm.next(at)
			if n.IsZero() {
				return
			}
			if !n.After(at) {
				t.Fatalf("%s: next(%s) = %s", expr, at, n)
			}
			at = n
		}
	})
}

// fakeClock is a Clock a test moves forward by hand.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
	} else {
		c.timers = append(c.timers, fakeTimer{c.now.Add(d), ch})
	}
	return ch
}

// advance moves the clock forward by d, firing the timers that are due.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			keep = append(keep, t)
		} else {
			t.c <- c.now
		}
	}
	c.timers = keep
}

// waiting reports how many timers are pending.
func (c *fakeClock) waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestScheduleFires runs a rate(1 minute) rule, a ScheduleV2 schedule
// with an Input using context attributes, and a disabled rule on a clock
// the test moves: each enabled one invokes the function when its minute
// has passed, not before, with the event EventBridge sends.
func TestScheduleFires(t *testing.T) {
	clock := &fakeClock{now: mustTime(t, "2024-05-01T10:00:30Z")}
	var echo, notes testserver.Buffer
	st := newTestStore(t)
	emu, err := New(Options{Sink: StoreSink(st, "us-east-1"), Clock: clock, Echo: &echo, Messages: &notes, AccountID: "111122223333", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	fn := behave(t, "ticker")
	fn.Env = map[string]string{"BEHAVE_PRINT_EVENT": "1"}
	fn.Schedules = []Schedule{
		{Event: "Every", Name: "TickerEvery", Expression: "rate(1 minute)"},
		{Event: "Daily", Name: "TickerDaily", V2: true, Expression: "cron(1 10 * * ? *)", Input: `{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>"}`},
		{Event: "Off", Name: "TickerOff", Expression: "rate(1 minute)", Disabled: true},
	}
	if err := emu.AddFunction(fn); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the schedules to wait", func() bool { return clock.waiting() == 2 })
	clock.advance(29 * time.Second) // 10:00:59: nothing is due
	if n := len(emu.Invocations("ticker")); n != 0 {
		t.Fatalf("%d invocations before the minute passed", n)
	}
	clock.advance(time.Second) // 10:01:00: the cron; 10:01:30: the rate
	waitFor(t, "the cron schedule's invocation", func() bool { return len(emu.Invocations("ticker")) == 1 })
	clock.advance(30 * time.Second)
	waitFor(t, "the rate schedule's invocation", func() bool { return len(emu.Invocations("ticker")) == 2 })

	events := regexp.MustCompile(`(?m)^event: (.*)$`).FindAllStringSubmatch(echo.String(), -1)
	if len(events) != 2 {
		t.Fatalf("%d events printed:\n%s", len(events), echo.String())
	}
	var v2 map[string]string
	if err := json.Unmarshal([]byte(events[0][1]), &v2); err != nil {
		t.Fatal(err)
	}
	if v2["arn"] != "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/TickerDaily" || v2["at"] != "2024-05-01T10:01:00Z" {
		t.Errorf("ScheduleV2 input: %v", v2)
	}
	var ev struct {
		Version, ID, Source, Account, Time, Region string
		DetailType                                 string `json:"detail-type"`
		Resources                                  []string
		Detail                                     map[string]any
	}
	if err := json.Unmarshal([]byte(events[1][1]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Version != "0" || len(ev.ID) != 36 || ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" ||
		ev.Account != "111122223333" || ev.Time != "2024-05-01T10:01:30Z" || ev.Region != "eu-west-1" ||
		len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:events:eu-west-1:111122223333:rule/TickerEvery" || ev.Detail == nil {
		t.Errorf("scheduled event: %s", events[1][1])
	}
	for _, want := range []string{
		"lambdalog: ScheduleV2 cron(1 10 * * ? *) (Daily) invoked function ticker (request id ",
		"lambdalog: Schedule rate(1 minute) (Every) invoked function ticker (request id ",
	} {
		if !strings.Contains(notes.String(), want) {
			t.Errorf("messages lack %q:\n%s", want, notes.String())
		}
	}

	// Replacing the function with the same schedules keeps their timing;
	// removing it stops them.
	stop := func() chan struct{} {
		emu.mu.Lock()
		defer emu.mu.Unlock()
		return emu.pools["ticker"].stopSchedules
	}
	before := stop()
	fn.MemoryMB = 256
	if err := emu.ReplaceFunction(fn); err != nil {
		t.Fatal(err)
	}
	if stop() != before {
		t.Error("replacing the function with the same schedules restarted them")
	}
	if err := emu.RemoveFunction("ticker"); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Hour)
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(emu.Invocations("ticker")); n != 2 {
		t.Errorf("%d invocations after the function was removed, want 2", n)
	}
}
