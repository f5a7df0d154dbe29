package insights

import (
	"strings"
	"time"
)

// period is a time period such as 5m: a count of a unit. Units up to weeks
// have a fixed length (ms); months, quarters and years are calendar units
// (months).
type period struct {
	ms     int64 // fixed-length units: the length of the period
	months int   // calendar units: the length in months
}

// unitInfo describes a time unit: its length (or months) and the largest
// count AWS accepts before capping.
type unitInfo struct {
	ms     int64
	months int
	cap    int64
}

// units maps each spelling of a unit (singular; a trailing s is accepted
// for multi-letter spellings) to its meaning.
var units = map[string]unitInfo{
	"ms": {ms: 1, cap: 1000}, "msec": {ms: 1, cap: 1000}, "millisecond": {ms: 1, cap: 1000},
	"s": {ms: 1000, cap: 60}, "sec": {ms: 1000, cap: 60}, "second": {ms: 1000, cap: 60},
	"m": {ms: 60_000, cap: 60}, "min": {ms: 60_000, cap: 60}, "minute": {ms: 60_000, cap: 60},
	"h": {ms: 3_600_000, cap: 24}, "hr": {ms: 3_600_000, cap: 24}, "hour": {ms: 3_600_000, cap: 24},
	"d": {ms: 86_400_000}, "day": {ms: 86_400_000},
	"w": {ms: 7 * 86_400_000}, "week": {ms: 7 * 86_400_000},
	"mo": {months: 1}, "mon": {months: 1}, "month": {months: 1},
	"q": {months: 3}, "qtr": {months: 3}, "quarter": {months: 3},
	"y": {months: 12}, "yr": {months: 12}, "year": {months: 12},
}

// parsePeriod interprets n followed by unit. Counts above a unit's natural
// maximum are capped, as AWS does (bin(300s) is bin(60s)).
func parsePeriod(n float64, unit string) (period, bool) {
	u, ok := units[strings.ToLower(unit)]
	if !ok && len(unit) > 2 && (unit[len(unit)-1] == 's' || unit[len(unit)-1] == 'S') {
		u, ok = units[strings.ToLower(unit[:len(unit)-1])]
	}
	if !ok || n < 1 || n != float64(int64(n)) || n > 1e6 {
		return period{}, false
	}
	c := int64(n)
	if u.cap > 0 && c > u.cap {
		c = u.cap
	}
	if u.months > 0 {
		return period{months: u.months * int(c)}, true
	}
	return period{ms: u.ms * c}, true
}

// weekEpoch is a Monday (1970-01-05T00:00Z): weeks start on Mondays.
const weekEpoch = 4 * 86_400_000

// floor returns the start of the period that contains ms, with periods
// aligned to the epoch in UTC: days at midnight, weeks on Mondays, months
// on the first, and multiples of n months counted from year 0.
func (p period) floor(ms int64) int64 {
	switch {
	case p.ms%(7*86_400_000) == 0 && p.ms > 0:
		return floorDiv(ms-weekEpoch, p.ms)*p.ms + weekEpoch
	case p.ms > 0:
		return floorDiv(ms, p.ms) * p.ms
	case p.months > 0:
		t := time.UnixMilli(ms).UTC()
		m := int64(t.Year())*12 + int64(t.Month()) - 1
		m = floorDiv(m, int64(p.months)) * int64(p.months)
		return time.Date(int(floorDiv(m, 12)), time.Month(m-floorDiv(m, 12)*12+1), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	}
	return ms
}

// ceil returns the end of the period that contains ms, or ms itself when
// it is a period boundary.
func (p period) ceil(ms int64) int64 {
	f := p.floor(ms)
	if f == ms {
		return ms
	}
	if p.months > 0 {
		return time.UnixMilli(f).UTC().AddDate(0, p.months, 0).UnixMilli()
	}
	return f + p.ms
}

// next returns the time one period after ms.
func (p period) next(ms int64) int64 {
	if p.months > 0 {
		return time.UnixMilli(ms).UTC().AddDate(0, p.months, 0).UnixMilli()
	}
	return ms + p.ms
}

// approxMillis is the period's length, months counted as 30 days.
func (p period) approxMillis() int64 {
	if p.months > 0 {
		return int64(p.months) * 30 * 86_400_000
	}
	return p.ms
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
