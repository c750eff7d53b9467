package logs

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/logs/insights"
	"tenkai/internal/store"
)

// Logs Insights queries run when they start; the stored result is served by
// GetQueryResults with status Complete.
//
//	logs/queries/ACCOUNT/REGION   query id → storedQuery (JSON)
func queriesBucket(account, region string) string { return "logs/queries/" + account + "/" + region }

// maxQueryRecords bounds the events one query reads.
const maxQueryRecords = 1_000_000

type resultField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

type queryStatistics struct {
	RecordsMatched float64 `json:"recordsMatched"`
	RecordsScanned float64 `json:"recordsScanned"`
	BytesScanned   float64 `json:"bytesScanned"`
}

type storedQuery struct {
	QueryID      string          `json:"queryId"`
	QueryString  string          `json:"queryString"`
	Status       string          `json:"status"`
	CreateTime   int64           `json:"createTime"`
	LogGroupName string          `json:"logGroupName"`
	Results      [][]resultField `json:"results"`
	Statistics   queryStatistics `json:"statistics"`
}

type startQueryInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupNames       []string `json:"logGroupNames"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	QueryString         string   `json:"queryString"`
	QueryLanguage       string   `json:"queryLanguage"`
	Limit               *int     `json:"limit"`
}

type startQueryOutput struct {
	QueryID string `json:"queryId"`
}

// queryGroup is a log group named by a query.
type queryGroup struct{ account, region, name string }

func (s *Service) startQuery(ctx context.Context, in *startQueryInput) (*startQueryOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.StartTime == nil {
		return nil, errMissing("startTime")
	}
	if in.EndTime == nil {
		return nil, errMissing("endTime")
	}
	if *in.EndTime < *in.StartTime {
		return nil, errInvalid("End time should not be before the start time")
	}
	if in.QueryString == "" {
		return nil, errMissing("queryString")
	}
	if in.QueryLanguage != "" && in.QueryLanguage != "CWLI" {
		return nil, errInvalid("Only the CWLI query language is supported.")
	}
	limit, err := checkLimit(in.Limit, insights.MaxLimit, insights.MaxLimit)
	if err != nil {
		return nil, err
	}
	var groups []queryGroup
	sources := 0
	if in.LogGroupName != "" {
		sources++
		groups = append(groups, queryGroup{m.Account, m.Region, in.LogGroupName})
	}
	if len(in.LogGroupNames) > 0 {
		sources++
		for _, n := range in.LogGroupNames {
			groups = append(groups, queryGroup{m.Account, m.Region, n})
		}
	}
	if len(in.LogGroupIdentifiers) > 0 {
		sources++
		for _, id := range in.LogGroupIdentifiers {
			a, r, g, err := resolveGroup(m.Account, m.Region, "", id)
			if err != nil {
				return nil, err
			}
			groups = append(groups, queryGroup{a, r, g})
		}
	}
	if sources != 1 {
		return nil, errInvalid("Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be given.")
	}
	if len(groups) > 50 {
		return nil, errInvalid("A query can search at most 50 log groups.")
	}
	q, err := insights.Parse(in.QueryString)
	if err != nil {
		var qe *insights.Error
		if errors.As(err, &qe) {
			return nil, edge.Errorf("MalformedQueryException", "%s", qe.Reason).With("queryCompileError", map[string]any{
				"location": map[string]int{"startCharOffset": qe.Pos, "endCharOffset": qe.Pos}, "message": qe.Reason})
		}
		return nil, edge.Errorf("MalformedQueryException", "%s", err.Error())
	}
	now := s.nowMillis()
	records, scanned, err := s.queryRecords(groups, *in.StartTime*1000, *in.EndTime*1000+999, now)
	if err != nil {
		return nil, err
	}
	res := q.Execute(records)
	rows := res.Rows
	if len(rows) > limit {
		rows = rows[:limit]
	}
	sq := storedQuery{QueryID: edge.NewUUID(), QueryString: in.QueryString, Status: "Complete", CreateTime: now,
		LogGroupName: groups[0].name, Results: make([][]resultField, len(rows)),
		Statistics: queryStatistics{RecordsMatched: float64(res.Matched), RecordsScanned: float64(len(records)), BytesScanned: float64(scanned)}}
	for i, row := range rows {
		sq.Results[i] = make([]resultField, len(row))
		for j, f := range row {
			sq.Results[i][j] = resultField{Field: f.Name, Value: f.Value}
		}
	}
	v, err := json.Marshal(sq)
	if err != nil {
		return nil, fmt.Errorf("encode query: %w", err)
	}
	err = s.st.Update(func(tx store.Tx) error {
		return tx.Bucket(queriesBucket(m.Account, m.Region)).Put([]byte(sq.QueryID), v)
	})
	if err != nil {
		return nil, err
	}
	return &startQueryOutput{QueryID: sq.QueryID}, nil
}

// queryRecords reads the events of the groups in [from, to] as Insights records.
func (s *Service) queryRecords(groups []queryGroup, from, to, now int64) ([]insights.Record, int, error) {
	var records []insights.Record
	bytes := 0
	err := s.st.View(func(tx store.Tx) error {
		for _, qg := range groups {
			g, err := getGroup(tx, qg.account, qg.region, qg.name)
			if err != nil {
				return err
			}
			lo := max(from, retentionCut(now, g.Retention), 0)
			var streams []namedStream
			tx.Bucket(streamsBucket(qg.account, qg.region, qg.name)).Scan(nil, nil, false, func(k, v []byte) bool {
				if sm, err := decodeStream(v); err == nil {
					streams = append(streams, namedStream{string(k), sm})
				}
				return true
			})
			logName := qg.account + ":" + qg.name
			for _, st := range streams {
				sid, stream := st.ID, st.name
				tx.Bucket(eventsBucket(qg.account, qg.region, qg.name)).Scan(eventKey(sid, pos{TS: lo}), eventKey(sid, pos{TS: to + 1}), false, func(k, v []byte) bool {
					e, err := decodeEvent(k, v)
					if err != nil {
						return true
					}
					bytes += len(e.msg)
					r := insights.Record{"@timestamp": insights.Time(e.pos.TS), "@message": e.msg, "@logStream": stream,
						"@log": logName, "@ingestionTime": insights.Time(e.ingest), "@ptr": recordPointer(qg, k)}
					flattenJSON(r, e.msg)
					lambdaFields(r, e.msg)
					records = append(records, r)
					return len(records) < maxQueryRecords
				})
			}
		}
		return nil
	})
	return records, bytes, err
}

// flattenJSON adds the fields of a JSON object message, nested names joined
// with dots, as Insights discovers them.
func flattenJSON(r insights.Record, msg string) {
	t := strings.TrimSpace(msg)
	if !strings.HasPrefix(t, "{") {
		return
	}
	var doc map[string]any
	if json.Unmarshal([]byte(t), &doc) != nil {
		return
	}
	var walk func(prefix string, v any, depth int)
	walk = func(prefix string, v any, depth int) {
		switch x := v.(type) {
		case map[string]any:
			if depth > 10 {
				return
			}
			for k, c := range x {
				walk(prefix+k+".", c, depth+1)
			}
		case []any:
			if depth > 10 {
				return
			}
			for i, c := range x {
				walk(prefix+strconv.Itoa(i)+".", c, depth+1)
			}
		default:
			name := strings.TrimSuffix(prefix, ".")
			if _, system := r[name]; !system {
				r[name] = v
			}
		}
	}
	walk("", doc, 0)
}

// lambdaFields adds the fields Insights discovers in Lambda's platform lines:
// @type for START, END and REPORT, @requestId, and from REPORT @duration,
// @billedDuration, @initDuration (milliseconds), @memorySize and
// @maxMemoryUsed (bytes, MB counted as 1,000,000 as Insights does).
func lambdaFields(r insights.Record, msg string) {
	kind, rest, ok := strings.Cut(msg, " RequestId: ")
	if !ok || (kind != "START" && kind != "END" && kind != "REPORT") {
		return
	}
	r["@type"] = kind
	id, rest, _ := strings.Cut(rest, "\t")
	id, _, _ = strings.Cut(id, " ")
	r["@requestId"] = strings.TrimSpace(id)
	if kind != "REPORT" {
		return
	}
	for _, part := range strings.Split(rest, "\t") {
		name, val, ok := strings.Cut(part, ": ")
		if !ok {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(val), " ")
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			continue
		}
		if unit == "MB" {
			f *= 1e6
		}
		switch name {
		case "Duration":
			r["@duration"] = f
		case "Billed Duration":
			r["@billedDuration"] = f
		case "Init Duration":
			r["@initDuration"] = f
		case "Memory Size":
			r["@memorySize"] = f
		case "Max Memory Used":
			r["@maxMemoryUsed"] = f
		}
	}
}

// recordPointer is the @ptr of an event: hex of account, region, group and
// the event's key, for GetLogRecord.
func recordPointer(qg queryGroup, key []byte) string {
	return hex.EncodeToString([]byte(qg.account+"\x00"+qg.region+"\x00"+qg.name+"\x00")) + hex.EncodeToString(key)
}

type queryIDInput struct {
	QueryID string `json:"queryId"`
}

type getQueryResultsOutput struct {
	QueryLanguage string          `json:"queryLanguage"`
	Results       [][]resultField `json:"results"`
	Statistics    queryStatistics `json:"statistics"`
	Status        string          `json:"status"`
}

func (s *Service) loadQuery(ctx context.Context, id string) (*storedQuery, error) {
	m := edge.MetaFrom(ctx)
	if id == "" {
		return nil, errMissing("queryId")
	}
	var sq storedQuery
	err := s.st.View(func(tx store.Tx) error {
		v := tx.Bucket(queriesBucket(m.Account, m.Region)).Get([]byte(id))
		if v == nil {
			return edge.Errorf("ResourceNotFoundException", "Query does not exist.")
		}
		return json.Unmarshal(v, &sq)
	})
	if err != nil {
		return nil, err
	}
	return &sq, nil
}

func (s *Service) getQueryResults(ctx context.Context, in *queryIDInput) (*getQueryResultsOutput, error) {
	sq, err := s.loadQuery(ctx, in.QueryID)
	if err != nil {
		return nil, err
	}
	return &getQueryResultsOutput{QueryLanguage: "CWLI", Results: sq.Results, Statistics: sq.Statistics, Status: sq.Status}, nil
}

type stopQueryOutput struct {
	Success bool `json:"success"`
}

// stopQuery answers false: queries complete as they start.
func (s *Service) stopQuery(ctx context.Context, in *queryIDInput) (*stopQueryOutput, error) {
	if _, err := s.loadQuery(ctx, in.QueryID); err != nil {
		return nil, err
	}
	return &stopQueryOutput{Success: false}, nil
}

type describeQueriesInput struct {
	LogGroupName string `json:"logGroupName"`
	Status       string `json:"status"`
	MaxResults   *int   `json:"maxResults"`
	NextToken    string `json:"nextToken"`
}

type queryInfo struct {
	QueryLanguage string `json:"queryLanguage"`
	QueryID       string `json:"queryId"`
	QueryString   string `json:"queryString"`
	Status        string `json:"status"`
	CreateTime    int64  `json:"createTime"`
	LogGroupName  string `json:"logGroupName"`
}

type describeQueriesOutput struct {
	Queries   []queryInfo `json:"queries"`
	NextToken string      `json:"nextToken,omitempty"`
}

func (s *Service) describeQueries(ctx context.Context, in *describeQueriesInput) (*describeQueriesOutput, error) {
	m := edge.MetaFrom(ctx)
	limit, err := checkLimit(in.MaxResults, 1000, 1000)
	if err != nil {
		return nil, err
	}
	var from []byte
	if in.NextToken != "" {
		after, err := parseNameToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		from = append([]byte(after), 0)
	}
	out := &describeQueriesOutput{Queries: []queryInfo{}}
	err = s.st.View(func(tx store.Tx) error {
		var last string
		tx.Bucket(queriesBucket(m.Account, m.Region)).Scan(from, nil, false, func(k, v []byte) bool {
			var sq storedQuery
			if json.Unmarshal(v, &sq) != nil {
				return true
			}
			if (in.LogGroupName != "" && sq.LogGroupName != in.LogGroupName) || (in.Status != "" && sq.Status != in.Status) {
				return true
			}
			if len(out.Queries) == limit {
				out.NextToken = nameToken(last)
				return false
			}
			out.Queries = append(out.Queries, queryInfo{QueryLanguage: "CWLI", QueryID: sq.QueryID, QueryString: sq.QueryString,
				Status: sq.Status, CreateTime: sq.CreateTime, LogGroupName: sq.LogGroupName})
			last = string(k)
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type getLogRecordInput struct {
	LogRecordPointer string `json:"logRecordPointer"`
}

type getLogRecordOutput struct {
	LogRecord map[string]string `json:"logRecord"`
}

func (s *Service) getLogRecord(ctx context.Context, in *getLogRecordInput) (*getLogRecordOutput, error) {
	bad := errInvalid("The specified logRecordPointer is invalid.")
	ptr := in.LogRecordPointer
	if len(ptr) < 2*eventKeyLen {
		return nil, bad
	}
	head, err1 := hex.DecodeString(ptr[:len(ptr)-2*eventKeyLen])
	key, err2 := hex.DecodeString(ptr[len(ptr)-2*eventKeyLen:])
	parts := strings.Split(string(head), "\x00")
	if err1 != nil || err2 != nil || len(parts) != 4 {
		return nil, bad
	}
	account, region, group := parts[0], parts[1], parts[2]
	if m := edge.MetaFrom(ctx); m.Account != account {
		return nil, bad
	}
	out := &getLogRecordOutput{}
	err := s.st.View(func(tx store.Tx) error {
		v := tx.Bucket(eventsBucket(account, region, group)).Get(key)
		if v == nil {
			return edge.Errorf("ResourceNotFoundException", "The specified log record does not exist.")
		}
		e, err := decodeEvent(key, v)
		if err != nil {
			return err
		}
		stream := ""
		tx.Bucket(streamsBucket(account, region, group)).Scan(nil, nil, false, func(k, sv []byte) bool {
			if sm, err := decodeStream(sv); err == nil && sm.ID == e.sid {
				stream = string(k)
				return false
			}
			return true
		})
		out.LogRecord = map[string]string{"@message": e.msg, "@timestamp": strconv.FormatInt(e.pos.TS, 10),
			"@ingestionTime": strconv.FormatInt(e.ingest, 10), "@logStream": stream, "@log": account + ":" + group}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
