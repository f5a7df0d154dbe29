package lambdaemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Schedule is a Schedule or ScheduleV2 event of a function: an EventBridge
// rule, or an EventBridge Scheduler schedule, that invokes it
// asynchronously at the times its expression names.
type Schedule struct {
	// Event is the event's name under the function's Events.
	Event string
	// V2 is true for ScheduleV2 (EventBridge Scheduler), false for
	// Schedule (an EventBridge rule).
	V2 bool
	// Name is the rule's or the schedule's name; Group is a ScheduleV2
	// schedule's group ("default" when empty).
	Name, Group string
	// Expression is rate(N unit), cron(6 fields) or, for ScheduleV2,
	// at(yyyy-mm-ddThh:mm:ss).
	Expression string
	// Timezone is ScheduleV2's ScheduleExpressionTimezone, an IANA name
	// applying to cron and at expressions; UTC when empty.
	Timezone string
	// Input, when set, is the event (JSON) sent instead of EventBridge's
	// own. In a ScheduleV2 input, <aws.scheduler.schedule-arn>,
	// <aws.scheduler.scheduled-time>, <aws.scheduler.execution-id> and
	// <aws.scheduler.attempt-number> are replaced as Scheduler replaces them.
	Input string
	// Disabled is Enabled: false or State: DISABLED: the schedule is kept
	// but never fires.
	Disabled bool
}

// String describes the schedule as dev prints it.
func (s Schedule) String() string {
	kind := "Schedule"
	if s.V2 {
		kind = "ScheduleV2"
	}
	str := fmt.Sprintf("%s %s (%s)", kind, s.Expression, s.Event)
	if s.Timezone != "" {
		str += " in " + s.Timezone
	}
	if s.Disabled {
		str += ", disabled"
	}
	return str
}

// arn is the rule's or the schedule's ARN.
func (s Schedule) arn(region, account string) string {
	if s.V2 {
		group := s.Group
		if group == "" {
			group = "default"
		}
		return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s/%s", region, account, group, s.Name)
	}
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", region, account, s.Name)
}

// validate checks the schedule's name, expression, timezone and input.
func (s Schedule) validate() error {
	if s.Name == "" {
		return errors.New("the schedule has no name")
	}
	if s.Input != "" && !json.Valid([]byte(s.Input)) {
		return errors.New("its Input is not valid JSON")
	}
	_, err := s.timing()
	return err
}

// timing parses the schedule's expression.
func (s Schedule) timing() (timing, error) {
	loc := time.UTC
	if s.Timezone != "" {
		if !s.V2 {
			return nil, errors.New("a Schedule (EventBridge rule) has no timezone; rules run in UTC")
		}
		l, err := time.LoadLocation(s.Timezone)
		if err != nil {
			return nil, fmt.Errorf("ScheduleExpressionTimezone %q: %w", s.Timezone, err)
		}
		loc = l
	}
	return parseExpression(s.Expression, loc, s.V2)
}

// payload is the event the schedule sends when it fires at t: Input, or
// the event EventBridge sends ("Scheduled Event") for a rule, {} for a
// Scheduler schedule.
func (s Schedule) payload(t time.Time, region, account string) []byte {
	arn := s.arn(region, account)
	if s.Input != "" {
		if !s.V2 {
			return []byte(s.Input)
		}
		// The context attributes are replaced inside JSON strings, as text.
		r := strings.NewReplacer(
			"<aws.scheduler.schedule-arn>", arn,
			"<aws.scheduler.scheduled-time>", t.UTC().Format(time.RFC3339),
			"<aws.scheduler.execution-id>", randomHex(8),
			"<aws.scheduler.attempt-number>", "1")
		return []byte(r.Replace(s.Input))
	}
	if s.V2 {
		return []byte("{}")
	}
	return mustJSON(struct {
		Version    string   `json:"version"`
		ID         string   `json:"id"`
		DetailType string   `json:"detail-type"`
		Source     string   `json:"source"`
		Account    string   `json:"account"`
		Time       string   `json:"time"`
		Region     string   `json:"region"`
		Resources  []string `json:"resources"`
		Detail     struct{} `json:"detail"`
	}{"0", newRequestID(), "Scheduled Event", "aws.events", account, t.UTC().Format(time.RFC3339), region, []string{arn}, struct{}{}})
}

// Clock is the time source of schedules. The system clock is the default;
// tests replace it (Options.Clock) to make a schedule fire without waiting.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed (at once
	// when d <= 0).
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// runSchedule fires s for function fn until stop is closed. A rate
// counts from when the schedule starts; runs missed while the machine slept
// are skipped, as EventBridge does not catch up either.
func (e *Emulator) runSchedule(fn string, s Schedule, stop <-chan struct{}) {
	defer e.schedules.Done()
	t, err := s.timing()
	if err != nil { // validated when the function was added
		return
	}
	clock := e.opts.Clock
	next := t.next(clock.Now())
	for !next.IsZero() {
		select {
		case <-stop:
			return
		case <-clock.After(next.Sub(clock.Now())):
		}
		id, err := e.InvokeAsync(fn, InvokeInput{Payload: s.payload(next, e.opts.Region, e.opts.AccountID)})
		select {
		case <-stop: // replaced, removed or closed meanwhile
			return
		default:
		}
		if err != nil {
			e.note("%s could not invoke function %s: %v", s, fn, err)
		} else {
			e.note("%s invoked function %s (request id %s)", s, fn, id)
		}
		prev := next
		if next = t.next(prev); !next.IsZero() && next.Before(clock.Now()) {
			next = t.next(clock.Now())
		}
	}
}

// timing is a parsed schedule expression.
type timing interface {
	// next returns the first time after t the schedule fires, or the zero
	// time when it never fires again.
	next(t time.Time) time.Time
}

// parseExpression parses a schedule expression: rate(N unit) and the six
// fields of cron(...) as EventBridge reads them, and, when at is allowed
// (ScheduleV2), at(yyyy-mm-ddThh:mm:ss). Cron and at times are in loc.
func parseExpression(expr string, loc *time.Location, at bool) (timing, error) {
	want := fmt.Errorf("schedule expression %q: want rate(...) or cron(...)", expr)
	if at {
		want = fmt.Errorf("schedule expression %q: want rate(...), cron(...) or at(...)", expr)
	}
	kind, body, ok := strings.Cut(strings.TrimSpace(expr), "(")
	body, closed := strings.CutSuffix(body, ")")
	if !ok || !closed {
		return nil, want
	}
	switch {
	case kind == "rate":
		r, err := parseRate(body)
		if err != nil {
			return nil, fmt.Errorf("schedule expression %q: %w", expr, err)
		}
		return r, nil
	case kind == "cron":
		c, err := parseCron(body, loc)
		if err != nil {
			return nil, fmt.Errorf("schedule expression %q: %w", expr, err)
		}
		return c, nil
	case kind == "at" && at:
		t, err := time.ParseInLocation("2006-01-02T15:04:05", strings.TrimSpace(body), loc)
		if err != nil {
			return nil, fmt.Errorf("schedule expression %q: want at(yyyy-mm-ddThh:mm:ss)", expr)
		}
		return atTime(t), nil
	}
	return nil, want
}

// rate fires every period, counted from when the schedule starts.
type rate time.Duration

func (r rate) next(t time.Time) time.Time { return t.Add(time.Duration(r)) }

// parseRate parses "N unit": a positive N and minute, hour or day,
// singular when N is 1 and plural otherwise, as EventBridge requires.
func parseRate(body string) (rate, error) {
	f := strings.Fields(body)
	if len(f) != 2 {
		return 0, errors.New("want rate(value unit), for example rate(5 minutes)")
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 || n > 1_000_000 {
		return 0, fmt.Errorf("rate value %q: want a positive whole number", f[0])
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	unit, plural := strings.CutSuffix(f[1], "s")
	d, ok := units[unit]
	switch {
	case !ok:
		return 0, fmt.Errorf("rate unit %q: want minute(s), hour(s) or day(s)", f[1])
	case n == 1 && plural:
		return 0, fmt.Errorf("rate unit %q: a value of 1 takes the singular %s", f[1], unit)
	case n > 1 && !plural:
		return 0, fmt.Errorf("rate unit %q: a value above 1 takes the plural %ss", f[1], unit)
	}
	return rate(time.Duration(n) * d), nil
}

// atTime fires once.
type atTime time.Time

func (a atTime) next(t time.Time) time.Time {
	if time.Time(a).After(t) {
		return time.Time(a)
	}
	return time.Time{}
}

// Cron field bounds, and the years EventBridge accepts.
const (
	minYear = 1970
	maxYear = 2199
)

// cron is a parsed cron(...) expression: sets of minutes, hours, days of
// the month, months, days of the week (1 = Sunday) and years, with the
// day-of-month and day-of-week special forms.
type cron struct {
	minutes, hours uint64
	months         uint16
	years          [4]uint64 // bit y-minYear
	// Exactly one of the day fields is "?" (any).
	domAny, dowAny bool
	days           uint64 // day-of-month values
	lastDay        bool   // L
	lastWeekday    bool   // LW
	nearWeekday    uint64 // nW: the weekday nearest to day n
	weekdays       uint8  // day-of-week values, bit d (1..7)
	lastOf         uint8  // dL: the last weekday d of the month
	nth            [8]uint8
	loc            *time.Location
}

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

// parseCron parses the six fields Minutes Hours Day-of-month Month
// Day-of-week Year.
func parseCron(body string, loc *time.Location) (*cron, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron has %d fields, want 6: minutes hours day-of-month month day-of-week year", len(f))
	}
	c := &cron{loc: loc}
	var err error
	if c.minutes, err = parseField(f[0], "minutes", 0, 59, nil); err != nil {
		return nil, err
	}
	if c.hours, err = parseField(f[1], "hours", 0, 23, nil); err != nil {
		return nil, err
	}
	months, err := parseField(f[3], "month", 1, 12, monthNames)
	if err != nil {
		return nil, err
	}
	c.months = uint16(months)
	if err := c.parseYears(f[5]); err != nil {
		return nil, err
	}
	c.domAny, c.dowAny = f[2] == "?", f[4] == "?"
	if c.domAny == c.dowAny {
		return nil, errors.New("use ? in exactly one of day-of-month and day-of-week (EventBridge cannot take both)")
	}
	if !c.domAny {
		if err := c.parseDays(f[2]); err != nil {
			return nil, err
		}
	}
	if !c.dowAny {
		if err := c.parseWeekdays(f[4]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *cron) parseYears(field string) error {
	for item := range strings.SplitSeq(field, ",") {
		lo, hi, step, err := parseRange(item, "year", minYear, maxYear, nil)
		if err != nil {
			return err
		}
		for y := lo; y <= hi; y += step {
			c.years[(y-minYear)/64] |= 1 << ((y - minYear) % 64)
		}
	}
	return nil
}

func (c *cron) parseDays(field string) error {
	for item := range strings.SplitSeq(field, ",") {
		switch {
		case item == "L":
			c.lastDay = true
		case item == "LW":
			c.lastWeekday = true
		case strings.HasSuffix(item, "W"):
			d, err := strconv.Atoi(item[:len(item)-1])
			if err != nil || d < 1 || d > 31 {
				return fmt.Errorf("day-of-month %q: want nW with n in 1-31", item)
			}
			c.nearWeekday |= 1 << d
		default:
			v, err := parseField(item, "day-of-month", 1, 31, nil)
			if err != nil {
				return err
			}
			c.days |= v
		}
	}
	return nil
}

func (c *cron) parseWeekdays(field string) error {
	if strings.Contains(field, "#") && strings.Contains(field, ",") {
		return fmt.Errorf("day-of-week %q: a field with # holds one expression only", field)
	}
	for item := range strings.SplitSeq(field, ",") {
		switch {
		case item == "L":
			c.weekdays |= 1 << 7 // the last day of the week: Saturday
		case strings.HasSuffix(item, "L"):
			d, err := weekday(item[:len(item)-1])
			if err != nil {
				return err
			}
			c.lastOf |= 1 << d
		case strings.Contains(item, "#"):
			ds, ns, _ := strings.Cut(item, "#")
			d, err := weekday(ds)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(ns)
			if err != nil || n < 1 || n > 5 {
				return fmt.Errorf("day-of-week %q: want d#n with n in 1-5", item)
			}
			c.nth[d] |= 1 << n
		default:
			v, err := parseField(item, "day-of-week", 1, 7, dayNames)
			if err != nil {
				return err
			}
			c.weekdays |= uint8(v)
		}
	}
	return nil
}

// weekday parses one day of the week, 1-7 or SUN-SAT.
func weekday(s string) (int, error) {
	if d, ok := dayNames[strings.ToUpper(s)]; ok {
		return d, nil
	}
	d, err := strconv.Atoi(s)
	if err != nil || d < 1 || d > 7 {
		return 0, fmt.Errorf("day of the week %q: want 1-7 or SUN-SAT", s)
	}
	return d, nil
}

// parseField parses a comma-separated list of values, ranges (a-b), "*" and
// increments (a/n, a-b/n, */n) into a bit set over lo..hi.
func parseField(field, name string, lo, hi int, names map[string]int) (uint64, error) {
	var set uint64
	for item := range strings.SplitSeq(field, ",") {
		a, b, step, err := parseRange(item, name, lo, hi, names)
		if err != nil {
			return 0, err
		}
		for v := a; v <= b; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

// parseRange parses one item of a field: v, a-b, *, or any of them
// followed by /step (v/step runs from v to the field's end).
func parseRange(item, name string, lo, hi int, names map[string]int) (a, b, step int, err error) {
	bad := func(why string) (int, int, int, error) {
		return 0, 0, 0, fmt.Errorf("%s %q: %s", name, item, why)
	}
	value := func(s string) (int, bool) {
		if v, ok := names[strings.ToUpper(s)]; ok {
			return v, true
		}
		v, err := strconv.Atoi(s)
		return v, err == nil && v >= lo && v <= hi
	}
	rng, stepText, hasStep := strings.Cut(item, "/")
	step = 1
	if hasStep {
		if step, err = strconv.Atoi(stepText); err != nil || step < 1 || step > hi-lo+1 {
			return bad(fmt.Sprintf("the increment must be 1-%d", hi-lo+1))
		}
	}
	switch first, last, isRange := strings.Cut(rng, "-"); {
	case rng == "*":
		return lo, hi, step, nil
	case isRange:
		var ok1, ok2 bool
		a, ok1 = value(first)
		b, ok2 = value(last)
		if !ok1 || !ok2 || a > b {
			return bad(fmt.Sprintf("want a range a-b within %d-%d", lo, hi))
		}
		return a, b, step, nil
	default:
		var ok bool
		if a, ok = value(rng); !ok {
			return bad(fmt.Sprintf("want a value in %d-%d, *, a range or an increment", lo, hi))
		}
		if hasStep {
			return a, hi, step, nil
		}
		return a, a, 1, nil
	}
}

// next returns the first minute after t that the expression names, or the
// zero time when there is none before the end of 2199.
func (c *cron) next(t time.Time) time.Time {
	from := t
	// A wall-clock time repeated when daylight saving time ends may come
	// before t: search on from it (at most an hour of minutes).
	for range 24 * 60 {
		n := c.search(from)
		if n.IsZero() || n.After(t) {
			return n
		}
		from = n
	}
	return time.Time{}
}

// search returns the first time whose wall clock in c.loc is a minute
// after t's that the expression names.
func (c *cron) search(t time.Time) time.Time {
	t = t.In(c.loc).Truncate(time.Minute).Add(time.Minute)
	y, m, d := t.Date()
	h, mi := t.Hour(), t.Minute()
	for ; y <= maxYear; y, m, d, h, mi = y+1, 1, 1, 0, 0 {
		if y < minYear || c.years[(y-minYear)/64]&(1<<((y-minYear)%64)) == 0 {
			continue
		}
		for ; m <= 12; m, d, h, mi = m+1, 1, 0, 0 {
			if c.months&(1<<m) == 0 {
				continue
			}
			last := daysIn(y, m)
			for ; d <= last; d, h, mi = d+1, 0, 0 {
				if !c.dayMatches(y, m, d, last) {
					continue
				}
				if at, ok := c.timeOfDay(y, m, d, h, mi); ok {
					return at
				}
			}
		}
	}
	return time.Time{}
}

// timeOfDay returns the first matching time on day y-m-d at or after h:mi.
func (c *cron) timeOfDay(y int, m time.Month, d, h, mi int) (time.Time, bool) {
	for ; h < 24; h, mi = h+1, 0 {
		if c.hours&(1<<h) == 0 {
			continue
		}
		if rest := c.minutes >> mi << mi; rest != 0 {
			return time.Date(y, m, d, h, bits.TrailingZeros64(rest), 0, 0, c.loc), true
		}
	}
	return time.Time{}, false
}

// dayMatches reports whether day d of month m (last days long) is named by
// the day-of-month or the day-of-week field.
func (c *cron) dayMatches(y int, m time.Month, d, last int) bool {
	wd := int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 = Sunday
	if c.domAny {
		return c.weekdays&(1<<wd) != 0 ||
			c.lastOf&(1<<wd) != 0 && d+7 > last ||
			c.nth[wd]&(1<<((d-1)/7+1)) != 0
	}
	switch {
	case c.days&(1<<d) != 0, c.lastDay && d == last:
		return true
	case c.lastWeekday && d == nearestWeekday(y, m, last, last):
		return true
	}
	for n := 1; n <= 31; n++ {
		if c.nearWeekday&(1<<n) != 0 && n <= last && d == nearestWeekday(y, m, n, last) {
			return true
		}
	}
	return false
}

// nearestWeekday returns the weekday (Monday to Friday) nearest to day n of
// the month, without leaving the month: Saturday the 1st moves to Monday
// the 3rd, Sunday the last to Friday.
func nearestWeekday(y int, m time.Month, n, last int) int {
	switch time.Date(y, m, n, 12, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}
