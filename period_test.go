package plusone

import (
	"testing"
	"time"
)

func TestPeriodStart(t *testing.T) {
	t.Parallel()
	ny := zone(t, "America/New_York")
	santiago := zone(t, "America/Santiago") // DST starts at midnight: 2026-09-06 00:00 is 01:00
	havana := zone(t, "America/Havana")     // 2026-03-08 00:00 is skipped; 2026-11-01 00:00-01:00 happens twice
	day, week, month := Budget{Per: PerDay}, Budget{Per: PerWeek}, Budget{Per: PerMonth}

	tests := []struct {
		name   string
		budget Budget
		loc    *time.Location
		now    time.Time
		start  time.Time
		label  string
	}{
		{"day", day, ny, time.Date(2026, 11, 20, 15, 4, 5, 0, ny), time.Date(2026, 11, 20, 0, 0, 0, 0, ny), "2026-11-20"},
		{"day at midnight", day, ny, time.Date(2026, 11, 20, 0, 0, 0, 0, ny), time.Date(2026, 11, 20, 0, 0, 0, 0, ny), "2026-11-20"},
		{"day a second before midnight", day, ny, time.Date(2026, 11, 19, 23, 59, 59, 0, ny), time.Date(2026, 11, 19, 0, 0, 0, 0, ny), "2026-11-19"},
		{"day follows the zone, not UTC", day, ny, time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC), time.Date(2026, 11, 19, 0, 0, 0, 0, ny), "2026-11-19"},
		{"day in UTC", day, time.UTC, time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC), time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), "2026-11-20"},
		{"day with no zone is UTC", day, nil, time.Date(2026, 11, 20, 3, 0, 0, 0, ny), time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), "2026-11-20"},
		{"an unknown period is a day", Budget{Per: "fortnight"}, ny, time.Date(2026, 11, 20, 15, 0, 0, 0, ny), time.Date(2026, 11, 20, 0, 0, 0, 0, ny), "2026-11-20"},

		// DST in New York: 2026-03-08 has 23 hours, 2026-11-01 has 25.
		{"day of spring forward", day, ny, time.Date(2026, 3, 8, 12, 0, 0, 0, ny), time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC), "2026-03-08"},
		{"day after spring forward", day, ny, time.Date(2026, 3, 9, 0, 30, 0, 0, ny), time.Date(2026, 3, 9, 4, 0, 0, 0, time.UTC), "2026-03-09"},
		{"day of fall back, second 01:30", day, ny, time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), "2026-11-01"},
		{"day after fall back", day, ny, time.Date(2026, 11, 2, 0, 0, 1, 0, ny), time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC), "2026-11-02"},
		// Zones whose DST changes at midnight.
		{"midnight skipped: the day starts at 01:00", day, santiago, time.Date(2026, 9, 6, 12, 0, 0, 0, santiago), time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC), "2026-09-06"},
		{"midnight skipped in Havana", day, havana, time.Date(2026, 3, 8, 0, 30, 0, 0, time.UTC).Add(5 * time.Hour), time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC), "2026-03-08"},
		{"the evening before a skipped midnight", day, santiago, time.Date(2026, 9, 5, 23, 59, 0, 0, santiago), time.Date(2026, 9, 5, 0, 0, 0, 0, santiago), "2026-09-05"},
		{"midnight twice: the day starts at the first", day, havana, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), "2026-11-01"},

		// Weeks start on Monday (ISO 8601).
		{"week on a Friday", week, ny, time.Date(2026, 11, 20, 15, 0, 0, 0, ny), time.Date(2026, 11, 16, 0, 0, 0, 0, ny), "2026-W47"},
		{"week on Monday at midnight", week, ny, time.Date(2026, 11, 16, 0, 0, 0, 0, ny), time.Date(2026, 11, 16, 0, 0, 0, 0, ny), "2026-W47"},
		{"week on Sunday night", week, ny, time.Date(2026, 11, 22, 23, 59, 59, 0, ny), time.Date(2026, 11, 16, 0, 0, 0, 0, ny), "2026-W47"},
		{"the next Monday", week, ny, time.Date(2026, 11, 23, 0, 0, 0, 0, ny), time.Date(2026, 11, 23, 0, 0, 0, 0, ny), "2026-W48"},
		{"week across months", week, ny, time.Date(2026, 12, 1, 9, 0, 0, 0, ny), time.Date(2026, 11, 30, 0, 0, 0, 0, ny), "2026-W49"},
		{"week across years: ISO year", week, ny, time.Date(2027, 1, 1, 10, 0, 0, 0, ny), time.Date(2026, 12, 28, 0, 0, 0, 0, ny), "2026-W53"},
		{"week 1 starting in the old year", week, ny, time.Date(2025, 12, 31, 10, 0, 0, 0, ny), time.Date(2025, 12, 29, 0, 0, 0, 0, ny), "2026-W01"},
		{"week across spring forward", week, ny, time.Date(2026, 3, 8, 23, 30, 0, 0, ny), time.Date(2026, 3, 2, 0, 0, 0, 0, ny), "2026-W10"},
		{"week across fall back", week, ny, time.Date(2026, 11, 6, 12, 0, 0, 0, ny), time.Date(2026, 11, 2, 0, 0, 0, 0, ny), "2026-W45"},
		{"week before fall back", week, ny, time.Date(2026, 11, 1, 23, 0, 0, 0, ny), time.Date(2026, 10, 26, 0, 0, 0, 0, ny), "2026-W44"},

		// Months start on the 1st.
		{"month", month, ny, time.Date(2026, 11, 20, 15, 0, 0, 0, ny), time.Date(2026, 11, 1, 0, 0, 0, 0, ny), "2026-11"},
		{"month, last second", month, ny, time.Date(2026, 11, 30, 23, 59, 59, 0, ny), time.Date(2026, 11, 1, 0, 0, 0, 0, ny), "2026-11"},
		{"month, first instant", month, ny, time.Date(2026, 12, 1, 0, 0, 0, 0, ny), time.Date(2026, 12, 1, 0, 0, 0, 0, ny), "2026-12"},
		{"month starts in summer time, now in winter time", month, ny, time.Date(2026, 11, 20, 0, 0, 0, 0, ny), time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), "2026-11"},
		{"month of February in a leap year", month, ny, time.Date(2028, 2, 29, 12, 0, 0, 0, ny), time.Date(2028, 2, 1, 0, 0, 0, 0, ny), "2028-02"},
		{"month follows the zone, not UTC", month, ny, time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, ny), "2026-11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.budget.PeriodStart(tt.now, tt.loc); !got.Equal(tt.start) {
				t.Errorf("PeriodStart(%s) = %s, want %s", tt.now, got, tt.start)
			}
			if got := tt.budget.PeriodLabel(tt.now, tt.loc); got != tt.label {
				t.Errorf("PeriodLabel(%s) = %s, want %s", tt.now, got, tt.label)
			}
		})
	}
}

// TestPeriodStartEveryHalfHour checks, for every half hour of three years in
// zones with unusual DST changes, that the period start is on the right
// local date at the first instant of that date, contains now, and that
// the instant before it belongs to the previous period.
func TestPeriodStartEveryHalfHour(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"America/New_York", "America/Santiago", "America/Havana", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"} {
		loc := zone(t, name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, per := range []Period{PerDay, PerWeek, PerMonth} {
				b := Budget{Per: per}
				from := time.Date(2025, 12, 25, 0, 0, 0, 0, time.UTC)
				for now := from; now.Before(from.AddDate(3, 0, 0)); now = now.Add(30 * time.Minute) {
					start := b.PeriodStart(now, loc)
					local := start.In(loc)
					switch {
					case start.After(now):
						t.Fatalf("%s %s: start %s after now", per, now.In(loc), local)
					case per == PerWeek && local.Weekday() != time.Monday,
						per == PerMonth && local.Day() != 1,
						per == PerDay && !sameDate(local, now.In(loc)):
						t.Fatalf("%s %s: start %s on the wrong day", per, now.In(loc), local)
					case sameDate(start.Add(-time.Nanosecond).In(loc), local):
						t.Fatalf("%s %s: start %s is not the first instant of its day", per, now.In(loc), local)
					case !b.PeriodStart(start.Add(-time.Nanosecond), loc).Before(start):
						t.Fatalf("%s %s: the instant before %s is in the same period", per, now.In(loc), local)
					case !b.PeriodStart(start, loc).Equal(start):
						t.Fatalf("%s %s: the period of its start %s starts elsewhere", per, now.In(loc), local)
					}
				}
			}
		})
	}
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

func TestLocation(t *testing.T) {
	t.Parallel()
	var none *Policy
	if got := none.Location(); got != time.UTC {
		t.Errorf("nil policy: Location = %s, want UTC", got)
	}
	if got := (&Policy{}).Location(); got != time.UTC {
		t.Errorf("no zone: Location = %s, want UTC", got)
	}
	ny := zone(t, "America/New_York")
	if got := (&Policy{Timezone: ny}).Location(); got != ny {
		t.Errorf("Location = %s, want America/New_York", got)
	}
}

func TestPeriodWords(t *testing.T) {
	t.Parallel()
	for per, want := range map[Period]string{PerDay: "today", PerWeek: "this week", PerMonth: "this month"} {
		if got := periodWords(per); got != want {
			t.Errorf("periodWords(%s) = %q, want %q", per, got, want)
		}
	}
}
