package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// buildGoZip builds a provided.al2023 function from testdata/DIR into a zip file.
func buildGoZip(t *testing.T, dir string) string {
	t.Helper()
	tmp := t.TempDir()
	cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", filepath.Join(tmp, "bootstrap"), "./testdata/"+dir)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", dir, err, out)
	}
	bin, err := os.ReadFile(filepath.Join(tmp, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, "fn.zip", zipFiles(t, map[string]string{"bootstrap": string(bin)}))
}

// TestSeed001EventBridgeLoop runs seed 001's second variant: the rule, the
// permission and the target are made with the aws CLI, the first event is put
// from Go, and the function keeps re-running itself through EventBridge until
// its condition stops holding.
func TestSeed001EventBridgeLoop(t *testing.T) {
	s := startServer(t)
	zip := buildGoZip(t, "ebloopfn")
	s.MustCLI(t, "lambda", "create-function", "--function-name", "looper", "--runtime", "provided.al2023", "--handler", "bootstrap",
		"--role", "arn:aws:iam::000000000000:role/lambda-role", "--zip-file", "fileb://"+zip)
	s.MustCLI(t, "lambda", "wait", "function-active-v2", "--function-name", "looper")
	s.MustCLI(t, "events", "put-rule", "--name", "MyEventRule", "--event-pattern", `{"source": ["my.event.source"], "detail-type": ["MyEvent"]}`, "--state", "ENABLED")
	ruleARN := "arn:aws:events:us-east-1:000000000000:rule/MyEventRule"
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:looper"
	s.MustCLI(t, "events", "put-targets", "--rule", "MyEventRule", "--targets", "Id=1,Arn="+fnARN)

	ctx := context.Background()
	eb := eventbridge.NewFromConfig(s.SDK())
	put := func(i, n int) {
		out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			Detail: aws.String(`{"i":` + itoa(i) + `,"n":` + itoa(n) + `}`), DetailType: aws.String("MyEvent"),
			EventBusName: aws.String("default"), Source: aws.String("my.event.source"),
		}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents = %+v, %v", out, err)
		}
	}

	// Without the resource policy the delivery fails, as in AWS, and says why.
	put(0, 1)
	waitFor(t, 10*time.Second, "a failed delivery record", func() bool {
		_, _, body := s.Do(t, "GET", "/_tenkai/events/deliveries", nil, nil)
		return strings.Contains(string(body), "not authorized to invoke")
	})
	waitFor(t, 15*time.Second, "tenkai's log to explain the missing permission", func() bool {
		return strings.Contains(s.Logs(), "add-permission")
	})
	logs := cloudwatchlogs.NewFromConfig(s.SDK())
	if txt := logText(t, logs, "/aws/lambda/looper"); strings.Contains(txt, "eb i=") {
		t.Fatalf("function ran without permission:\n%s", txt)
	}
	s.MustCLI(t, "events", "remove-targets", "--rule", "MyEventRule", "--ids", "1")

	s.MustCLI(t, "lambda", "add-permission", "--function-name", "looper", "--statement-id", "MyEventRulePermission",
		"--action", "lambda:InvokeFunction", "--principal", "events.amazonaws.com", "--source-arn", ruleARN)
	s.MustCLI(t, "events", "put-targets", "--rule", "MyEventRule", "--targets", "Id=1,Arn="+fnARN)
	put(0, 3)
	waitFor(t, 30*time.Second, "the loop to finish", func() bool {
		return strings.Contains(logText(t, logs, "/aws/lambda/looper"), "eb done")
	})
	txt := logText(t, logs, "/aws/lambda/looper")
	for i := 0; i <= 3; i++ {
		if !strings.Contains(txt, "eb i="+itoa(i)+" n=3 source=my.event.source") {
			t.Errorf("log lacks run i=%d:\n%s", i, txt)
		}
	}
	if strings.Count(txt, "START RequestId:") < 4 {
		t.Errorf("want at least 4 invocations in the log:\n%s", txt)
	}
	var recs struct {
		Deliveries []struct{ Status, TargetArn string }
	}
	_, _, body := s.Do(t, "GET", "/_tenkai/events/deliveries", nil, nil)
	if err := json.Unmarshal(body, &recs); err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, d := range recs.Deliveries {
		if d.Status == "SUCCEEDED" && d.TargetArn == fnARN {
			ok++
		}
	}
	if ok < 4 {
		t.Errorf("%d successful deliveries recorded; want 4", ok)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
