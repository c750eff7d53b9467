package sfn

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"time"

	"tenkai/internal/sfn/engine"
)

// ObjectStore reads and writes S3 objects for the aws-sdk:s3 integration and
// Distributed Map item readers.
type ObjectStore interface {
	// GetObject returns an object's bytes; faults are *edge.Error values with
	// S3's codes (NoSuchBucket, NoSuchKey).
	GetObject(ctx context.Context, account, region, bucket, key, versionID string) ([]byte, ObjectInfo, error)
	PutObject(ctx context.Context, account, region, bucket, key string, body []byte, contentType string) (ObjectInfo, error)
}

// ObjectInfo describes an S3 object.
type ObjectInfo struct {
	ETag, ContentType, VersionID string
	Size                         int64
	LastModified                 time.Time
	Metadata                     map[string]string
}

type s3Params struct {
	Bucket      string          `json:"Bucket"`
	Key         string          `json:"Key"`
	VersionId   string          `json:"VersionId"`
	Body        json.RawMessage `json:"Body"`
	ContentType string          `json:"ContentType"`
}

// sdkS3 serves aws-sdk:s3:getObject and putObject.
func (t *tasks) sdkS3(ctx context.Context, call *engine.TaskCall, op string) (json.RawMessage, error) {
	objs := t.s.cfg.Objects
	if objs == nil {
		return nil, taskFailed("S3 is not available")
	}
	var p s3Params
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, taskFailed("Invalid parameters: " + err.Error())
	}
	acct, region := call.Execution.Account, call.Execution.Region
	switch op {
	case "GetObject":
		body, info, err := objs.GetObject(ctx, acct, region, p.Bucket, p.Key, p.VersionId)
		if err != nil {
			return nil, serviceError("S3", err, true)
		}
		out := map[string]any{"Body": string(body), "ContentLength": info.Size, "ContentType": info.ContentType,
			"ETag": info.ETag, "LastModified": info.LastModified.UTC().Format(time.RFC3339), "Metadata": orEmpty(info.Metadata)}
		if info.VersionID != "" {
			out["VersionId"] = info.VersionID
		}
		return json.Marshal(out)
	case "PutObject":
		body := []byte(p.Body)
		if len(body) > 0 && body[0] == '"' {
			var s string
			_ = json.Unmarshal(body, &s)
			body = []byte(s)
		}
		info, err := objs.PutObject(ctx, acct, region, p.Bucket, p.Key, body, p.ContentType)
		if err != nil {
			return nil, serviceError("S3", err, true)
		}
		out := map[string]any{"ETag": info.ETag}
		if info.VersionID != "" {
			out["VersionId"] = info.VersionID
		}
		return json.Marshal(out)
	}
	return nil, taskFailed("The resource " + call.Resource + " is not supported")
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// readItems is a Distributed Map ItemReader over arn:aws:states:::s3:getObject:
// a JSON array, JSON Lines or CSV object becomes the items.
func (t *tasks) readItems(ctx context.Context, call *engine.TaskCall) (json.RawMessage, error) {
	objs := t.s.cfg.Objects
	if objs == nil {
		return nil, taskFailed("S3 is not available")
	}
	var in struct {
		Parameters   s3Params `json:"Parameters"`
		ReaderConfig struct {
			InputType         string          `json:"InputType"`
			CSVHeaderLocation string          `json:"CSVHeaderLocation"`
			CSVHeaders        []string        `json:"CSVHeaders"`
			MaxItems          int             `json:"MaxItems"`
			CSVDelimiter      string          `json:"CSVDelimiter"`
			Raw               json.RawMessage `json:"-"`
		} `json:"ReaderConfig"`
	}
	if err := json.Unmarshal(call.Input, &in); err != nil {
		return nil, taskFailed("Invalid ItemReader: " + err.Error())
	}
	body, _, err := objs.GetObject(ctx, call.Execution.Account, call.Execution.Region, in.Parameters.Bucket, in.Parameters.Key, in.Parameters.VersionId)
	if err != nil {
		return nil, serviceError("S3", err, true)
	}
	var items []json.RawMessage
	switch strings.ToUpper(in.ReaderConfig.InputType) {
	case "", "JSON":
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, &engine.TaskError{Code: "States.ItemReaderFailed", Cause: "The JSON in the object is not an array: " + err.Error()}
		}
	case "JSONL":
		for _, line := range bytes.Split(body, []byte("\n")) {
			if line = bytes.TrimSpace(line); len(line) == 0 {
				continue
			}
			if !json.Valid(line) {
				return nil, &engine.TaskError{Code: "States.ItemReaderFailed", Cause: "A line of the object is not JSON"}
			}
			items = append(items, append(json.RawMessage(nil), line...))
		}
	case "CSV":
		r := csv.NewReader(bytes.NewReader(body))
		if d := in.ReaderConfig.CSVDelimiter; d == "SEMICOLON" {
			r.Comma = ';'
		} else if d == "TAB" {
			r.Comma = '\t'
		} else if d == "PIPE" {
			r.Comma = '|'
		}
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			return nil, &engine.TaskError{Code: "States.ItemReaderFailed", Cause: "The CSV object could not be read: " + err.Error()}
		}
		headers := in.ReaderConfig.CSVHeaders
		if in.ReaderConfig.CSVHeaderLocation != "GIVEN" && len(rows) > 0 {
			headers, rows = rows[0], rows[1:]
		}
		for _, row := range rows {
			m := make(map[string]string, len(headers))
			for i, h := range headers {
				if i < len(row) {
					m[h] = row[i]
				} else {
					m[h] = ""
				}
			}
			b, _ := json.Marshal(m)
			items = append(items, b)
		}
	default:
		return nil, &engine.TaskError{Code: "States.ItemReaderFailed", Cause: "Unsupported InputType " + in.ReaderConfig.InputType}
	}
	if n := in.ReaderConfig.MaxItems; n > 0 && len(items) > n {
		items = items[:n]
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	return json.Marshal(items)
}
