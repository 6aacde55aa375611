package plusone

import (
	"fmt"
	"time"
)

// Location returns the time zone budget periods follow: the policy's
// Timezone, or UTC when the policy or its zone is nil.
func (p *Policy) Location() *time.Location {
	if p == nil || p.Timezone == nil {
		return time.UTC
	}
	return p.Timezone
}

// PeriodStart returns the first instant of the calendar period that contains
// now, in loc (UTC when nil): local midnight for a day budget, Monday 00:00
// for a week budget (ISO weeks), the 1st at 00:00 for a month budget. A
// period other than day, week or month, which config never produces, is
// treated as a day.
//
// Spend charged at or after PeriodStart counts against the budget; spend
// before it belongs to an earlier period. Periods follow the local calendar,
// so a day may last 23 or 25 hours across a DST change; where a DST change
// skips midnight itself, the day starts at the change.
func (b Budget) PeriodStart(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	switch b.Per {
	case PerWeek:
		// Weekday counts from Sunday; ISO weeks start on Monday.
		back := (int(now.In(loc).Weekday()) + 6) % 7
		return startOfDay(y, m, d-back, loc)
	case PerMonth:
		return startOfDay(y, m, 1, loc)
	default:
		return startOfDay(y, m, d, loc)
	}
}

// PeriodLabel names the period that contains now, in loc: "2026-11-20" for
// a day, "2026-W47" for a week (the ISO year and week, so the week of
// 2027-01-01 is "2026-W53"), "2026-11" for a month.
func (b Budget) PeriodLabel(now time.Time, loc *time.Location) string {
	start := b.PeriodStart(now, loc)
	switch b.Per {
	case PerWeek:
		y, w := start.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case PerMonth:
		return start.Format("2006-01")
	default:
		return start.Format("2006-01-02")
	}
}

// startOfDay returns the first instant of the local date y-m-d in loc; d may
// be out of range (0, -3, 32) and is normalised as by time.Date.
func startOfDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	y, m, d = time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if ty, tm, td := t.Date(); ty != y || tm != m || td != d {
		// Midnight does not exist that day (a DST change at 00:00, as in
		// America/Santiago): time.Date answers the evening before, whose
		// zone ends at the change, which is when the day begins.
		if _, end := t.ZoneBounds(); !end.IsZero() {
			return end
		}
	}
	return t
}

// periodWords names the current period for people: "today", "this week",
// "this month".
func periodWords(p Period) string {
	switch p {
	case PerWeek:
		return "this week"
	case PerMonth:
		return "this month"
	default:
		return "today"
	}
}
