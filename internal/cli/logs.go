package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

func logsCmd(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "logs", Short: "Read CloudWatch Logs of a running tenkai"}
	cmd.AddCommand(logsTailCmd(stdout))
	return cmd
}

// tailOptions configures `tenkai logs tail`.
type tailOptions struct {
	group    string
	endpoint string
	region   string
	since    string
	format   string // short or detailed
	pattern  string
	streams  []string // only these streams
	prefix   string   // only streams with this prefix
	follow   bool
	poll     time.Duration
	now      func() time.Time
}

func logsTailCmd(stdout io.Writer) *cobra.Command {
	o := tailOptions{poll: 200 * time.Millisecond, now: time.Now}
	cmd := &cobra.Command{
		Use:   "tail GROUP",
		Short: "Print a log group's events, like aws logs tail",
		Long: "Print the events of a log group in time order as TIME STREAM MESSAGE lines.\n" +
			"With --follow, keep printing new events until interrupted.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.group = args[0]
			ctx := cmd.Context()
			if o.follow {
				var stop context.CancelFunc
				ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
				defer stop()
			}
			return tail(ctx, o, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.endpoint, "endpoint", defaultEndpoint(), "tenkai endpoint (TENKAI_ENDPOINT, AWS_ENDPOINT_URL)")
	f.StringVar(&o.region, "region", defaultRegion(), "region of the log group (AWS_REGION, AWS_DEFAULT_REGION)")
	f.StringVar(&o.since, "since", "10m", "start this long ago (s, m, h, d, w units) or at an ISO 8601 time")
	f.StringVar(&o.format, "format", "detailed", "detailed (TIME STREAM MESSAGE) or short (TIME MESSAGE)")
	f.StringVar(&o.pattern, "filter-pattern", "", "only events matching this CloudWatch Logs filter pattern")
	f.StringSliceVar(&o.streams, "log-stream-names", nil, "only these log streams (comma-separated)")
	f.StringVar(&o.prefix, "log-stream-name-prefix", "", "only log streams whose names start with this")
	f.BoolVarP(&o.follow, "follow", "f", false, "keep printing new events")
	return cmd
}

func defaultEndpoint() string {
	for _, k := range []string{"TENKAI_ENDPOINT", "AWS_ENDPOINT_URL"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "http://127.0.0.1:4566"
}

func defaultRegion() string {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "us-east-1"
}

var relativeTime = regexp.MustCompile(`^(\d+)([smhdw])$`)

// parseSince reads --since: a number with a unit (s, m, h, d, w) counted back
// from now, or an ISO 8601 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if m := relativeTime.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("--since %q: %w", s, err)
		}
		unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		return now.Add(-time.Duration(n) * unit), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: want a relative time like 10m, 2h, 1d or an ISO 8601 time", s)
}

type tailEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	EventID       string `json:"eventId"`
}

type filterPage struct {
	Events    []tailEvent `json:"events"`
	NextToken string      `json:"nextToken"`
}

func tail(ctx context.Context, o tailOptions, out io.Writer) error {
	if o.format != "detailed" && o.format != "short" {
		return fmt.Errorf("--format %q: want detailed or short", o.format)
	}
	since, err := parseSince(o.since, o.now())
	if err != nil {
		return err
	}
	c := &logsClient{endpoint: trimEndpoint(o.endpoint), region: o.region, http: &http.Client{Timeout: 30 * time.Second}}
	start := since.UnixMilli()
	seen := map[string]int64{} // event id → timestamp, for events at or after start
	for {
		last, err := tailOnce(ctx, c, o, start, seen, out)
		if err != nil {
			if o.follow && ctx.Err() != nil {
				return nil
			}
			return err
		}
		if !o.follow {
			return nil
		}
		// Ask again from the newest timestamp seen: events that share it
		// are told apart by id.
		if last > start {
			start = last
			for id, ts := range seen {
				if ts < start {
					delete(seen, id)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(o.poll):
		}
	}
}

// tailOnce prints every unseen event from start on and returns the newest
// timestamp printed (or start).
func tailOnce(ctx context.Context, c *logsClient, o tailOptions, start int64, seen map[string]int64, out io.Writer) (int64, error) {
	last := start
	token := ""
	for {
		in := map[string]any{"logGroupName": o.group, "startTime": start}
		if o.pattern != "" {
			in["filterPattern"] = o.pattern
		}
		if len(o.streams) > 0 {
			in["logStreamNames"] = o.streams
		}
		if o.prefix != "" {
			in["logStreamNamePrefix"] = o.prefix
		}
		if token != "" {
			in["nextToken"] = token
		}
		var page filterPage
		if err := c.call(ctx, "FilterLogEvents", in, &page); err != nil {
			return last, err
		}
		for _, e := range page.Events {
			if _, dup := seen[e.EventID]; dup {
				continue
			}
			seen[e.EventID] = e.Timestamp
			last = max(last, e.Timestamp)
			if _, err := io.WriteString(out, formatEvent(e, o.format)); err != nil {
				return last, err
			}
		}
		if page.NextToken == "" {
			return last, nil
		}
		token = page.NextToken
	}
}

// formatEvent renders one event as aws logs tail does: detailed is
// "TIME STREAM MESSAGE" with an ISO 8601 time in UTC, short "TIME MESSAGE".
func formatEvent(e tailEvent, format string) string {
	t := time.UnixMilli(e.Timestamp).UTC()
	msg := strings.TrimRight(e.Message, "\n")
	if format == "short" {
		return t.Format("2006-01-02T15:04:05") + " " + msg + "\n"
	}
	layout := "2006-01-02T15:04:05.000000-07:00"
	if e.Timestamp%1000 == 0 {
		layout = "2006-01-02T15:04:05-07:00" // Python's isoformat drops a zero fraction
	}
	return t.Format(layout) + " " + e.LogStreamName + " " + msg + "\n"
}

// logsClient calls the CloudWatch Logs API of a tenkai endpoint. It sends a
// SigV4-shaped Authorization header naming the access key and region, which
// tenkai reads to pick the account and region (signatures are not checked).
type logsClient struct {
	endpoint string
	region   string
	http     *http.Client
}

// apiError is an error answer from the service.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func (c *logsClient) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode %s request: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	key := os.Getenv("AWS_ACCESS_KEY_ID")
	if key == "" {
		key = "test"
	}
	now := time.Now().UTC()
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Logs_20140328."+op)
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/"+now.Format("20060102")+"/"+c.region+
		"/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="+strings.Repeat("0", 64))
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s at %s: %w", op, c.endpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s: read response: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &e) == nil && e.Type != "" {
			if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
				e.Type = e.Type[i+1:]
			}
			return &apiError{Code: e.Type, Message: e.Message}
		}
		return fmt.Errorf("%s: HTTP %d: %s", op, resp.StatusCode, bytes.TrimSpace(data))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", op, err)
	}
	return nil
}
