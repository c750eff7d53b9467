package sfn

import (
	"strings"
	"sync"
	"testing"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// sns:publish sends Publish with a JSON Message as its text; SNS's errors
// name the state's error SNS.Code.
func TestSNSPublishIntegration(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	api := apiFunc(func(service, op string, in []byte) ([]byte, error) {
		mu.Lock()
		calls = append(calls, service+" "+op+" "+string(in))
		mu.Unlock()
		if strings.Contains(string(in), "missing") {
			return nil, &edge.Error{Code: "NotFound", Message: "Topic does not exist", Status: 404}
		}
		return []byte(`{"MessageId":"m-1"}`), nil
	})
	s := newTestService(t, store.NewMem(), clock.NewFake(t0), Config{APIs: api})
	arn := mustCreate(t, s, "notify", `{"StartAt":"P","States":{
	"P":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","Parameters":{"TopicArn":"arn:aws:sns:us-east-1:000000000000:t","Message":{"order.$":"$.id"}},"ResultPath":"$.pub","Next":"M"},
	"M":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","Parameters":{"TopicArn":"arn:aws:sns:us-east-1:000000000000:missing","Message":"x"},
		"Catch":[{"ErrorEquals":["SNS.NotFound"],"ResultPath":"$.err","Next":"Done"}],"End":true},
	"Done":{"Type":"Pass","End":true}}}`, "")
	in := `{"id":7}`
	rec, _, err := s.start(testCtx(), arn, "", &in, "")
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, s, rec.ARN)
	if d.Status != "SUCCEEDED" || !strings.Contains(*d.Output, `"pub":{"MessageId":"m-1"}`) || !strings.Contains(*d.Output, `"Error":"SNS.NotFound"`) {
		t.Fatalf("execution = %s %v %s %s", d.Status, d.Output, d.Error, d.Cause)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 2 || calls[0] != `sns Publish {"Message":"{\"order\":7}","TopicArn":"arn:aws:sns:us-east-1:000000000000:t"}` {
		t.Errorf("calls = %q", calls)
	}
}
