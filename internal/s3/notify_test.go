package s3_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
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

// sink is a QueueSender and TopicPublisher that keeps what it is given.
type sink struct {
	mu   sync.Mutex
	sent []string // destination ARN + " " + [subject + " "] + body
}

func (k *sink) SendToQueue(ctx context.Context, arn string, body []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.sent = append(k.sent, arn+" "+string(body))
	return nil
}

func (k *sink) QueueExists(ctx context.Context, arn string) bool {
	return !strings.HasSuffix(arn, ":missing")
}

func (k *sink) PublishToTopic(ctx context.Context, arn, subject string, msg []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.sent = append(k.sent, arn+" "+subject+" "+string(msg))
	return nil
}

func (k *sink) TopicExists(ctx context.Context, arn string) bool {
	return !strings.HasSuffix(arn, ":missing")
}

func (k *sink) take() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := k.sent
	k.sent = nil
	sort.Strings(out)
	return out
}

func TestQueueAndTopicNotifications(t *testing.T) {
	k := &sink{}
	svc := s3.New(s3.Config{Store: store.NewMem(), Logger: slog.New(slog.DiscardHandler), Queues: k, Topics: k})
	e := edge.New(edge.Config{Logger: slog.New(slog.DiscardHandler)})
	e.Register(svc)
	srv := httptest.NewServer(e)
	defer srv.Close()
	c := rawClient{t, srv}
	c.must("PUT", "/inbox", nil, "", 200)

	const q, tp = "arn:aws:sqs:us-east-1:000000000000:uploads", "arn:aws:sns:us-east-1:000000000000:uploads"
	_, b := c.must("PUT", "/inbox?notification", nil, `<NotificationConfiguration>
  <QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:missing</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>
  <TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:missing</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration>
</NotificationConfiguration>`, 400)
	if !strings.Contains(b, "<ArgumentName1>arn:aws:sqs:us-east-1:000000000000:missing</ArgumentName1>") ||
		!strings.Contains(b, "<ArgumentValue2>Permissions on the destination topic do not allow S3 to publish notifications from this bucket</ArgumentValue2>") {
		t.Errorf("missing destinations: %s", b)
	}
	c.must("PUT", "/inbox?notification", nil, `<NotificationConfiguration><QueueConfiguration><Queue>`+tp+`</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`, 400)
	if got := k.take(); len(got) != 0 {
		t.Fatalf("refused configurations sent %v", got)
	}

	c.must("PUT", "/inbox?notification", nil, `<NotificationConfiguration>
  <QueueConfiguration><Id>q</Id><Queue>`+q+`</Queue><Event>s3:ObjectCreated:Put</Event>
    <Filter><S3Key><FilterRule><Name>suffix</Name><Value>.csv</Value></FilterRule></S3Key></Filter></QueueConfiguration>
  <TopicConfiguration><Id>t</Id><Topic>`+tp+`</Topic><Event>s3:ObjectRemoved:*</Event></TopicConfiguration>
</NotificationConfiguration>`, 200)
	got := k.take()
	if len(got) != 2 || !strings.HasPrefix(got[0], tp+" Amazon S3 Notification {") || !strings.HasPrefix(got[1], q+" {") {
		t.Fatalf("test events = %v; want one to the queue and one to the topic", got)
	}
	var test map[string]string
	if err := json.Unmarshal([]byte(strings.TrimPrefix(got[1], q+" ")), &test); err != nil || test["Event"] != "s3:TestEvent" ||
		test["Service"] != "Amazon S3" || test["Bucket"] != "inbox" || test["Time"] == "" {
		t.Errorf("test event = %s (%v)", got[1], err)
	}

	c.must("PUT", "/inbox/a.csv", nil, "1,2", 200)
	c.must("PUT", "/inbox/a.txt", nil, "x", 200)
	c.must("DELETE", "/inbox/a.csv", nil, "", 204)
	if err := svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got = k.take()
	if len(got) != 2 || !strings.HasPrefix(got[0], tp+" Amazon S3 Notification ") || !strings.HasPrefix(got[1], q+" ") {
		t.Fatalf("notifications = %v; want the .csv upload on the queue and its removal on the topic", got)
	}
	var rec struct {
		Records []struct {
			EventName string `json:"eventName"`
			S3        struct {
				ConfigurationID string `json:"configurationId"`
				Object          struct{ Key string }
			} `json:"s3"`
		}
	}
	for i, want := range []string{"ObjectRemoved:Delete t a.csv", "ObjectCreated:Put q a.csv"} {
		body := got[i][strings.Index(got[i], "{"):]
		if err := json.Unmarshal([]byte(body), &rec); err != nil || len(rec.Records) != 1 {
			t.Fatalf("message %d = %s (%v)", i, body, err)
		}
		r := rec.Records[0]
		if g := r.EventName + " " + r.S3.ConfigurationID + " " + r.S3.Object.Key; g != want {
			t.Errorf("message %d = %s; want %s", i, g, want)
		}
	}
}

// TestNotificationIDsAndSkippedValidation: S3 names configurations that
// come without an Id (and the records carry that name), and a client that
// asks S3 to skip destination validation gets neither the check nor the
// test event.
func TestNotificationIDsAndSkippedValidation(t *testing.T) {
	k := &sink{}
	svc := s3.New(s3.Config{Store: store.NewMem(), Logger: slog.New(slog.DiscardHandler), Queues: k})
	e := edge.New(edge.Config{Logger: slog.New(slog.DiscardHandler)})
	e.Register(svc)
	srv := httptest.NewServer(e)
	defer srv.Close()
	c := rawClient{t, srv}
	c.must("PUT", "/inbox", nil, "", 200)

	const missing = "arn:aws:sqs:us-east-1:000000000000:missing"
	doc := `<NotificationConfiguration><QueueConfiguration><Queue>` + missing + `</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`
	c.must("PUT", "/inbox?notification", nil, doc, 400)
	c.must("PUT", "/inbox?notification", map[string]string{"x-amz-skip-destination-validation": "true"}, doc, 200)
	if got := k.take(); len(got) != 0 {
		t.Errorf("a configuration put without validation sent %v; want no test event", got)
	}
	_, b := c.must("GET", "/inbox?notification", nil, "", 200)
	var got struct {
		Queue []struct{ Id, Queue string } `xml:"QueueConfiguration"`
	}
	if err := xml.Unmarshal([]byte(b), &got); err != nil || len(got.Queue) != 1 || got.Queue[0].Queue != missing {
		t.Fatalf("GetBucketNotificationConfiguration = %s (%v)", b, err)
	}
	id, err := base64.StdEncoding.DecodeString(got.Queue[0].Id)
	if err != nil || len(id) != 36 {
		t.Errorf("assigned Id = %q; want a UUID in base64", got.Queue[0].Id)
	}
	if !strings.Contains(b, `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`) {
		t.Errorf("document lacks S3's namespace: %s", b)
	}

	c.must("PUT", "/inbox/a", nil, "x", 200)
	if err := svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	sent := k.take()
	if len(sent) != 1 || !strings.Contains(sent[0], `"configurationId":"`+got.Queue[0].Id+`"`) {
		t.Errorf("record = %v; want configurationId %s", sent, got.Queue[0].Id)
	}
}
