package s3_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"tenkai/internal/edge"
	"tenkai/internal/s3"
	"tenkai/internal/store"
)

type recorder struct {
	mu      sync.Mutex
	events  []string // detail-type + " " + detail
	invokes []string // function ARN + " " + payload
}

func (r *recorder) PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, source+" "+detailType+" "+string(detail))
	return nil
}

func (r *recorder) InvokeAsync(ctx context.Context, account, region, functionARN string, payload []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.invokes = append(r.invokes, functionARN+" "+string(payload))
	return nil
}

func (r *recorder) AllowsInvoke(ctx context.Context, account, region, functionARN, principal, sourceARN string) bool {
	return principal == "s3.amazonaws.com" && !strings.HasSuffix(functionARN, ":denied")
}

func TestNotifications(t *testing.T) {
	rec := &recorder{}
	svc := s3.New(s3.Config{Store: store.NewMem(), Logger: slog.New(slog.DiscardHandler), Events: rec, Functions: rec})
	e := edge.New(edge.Config{Logger: slog.New(slog.DiscardHandler)})
	e.Register(svc)
	srv := httptest.NewServer(e)
	defer srv.Close()
	c := rawClient{t, srv}
	c.must("PUT", "/inbox", nil, "", 200)
	c.must("PUT", "/inbox?notification", nil, `<NotificationConfiguration>
  <CloudFunctionConfiguration><Id>thumbs</Id>
    <CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:thumb</CloudFunction>
    <Event>s3:ObjectCreated:*</Event>
    <Filter><S3Key><FilterRule><Name>prefix</Name><Value>images/</Value></FilterRule><FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter>
  </CloudFunctionConfiguration>
  <LambdaFunctionConfiguration><Id>docs</Id><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:docs</CloudFunction>
    <Event>s3:ObjectRemoved:*</Event></LambdaFunctionConfiguration>
  <EventBridgeConfiguration/>
</NotificationConfiguration>`, 200)
	c.must("PUT", "/inbox?notification", nil, `<NotificationConfiguration><LambdaFunctionConfiguration><CloudFunction>x</CloudFunction><Event>s3:ObjectCreated:*</Event></LambdaFunctionConfiguration></NotificationConfiguration>`, 400)
	_, b := c.must("PUT", "/inbox?notification", nil, `<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:denied</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration></NotificationConfiguration>`, 400)
	if !strings.Contains(b, "Unable to validate the following destination configurations") || !strings.Contains(b, "<ArgumentName1>arn:aws:lambda:us-east-1:000000000000:function:denied</ArgumentName1>") {
		t.Errorf("denied destination: %s", b)
	}
	c.must("PUT", "/inbox/images/cat%20one.jpg", nil, "meow", 200)
	c.must("PUT", "/inbox/images/readme.txt", nil, "text", 200)
	c.must("DELETE", "/inbox/images/cat%20one.jpg", nil, "", 204)
	if err := svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	// Notifications to different functions are delivered concurrently, so
	// their order is not fixed: put thumb's (the upload) before docs' (the removal).
	sort.Sort(sort.Reverse(sort.StringSlice(rec.invokes)))
	if len(rec.invokes) != 2 || !strings.HasPrefix(rec.invokes[1], "arn:aws:lambda:us-east-1:000000000000:function:docs ") {
		t.Fatalf("invokes = %v; want one for the upload of images/cat one.jpg and one for its removal", rec.invokes)
	}
	var payload struct {
		Records []struct {
			EventName string
			S3        struct {
				ConfigurationID string `json:"configurationId"`
				Bucket          struct{ Name string }
				Object          struct {
					Key  string
					Size int64
					ETag string `json:"eTag"`
				}
			}
		}
	}
	arn, body, _ := cutSpace(rec.invokes[0])
	if err := json.Unmarshal([]byte(body), &payload); err != nil {
		t.Fatal(err)
	}
	r := payload.Records[0]
	if arn != "arn:aws:lambda:us-east-1:000000000000:function:thumb" || r.EventName != "ObjectCreated:Put" || r.S3.Bucket.Name != "inbox" ||
		r.S3.Object.Key != "images/cat+one.jpg" || r.S3.Object.Size != 4 || r.S3.ConfigurationID != "thumbs" || r.S3.Object.ETag == "" {
		t.Errorf("lambda record = %+v (arn %s)", r, arn)
	}
	if len(rec.events) != 3 {
		t.Fatalf("EventBridge events = %v; want 3", rec.events)
	}
	want := []string{"aws.s3 Object Created", "aws.s3 Object Created", "aws.s3 Object Deleted"}
	for i, ev := range rec.events {
		if len(ev) < len(want[i]) || ev[:len(want[i])] != want[i] {
			t.Errorf("event %d = %s; want %s...", i, ev, want[i])
		}
	}
}

func cutSpace(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
