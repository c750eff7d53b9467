package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/store"
)

// Schedule is a parsed ScheduleExpression: rate(...) or AWS's six-field cron(...).
type Schedule interface {
	// Next returns the first firing time strictly after t.
	Next(t time.Time) time.Time
}

var errSchedule = errors.New("schedule expression is not valid")

// parseSchedule parses rate(value unit) and cron(min hour dom month dow year).
func parseSchedule(expr string) (Schedule, error) {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return parseRate(expr[5 : len(expr)-1])
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return parseCron(expr[5 : len(expr)-1])
	}
	return nil, errSchedule
}

type rate struct{ every time.Duration }

func (r rate) Next(t time.Time) time.Time { return t.Add(r.every) }

func parseRate(s string) (Schedule, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return nil, errSchedule
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 || f[0][0] == '0' {
		return nil, errSchedule
	}
	unit := f[1]
	// AWS wants the singular for 1 and the plural otherwise.
	if (n == 1) != !strings.HasSuffix(unit, "s") {
		return nil, errSchedule
	}
	switch strings.TrimSuffix(unit, "s") {
	case "minute":
		return rate{time.Duration(n) * time.Minute}, nil
	case "hour":
		return rate{time.Duration(n) * time.Hour}, nil
	case "day":
		return rate{time.Duration(n) * 24 * time.Hour}, nil
	}
	return nil, errSchedule
}

// cron is AWS's cron: minutes hours day-of-month month day-of-week year, in UTC.
type cron struct {
	min, hour, month, year set
	dom                    domSpec
	dow                    dowSpec
}

type set map[int]bool

type domSpec struct {
	any     bool // '?' or '*'
	days    set
	last    bool // L
	weekday int  // nW: nearest weekday to n; 0 = none
	lastWd  bool // LW
}

type dowSpec struct {
	any      bool
	days     set // 1=SUN .. 7=SAT
	lastOf   int // nL: last weekday n of the month
	nth, nwd int // n#k: k-th weekday n
}

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

func parseCron(s string) (Schedule, error) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return nil, errSchedule
	}
	var c cron
	var err error
	if c.min, err = parseField(f[0], 0, 59, nil); err != nil {
		return nil, err
	}
	if c.hour, err = parseField(f[1], 0, 23, nil); err != nil {
		return nil, err
	}
	if c.month, err = parseField(f[3], 1, 12, monthNames); err != nil {
		return nil, err
	}
	if c.year, err = parseField(f[5], 1970, 2199, nil); err != nil {
		return nil, err
	}
	domQ, dowQ := f[2] == "?", f[4] == "?"
	if domQ == dowQ { // exactly one of them must be '?'
		return nil, errSchedule
	}
	if c.dom, err = parseDom(f[2]); err != nil {
		return nil, err
	}
	if c.dow, err = parseDow(f[4]); err != nil {
		return nil, err
	}
	return &c, nil
}

func parseField(s string, lo, hi int, names map[string]int) (set, error) {
	out := set{}
	for _, part := range strings.Split(s, ",") {
		step := 1
		if base, st, ok := strings.Cut(part, "/"); ok {
			n, err := strconv.Atoi(st)
			if err != nil || n <= 0 {
				return nil, errSchedule
			}
			step, part = n, base
		}
		from, to := lo, hi
		switch {
		case part == "*":
		case strings.Contains(part, "-"):
			a, b, _ := strings.Cut(part, "-")
			var err error
			if from, err = value(a, names); err != nil {
				return nil, err
			}
			if to, err = value(b, names); err != nil {
				return nil, err
			}
		default:
			v, err := value(part, names)
			if err != nil {
				return nil, err
			}
			from = v
			if step == 1 {
				to = v
			}
		}
		if from < lo || to > hi || from > to {
			return nil, errSchedule
		}
		for v := from; v <= to; v += step {
			out[v] = true
		}
	}
	return out, nil
}

func value(s string, names map[string]int) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, errSchedule
	}
	return v, nil
}

func parseDom(s string) (domSpec, error) {
	switch {
	case s == "?" || s == "*":
		return domSpec{any: true}, nil
	case s == "L":
		return domSpec{last: true}, nil
	case s == "LW":
		return domSpec{lastWd: true}, nil
	case strings.HasSuffix(s, "W"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "W"))
		if err != nil || n < 1 || n > 31 {
			return domSpec{}, errSchedule
		}
		return domSpec{weekday: n}, nil
	}
	days, err := parseField(s, 1, 31, nil)
	return domSpec{days: days}, err
}

func parseDow(s string) (dowSpec, error) {
	switch {
	case s == "?" || s == "*":
		return dowSpec{any: true}, nil
	case s == "L": // the last day of the week
		return dowSpec{days: set{7: true}}, nil
	case strings.Contains(s, "#"):
		a, b, _ := strings.Cut(s, "#")
		d, err := value(a, dayNames)
		n, err2 := strconv.Atoi(b)
		if err != nil || err2 != nil || d < 1 || d > 7 || n < 1 || n > 5 {
			return dowSpec{}, errSchedule
		}
		return dowSpec{nth: n, nwd: d}, nil
	case strings.HasSuffix(s, "L") && len(s) > 1:
		d, err := value(strings.TrimSuffix(s, "L"), dayNames)
		if err != nil || d < 1 || d > 7 {
			return dowSpec{}, errSchedule
		}
		return dowSpec{lastOf: d}, nil
	}
	days, err := parseField(s, 1, 7, dayNames)
	return dowSpec{days: days}, err
}

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

func (c *cron) dayMatches(d time.Time) bool {
	y, m, day := d.Date()
	n := daysIn(y, m)
	wd := int(d.Weekday()) + 1 // 1=SUN
	switch {
	case !c.dom.any:
		switch {
		case c.dom.last:
			return day == n
		case c.dom.lastWd:
			last := time.Date(y, m, n, 0, 0, 0, 0, time.UTC)
			for last.Weekday() == time.Saturday || last.Weekday() == time.Sunday {
				last = last.AddDate(0, 0, -1)
			}
			return day == last.Day()
		case c.dom.weekday > 0:
			target := min(c.dom.weekday, n)
			t := time.Date(y, m, target, 0, 0, 0, 0, time.UTC)
			switch t.Weekday() {
			case time.Saturday:
				if target == 1 {
					t = t.AddDate(0, 0, 2)
				} else {
					t = t.AddDate(0, 0, -1)
				}
			case time.Sunday:
				if target == n {
					t = t.AddDate(0, 0, -2)
				} else {
					t = t.AddDate(0, 0, 1)
				}
			}
			return day == t.Day()
		}
		return c.dom.days[day]
	case !c.dow.any:
		switch {
		case c.dow.lastOf > 0:
			return wd == c.dow.lastOf && day+7 > n
		case c.dow.nth > 0:
			return wd == c.dow.nwd && (day-1)/7+1 == c.dow.nth
		}
		return c.dow.days[wd]
	}
	return true
}

// Next skips years and months that cannot match, then walks days, hours and
// minutes, so it stays cheap for schedules that fire decades from now.
func (c *cron) Next(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for day.Year() <= 2199 {
		switch {
		case !c.year[day.Year()]:
			day = time.Date(day.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
			continue
		case !c.month[int(day.Month())]:
			day = time.Date(day.Year(), day.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if c.dayMatches(day) {
			for h := 0; h < 24; h++ {
				if !c.hour[h] {
					continue
				}
				for mi := 0; mi < 60; mi++ {
					if !c.min[mi] {
						continue
					}
					cand := day.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute)
					if !cand.Before(t) {
						return cand
					}
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}
}

// scheduler keeps one timer per enabled scheduled rule.
type scheduler struct {
	s      *Service
	mu     sync.Mutex
	timers map[string]*armed // by account|region|bus|name; guarded by mu
}

// armed is one scheduled firing. A timer that fires after it was replaced
// (PutRule changed the rule) or dropped (Reset, Close) finds a different entry,
// or none, under its key, and neither fires nor re-arms: Stop cannot recall a
// callback that has already started.
type armed struct{ t clock.Timer }

func newScheduler(s *Service) *scheduler { return &scheduler{s: s, timers: map[string]*armed{}} }

func schedKey(acct, region, bus, name string) string {
	return acct + "|" + region + "|" + bus + "|" + name
}

// loadAll arms every stored scheduled rule (after a restart with a data dir).
func (sc *scheduler) loadAll() error {
	type found struct {
		acct, region string
		r            Rule
	}
	var rules []found
	err := sc.s.st.View(func(tx store.Tx) error {
		var derr error
		tx.BucketNames("events/rules/", func(name string) bool {
			parts := strings.Split(strings.TrimPrefix(name, "events/rules/"), "/")
			if len(parts) != 2 {
				return true
			}
			tx.Bucket(name).Scan(nil, nil, false, func(_, v []byte) bool {
				var r Rule
				if derr = json.Unmarshal(v, &r); derr != nil {
					return false
				}
				if r.ScheduleExpression != "" {
					rules = append(rules, found{parts[0], parts[1], r})
				}
				return true
			})
			return derr == nil
		})
		return derr
	})
	for i := range rules {
		sc.update(rules[i].acct, rules[i].region, &rules[i].r)
	}
	return err
}

// update (re)arms or disarms a rule's timer after it changed.
func (sc *scheduler) update(acct, region string, r *Rule) {
	key := schedKey(acct, region, r.Bus, r.Name)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if a := sc.timers[key]; a != nil {
		a.t.Stop()
		delete(sc.timers, key)
	}
	if r.ScheduleExpression == "" || r.State == "DISABLED" {
		return
	}
	sched, err := parseSchedule(r.ScheduleExpression)
	if err != nil {
		return
	}
	sc.armLocked(key, acct, region, r.Bus, r.Name, sched, sc.s.clk.Now())
}

func (sc *scheduler) armLocked(key, acct, region, bus, name string, sched Schedule, from time.Time) {
	next := sched.Next(from)
	if next.IsZero() {
		return
	}
	a := &armed{}
	a.t = sc.s.clk.AfterFunc(next.Sub(sc.s.clk.Now()), func() {
		sc.fire(a, key, acct, region, bus, name, next)
	})
	sc.timers[key] = a
}

func (sc *scheduler) fire(a *armed, key, acct, region, bus, name string, at time.Time) {
	var r *Rule
	_ = sc.s.st.View(func(tx store.Tx) error {
		var err error
		r, err = sc.s.loadRule(tx, acct, region, bus, name)
		return err
	})
	sc.mu.Lock()
	if sc.timers[key] != a {
		sc.mu.Unlock()
		return
	}
	if r == nil || r.State == "DISABLED" || r.ScheduleExpression == "" {
		delete(sc.timers, key)
		sc.mu.Unlock()
		return
	}
	if sched, err := parseSchedule(r.ScheduleExpression); err == nil {
		sc.armLocked(key, acct, region, bus, name, sched, at)
	}
	sc.mu.Unlock()
	arn := ruleARN(region, acct, bus, name)
	ev := event{ID: sc.s.cfg.NewID(), DetailType: "Scheduled Event", Source: "aws.events", Account: acct,
		Time: at, Region: region, Resources: []string{arn}, Detail: []byte("{}")}
	var buf bytes.Buffer
	if err := appendEnvelope(&buf, &ev); err != nil {
		return
	}
	var b batch
	sc.s.dispatch(&b, acct, region, r, ev.ID, buf.Bytes(), at, false)
	sc.s.enqueue(b)
}

func (sc *scheduler) remove(acct, region, bus, name string) {
	key := schedKey(acct, region, bus, name)
	sc.mu.Lock()
	if a := sc.timers[key]; a != nil {
		a.t.Stop()
		delete(sc.timers, key)
	}
	sc.mu.Unlock()
}

func (sc *scheduler) stopAll() {
	sc.mu.Lock()
	for k, a := range sc.timers {
		a.t.Stop()
		delete(sc.timers, k)
	}
	sc.mu.Unlock()
}
