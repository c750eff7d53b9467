package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestS3QueueNotification sends a bucket's object events to an SQS queue
// with the aws CLI: S3's test event when the configuration is put, then the
// event record of each matching upload.
func TestS3QueueNotification(t *testing.T) {
	s := startServer(t)
	var q struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "uploads").JSON(t, &q)
	const arn = "arn:aws:sqs:us-east-1:000000000000:uploads"
	s.MustCLI(t, "s3api", "create-bucket", "--bucket", "landing")

	r := s.FailCLI(t, "InvalidArgument", "s3api", "put-bucket-notification-configuration", "--bucket", "landing",
		"--notification-configuration", `{"QueueConfigurations":[{"QueueArn":"arn:aws:sqs:us-east-1:000000000000:nope","Events":["s3:ObjectCreated:*"]}]}`)
	if !strings.Contains(r.Stderr, "Unable to validate the following destination configurations") {
		t.Errorf("missing queue: %s", r.Stderr)
	}
	s.MustCLI(t, "s3api", "put-bucket-notification-configuration", "--bucket", "landing", "--notification-configuration",
		`{"QueueConfigurations":[{"Id":"csv-in","QueueArn":"`+arn+`","Events":["s3:ObjectCreated:*"],
		  "Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"in/"},{"Name":"suffix","Value":".csv"}]}}}]}`)
	var got struct {
		NotificationConfiguration map[string]any
		QueueConfigurations       []struct {
			Id, QueueArn string
			Events       []string
		}
	}
	s.MustCLI(t, "s3api", "get-bucket-notification-configuration", "--bucket", "landing").JSON(t, &got)
	if len(got.QueueConfigurations) != 1 || got.QueueConfigurations[0].QueueArn != arn || got.QueueConfigurations[0].Id != "csv-in" {
		t.Errorf("get-bucket-notification-configuration = %+v", got)
	}

	receive := func(what string) string {
		t.Helper()
		var body string
		waitFor(t, 10*time.Second, what, func() bool {
			var out struct {
				Messages []struct{ Body, ReceiptHandle string }
			}
			r := s.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl, "--wait-time-seconds", "1")
			if strings.TrimSpace(r.Stdout) == "" { // the CLI prints nothing for no messages
				return false
			}
			r.JSON(t, &out)
			body = out.Messages[0].Body
			s.MustCLI(t, "sqs", "delete-message", "--queue-url", q.QueueUrl, "--receipt-handle", out.Messages[0].ReceiptHandle)
			return true
		})
		return body
	}
	var test map[string]string
	if err := json.Unmarshal([]byte(receive("S3's test event")), &test); err != nil || test["Event"] != "s3:TestEvent" || test["Bucket"] != "landing" {
		t.Errorf("test event = %v (%v)", test, err)
	}

	file := filepath.Join(t.TempDir(), "day 1.csv")
	if err := os.WriteFile(file, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.MustCLI(t, "s3", "cp", file, "s3://landing/notes/day 1.csv") // no match: prefix
	s.MustCLI(t, "s3", "cp", file, "s3://landing/in/day 1.csv")
	var ev struct {
		Records []struct {
			EventSource string `json:"eventSource"`
			EventName   string `json:"eventName"`
			AWSRegion   string `json:"awsRegion"`
			S3          struct {
				ConfigurationID string `json:"configurationId"`
				Bucket          struct{ Name, Arn string }
				Object          struct {
					Key  string
					Size int64
				}
			} `json:"s3"`
		}
	}
	body := receive("the upload's event record")
	if err := json.Unmarshal([]byte(body), &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("message = %s (%v)", body, err)
	}
	rec := ev.Records[0]
	if rec.EventSource != "aws:s3" || rec.EventName != "ObjectCreated:Put" || rec.AWSRegion != "us-east-1" || rec.S3.ConfigurationID != "csv-in" ||
		rec.S3.Bucket.Name != "landing" || rec.S3.Bucket.Arn != "arn:aws:s3:::landing" || rec.S3.Object.Key != "in/day+1.csv" || rec.S3.Object.Size != 8 {
		t.Errorf("record = %+v", rec)
	}
	if r := s.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl, "--wait-time-seconds", "1"); strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("the upload outside in/ was notified too: %s", r.Stdout)
	}
}

// TestS3TopicNotification sends a bucket's object events to an SNS topic
// that fans out to an SQS queue: the envelope carries S3's subject and the
// event record as its message.
func TestS3TopicNotification(t *testing.T) {
	s := startServer(t)
	var q struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "fanout").JSON(t, &q)
	var topic struct{ TopicArn string }
	s.MustCLI(t, "sns", "create-topic", "--name", "uploads").JSON(t, &topic)
	s.MustCLI(t, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs",
		"--notification-endpoint", "arn:aws:sqs:us-east-1:000000000000:fanout")
	s.MustCLI(t, "s3api", "create-bucket", "--bucket", "drop")
	s.FailCLI(t, "InvalidArgument", "s3api", "put-bucket-notification-configuration", "--bucket", "drop", "--notification-configuration",
		`{"TopicConfigurations":[{"TopicArn":"arn:aws:sns:us-east-1:000000000000:nope","Events":["s3:ObjectCreated:*"]}]}`)
	s.MustCLI(t, "s3api", "put-bucket-notification-configuration", "--bucket", "drop", "--notification-configuration",
		`{"TopicConfigurations":[{"Id":"all","TopicArn":"`+topic.TopicArn+`","Events":["s3:ObjectCreated:*","s3:ObjectRemoved:*"]}]}`)

	receive := func(what string) (subject, message string) {
		t.Helper()
		waitFor(t, 10*time.Second, what, func() bool {
			r := s.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl, "--wait-time-seconds", "1")
			if strings.TrimSpace(r.Stdout) == "" {
				return false
			}
			var out struct {
				Messages []struct{ Body, ReceiptHandle string }
			}
			r.JSON(t, &out)
			var env struct{ Type, Subject, Message, TopicArn string }
			if err := json.Unmarshal([]byte(out.Messages[0].Body), &env); err != nil || env.Type != "Notification" || env.TopicArn != topic.TopicArn {
				t.Fatalf("envelope = %s (%v)", out.Messages[0].Body, err)
			}
			subject, message = env.Subject, env.Message
			s.MustCLI(t, "sqs", "delete-message", "--queue-url", q.QueueUrl, "--receipt-handle", out.Messages[0].ReceiptHandle)
			return true
		})
		return subject, message
	}
	subject, msg := receive("S3's test event through the topic")
	if subject != "Amazon S3 Notification" || !strings.Contains(msg, `"Event":"s3:TestEvent"`) {
		t.Errorf("test event: subject %q, message %s", subject, msg)
	}
	file := filepath.Join(t.TempDir(), "a.txt")
	if err := os.WriteFile(file, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.MustCLI(t, "s3api", "put-object", "--bucket", "drop", "--key", "a.txt", "--body", file)
	_, msg = receive("the upload's record through the topic")
	var ev struct {
		Records []struct {
			EventName string `json:"eventName"`
			S3        struct {
				ConfigurationID string `json:"configurationId"`
				Object          struct{ Key string }
			} `json:"s3"`
		}
	}
	if err := json.Unmarshal([]byte(msg), &ev); err != nil || len(ev.Records) != 1 || ev.Records[0].EventName != "ObjectCreated:Put" ||
		ev.Records[0].S3.ConfigurationID != "all" || ev.Records[0].S3.Object.Key != "a.txt" {
		t.Errorf("message = %s (%v)", msg, err)
	}
}
