package insights_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tenkai/internal/logs/insights"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// records builds fresh records: four API calls and a worker line.
func records() []insights.Record {
	mk := func(sec int, stream, msg string, extra map[string]any) insights.Record {
		r := insights.Record{"@timestamp": insights.Time(t0.Add(time.Duration(sec) * time.Second).UnixMilli()),
			"@message": msg, "@logStream": stream, "@log": "000000000000:/app", "@ptr": fmt.Sprint("p", sec)}
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	return []insights.Record{
		mk(0, "web", `{"level":"INFO","path":"/a","ms":12}`, map[string]any{"level": "INFO", "path": "/a", "ms": 12.0}),
		mk(30, "web", `{"level":"ERROR","path":"/b","ms":250}`, map[string]any{"level": "ERROR", "path": "/b", "ms": 250.0}),
		mk(70, "web", `{"level":"INFO","path":"/a","ms":30}`, map[string]any{"level": "INFO", "path": "/a", "ms": 30.0}),
		mk(130, "worker", "job 42 done in 3s user=alice", nil),
		mk(200, "web", `{"level":"WARN","path":"/c","ms":90}`, map[string]any{"level": "WARN", "path": "/c", "ms": 90.0}),
	}
}

// render shows rows as "f=v f=v; f=v" without @ptr.
func render(rows [][]insights.Field) string {
	var out []string
	for _, r := range rows {
		var cells []string
		for _, f := range r {
			if f.Name != "@ptr" {
				cells = append(cells, f.Name+"="+f.Value)
			}
		}
		out = append(out, strings.Join(cells, " "))
	}
	return strings.Join(out, "; ")
}

func TestRun(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{`fields @message | filter level = "ERROR"`, `@message={"level":"ERROR","path":"/b","ms":250}`},
		{`fields path, ms | filter ms > 20 and ms < 100 | sort ms asc`, `path=/a ms=30; path=/c ms=90`},
		{`fields @timestamp, path | filter @message like /ERROR|WARN/ | sort @timestamp desc | limit 1`, `@timestamp=2026-03-01 12:03:20.000 path=/c`},
		{`filter @message like "job" | fields @logStream`, `@logStream=worker`},
		{`fields path | filter path in ["/a", "/c"] | dedup path | sort path`, `path=/a; path=/c`},
		{`fields path | filter path not in ["/a", "/c"] and ispresent(path)`, `path=/b`},
		{`fields path | filter not ispresent(level)`, ``},
		{`filter @logStream = "worker" | fields strlen(@logStream) as n, toupper(@logStream) as up`, `n=6 up=WORKER`},
		{`stats count(*) as calls, avg(ms), max(ms), min(path) by level | sort calls desc, level`, `level=INFO calls=2 avg(ms)=21 max(ms)=30 min(path)=/a; level=ERROR calls=1 avg(ms)=250 max(ms)=250 min(path)=/b; level=WARN calls=1 avg(ms)=90 max(ms)=90 min(path)=/c; calls=1`},
		{`stats count(*) by bin(1m) as minute | sort minute`, `minute=2026-03-01 12:00:00.000 count(*)=2; minute=2026-03-01 12:01:00.000 count(*)=1; minute=2026-03-01 12:02:00.000 count(*)=1; minute=2026-03-01 12:03:00.000 count(*)=1`},
		{`stats sum(ms) as total, count_distinct(path) as paths`, `total=382 paths=3`},
		{`stats pct(ms, 50), pct(ms, 99) as p99, stddev(ms) as sd, earliest(path) as first, latest(path) as last`, `pct(ms, 50)=30 p99=250 sd=108.2636 first=/a last=/c`},
		{`parse @message "job * done in * user=*" as job, took, user | filter ispresent(job) | fields job, took, user`, `job=42 took=3s user=alice`},
		{`parse @message /user=(?<who>\w+)/ | filter ispresent(who) | display who`, `who=alice`},
		{`fields ms * 2 as double, ms % 7 as rem | filter level = "WARN"`, `double=180 rem=6`},
		{`filter level =~ /^E/ | fields level`, `level=ERROR`},
		{`fields level | filter level != "INFO" | sort @timestamp`, `level=ERROR; level=WARN`},
		{`limit 2`, `@timestamp=2026-03-01 12:03:20.000 @message={"level":"WARN","path":"/c","ms":90}; @timestamp=2026-03-01 12:02:10.000 @message=job 42 done in 3s user=alice`},
	}
	for _, tc := range tests {
		q, err := insights.Parse(tc.query)
		if err != nil {
			t.Errorf("Parse(%q) = %v", tc.query, err)
			continue
		}
		if got := render(q.Run(records())); got != tc.want {
			t.Errorf("Run(%q) =\n %s\nwant\n %s", tc.query, got, tc.want)
		}
	}
}

// The user guide's example of ascending sort order.
func TestSortOrder(t *testing.T) {
	want := []string{"!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh", "0", "01", "1", "2", "3"}
	var recs []insights.Record
	for i := len(want) - 1; i >= 0; i-- {
		recs = append(recs, insights.Record{"v": want[i]})
	}
	q, err := insights.Parse("sort v asc | display v")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range q.Run(recs) {
		got = append(got, row[0].Value)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sort v asc =\n %q\nwant\n %q", got, want)
	}
}

func TestPtrOnEventRows(t *testing.T) {
	q, _ := insights.Parse(`fields @message | limit 1`)
	rows := q.Run(records())
	if last := rows[0][len(rows[0])-1]; last.Name != "@ptr" || last.Value != "p200" {
		t.Errorf("last field = %v; want @ptr p200", last)
	}
	q, _ = insights.Parse(`stats count(*)`)
	if rows := q.Run(records()); len(rows) != 1 || len(rows[0]) != 1 || rows[0][0].Value != "5" {
		t.Errorf("stats rows = %v; want count 5 and no @ptr", rows)
	}
}

func TestParseErrors(t *testing.T) {
	for _, q := range []string{
		"", "fields", "filter", "bogus x", "fields a |", "filter a = ", "limit 0", "limit x", "limit 10001",
		"stats nope(x)", "stats sum(*)", "stats pct(ms)", "stats pct(ms, 101)", "stats count(*) by", "sort", `filter "unterminated`, "filter a like /x",
		`parse @message "a * b" as`, `parse @message "a * b" as x, y`, "parse @message /(no names)/",
		"fields bin(x)", "fields strlen()", "filter (a = 1", "filter a in [1, 2", "fields a ~ b",
		strings.Repeat("(", 500) + "a" + strings.Repeat(")", 500),
	} {
		_, err := insights.Parse(q)
		var e *insights.Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%.40q) = %v; want *insights.Error", q, err)
		}
	}
}

func FuzzQuery(f *testing.F) {
	for _, q := range []string{
		`fields @timestamp, @message | sort @timestamp desc | limit 20`,
		`filter @message like /ERROR/ | stats count(*) by bin(5m)`,
		`parse @message "a=* b=*" as a, b | filter a > 3 or not ispresent(b) | dedup a`,
		`fields concat(a, "-", b) as c, -ms / 2 | filter c in ["x", 1]`,
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := insights.Parse(src)
		if err != nil {
			var e *insights.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T", src, err)
			}
			return
		}
		q.Run(records())
	})
}
