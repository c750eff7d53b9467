package sqs_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"net/http/httptest"
	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/sqs"
)

func queryServer(t *testing.T) *httptest.Server {
	svc := sqs.New(sqs.Config{Clock: clock.NewFake(t0)})
	e := edge.New(edge.Config{})
	e.Register(svc)
	e.Register(svc.Query())
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// query posts an awsQuery form as older SDKs do, signed for sqs (the
// signature is not checked; its scope routes the request).
func query(t *testing.T, srv *httptest.Server, path string, form url.Values) (int, string) {
	t.Helper()
	form.Set("Version", "2012-11-05")
	req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestQueryProtocol(t *testing.T) {
	srv := queryServer(t)
	status, body := query(t, srv, "/", url.Values{"Action": {"CreateQueue"}, "QueueName": {"legacy"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"40"}, "Tag.1.Key": {"team"}, "Tag.1.Value": {"a"}})
	var created struct {
		QueueURL string `xml:"CreateQueueResult>QueueUrl"`
	}
	if status != 200 || xml.Unmarshal([]byte(body), &created) != nil || !strings.HasSuffix(created.QueueURL, "/000000000000/legacy") {
		t.Fatalf("CreateQueue: %d %s", status, body)
	}
	qu := created.QueueURL

	status, body = query(t, srv, "/000000000000/legacy", url.Values{"Action": {"SendMessage"}, "QueueUrl": {qu}, "MessageBody": {"hi <there>"},
		"MessageAttribute.1.Name": {"n"}, "MessageAttribute.1.Value.DataType": {"Number"}, "MessageAttribute.1.Value.StringValue": {"5"},
		"MessageAttribute.2.Name": {"b"}, "MessageAttribute.2.Value.DataType": {"Binary"}, "MessageAttribute.2.Value.BinaryValue": {"AAE="}})
	var sent struct {
		MD5   string `xml:"SendMessageResult>MD5OfMessageBody"`
		MD5MA string `xml:"SendMessageResult>MD5OfMessageAttributes"`
		ID    string `xml:"SendMessageResult>MessageId"`
		Req   string `xml:"ResponseMetadata>RequestId"`
	}
	sum := md5.Sum([]byte("hi <there>"))
	if status != 200 || xml.Unmarshal([]byte(body), &sent) != nil || sent.MD5 != hex.EncodeToString(sum[:]) || sent.MD5MA == "" || sent.Req == "" {
		t.Fatalf("SendMessage: %d %s", status, body)
	}

	status, body = query(t, srv, "/", url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {qu}, "AttributeName.1": {"All"},
		"MessageAttributeName.1": {"All"}, "MaxNumberOfMessages": {"10"}})
	var rcv struct {
		Messages []struct {
			MessageId, ReceiptHandle, Body, MD5OfMessageAttributes string
			Attributes                                             []struct{ Name, Value string } `xml:"Attribute"`
			MessageAttributes                                      []struct {
				Name  string
				Value struct{ DataType, StringValue, BinaryValue string }
			} `xml:"MessageAttribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	if status != 200 || xml.Unmarshal([]byte(body), &rcv) != nil || len(rcv.Messages) != 1 {
		t.Fatalf("ReceiveMessage: %d %s", status, body)
	}
	m := rcv.Messages[0]
	if m.Body != "hi <there>" || m.MessageId != sent.ID || m.MD5OfMessageAttributes != sent.MD5MA || len(m.Attributes) < 4 ||
		len(m.MessageAttributes) != 2 || m.MessageAttributes[0].Name != "b" || m.MessageAttributes[0].Value.BinaryValue != "AAE=" {
		t.Fatalf("received %+v\n%s", m, body)
	}

	status, body = query(t, srv, "/", url.Values{"Action": {"GetQueueAttributes"}, "QueueUrl": {qu}, "AttributeName.1": {"VisibilityTimeout"}, "AttributeName.2": {"ApproximateNumberOfMessagesNotVisible"}})
	if status != 200 || !strings.Contains(body, "<Attribute><Name>VisibilityTimeout</Name><Value>40</Value></Attribute>") ||
		!strings.Contains(body, "<Name>ApproximateNumberOfMessagesNotVisible</Name><Value>1</Value>") {
		t.Fatalf("GetQueueAttributes: %d %s", status, body)
	}

	status, body = query(t, srv, "/", url.Values{"Action": {"DeleteMessageBatch"}, "QueueUrl": {qu},
		"DeleteMessageBatchRequestEntry.1.Id": {"a"}, "DeleteMessageBatchRequestEntry.1.ReceiptHandle": {m.ReceiptHandle},
		"DeleteMessageBatchRequestEntry.2.Id": {"b"}, "DeleteMessageBatchRequestEntry.2.ReceiptHandle": {"junk"}})
	if status != 200 || !strings.Contains(body, "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>") ||
		!strings.Contains(body, "<BatchResultErrorEntry><Code>ReceiptHandleIsInvalid</Code>") {
		t.Fatalf("DeleteMessageBatch: %d %s", status, body)
	}

	status, body = query(t, srv, "/", url.Values{"Action": {"ListQueues"}})
	if status != 200 || !strings.Contains(body, "<ListQueuesResult><QueueUrl>"+qu+"</QueueUrl></ListQueuesResult>") {
		t.Fatalf("ListQueues: %d %s", status, body)
	}
	status, body = query(t, srv, "/", url.Values{"Action": {"ListQueueTags"}, "QueueUrl": {qu}})
	if status != 200 || !strings.Contains(body, "<Tag><Key>team</Key><Value>a</Value></Tag>") {
		t.Fatalf("ListQueueTags: %d %s", status, body)
	}
	status, body = query(t, srv, "/", url.Values{"Action": {"DeleteMessage"}, "QueueUrl": {qu}, "ReceiptHandle": {m.ReceiptHandle}})
	if status != 200 || !strings.Contains(body, "<DeleteMessageResponse") {
		t.Fatalf("DeleteMessage: %d %s", status, body)
	}

	// Errors carry the awsQuery codes.
	status, body = query(t, srv, "/", url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"missing"}})
	if status != 400 || !strings.Contains(body, "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") || !strings.Contains(body, "<Type>Sender</Type>") {
		t.Fatalf("GetQueueUrl(missing): %d %s", status, body)
	}
	status, body = query(t, srv, "/", url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {qu},
		"SendMessageBatchRequestEntry.1.Id": {"x"}, "SendMessageBatchRequestEntry.1.MessageBody": {"1"},
		"SendMessageBatchRequestEntry.2.Id": {"x"}, "SendMessageBatchRequestEntry.2.MessageBody": {"2"}})
	if status != 400 || !strings.Contains(body, "<Code>AWS.SimpleQueueService.BatchEntryIdsNotDistinct</Code>") {
		t.Fatalf("SendMessageBatch duplicate ids: %d %s", status, body)
	}
	status, body = query(t, srv, "/", url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {qu},
		"SendMessageBatchRequestEntry.1.Id": {"x"}, "SendMessageBatchRequestEntry.1.MessageBody": {"1"}, "SendMessageBatchRequestEntry.1.DelaySeconds": {"2"},
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Name": {"k"}, "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType": {"String"},
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": {"v"}})
	if status != 200 || !strings.Contains(body, "<SendMessageBatchResultEntry><Id>x</Id><MD5OfMessageAttributes>") {
		t.Fatalf("SendMessageBatch: %d %s", status, body)
	}

	// Unsigned requests are routed by their Action.
	resp, err := http.Post(srv.URL+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetQueueUrl&QueueName=legacy&Version=2012-11-05"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "<GetQueueUrlResult><QueueUrl>") {
		t.Fatalf("unsigned GetQueueUrl: %d %s", resp.StatusCode, b)
	}
}
