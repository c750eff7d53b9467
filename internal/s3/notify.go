package s3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"sync"

	"tenkai/internal/edge"
	"tenkai/internal/s3/storage"
)

// EventPublisher puts an AWS service event on the default EventBridge bus of
// account and region. S3 uses it for buckets with EventBridge notifications.
type EventPublisher interface {
	PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error
}

// FunctionInvoker invokes a Lambda function asynchronously (InvocationType
// Event), as S3 does for a bucket's LambdaFunctionConfigurations.
type FunctionInvoker interface {
	InvokeAsync(ctx context.Context, account, region, functionARN string, payload []byte) error
}

// QueueSender sends a message to an SQS queue, as S3 does for a bucket's
// QueueConfigurations.
type QueueSender interface {
	SendToQueue(ctx context.Context, queueARN string, body []byte) error
	// QueueExists is what S3 checks when the configuration is put.
	QueueExists(ctx context.Context, queueARN string) bool
}

// TopicPublisher publishes a message to an SNS topic, as S3 does for a
// bucket's TopicConfigurations.
type TopicPublisher interface {
	PublishToTopic(ctx context.Context, topicARN, subject string, message []byte) error
	TopicExists(ctx context.Context, topicARN string) bool
}

// invokeChecker is implemented by function invokers that can tell whether a
// function's resource policy lets a service principal invoke it.
type invokeChecker interface {
	AllowsInvoke(ctx context.Context, account, region, functionARN, principal, sourceARN string) bool
}

// checkDestinations does what S3 does when a notification configuration is
// put: every function must exist and allow s3.amazonaws.com to invoke it for
// this bucket, and every queue and topic must exist.
func (n *notifier) checkDestinations(ctx context.Context, b *storage.Bucket, c *notificationConfiguration) error {
	type bad struct{ arn, why string }
	var bads []bad
	if ic, ok := n.functions.(invokeChecker); ok {
		for _, l := range c.Lambda {
			region := b.Region
			if parts := strings.Split(l.Function, ":"); len(parts) > 3 && parts[3] != "" {
				region = parts[3]
			}
			if !ic.AllowsInvoke(ctx, b.Account, region, l.Function, "s3.amazonaws.com", "arn:aws:s3:::"+b.Name) {
				bads = append(bads, bad{l.Function, "Not authorized to invoke function [" + l.Function + "]"})
			}
		}
	}
	for _, q := range c.Queue {
		if n.queues == nil || !n.queues.QueueExists(ctx, q.ARN) {
			bads = append(bads, bad{q.ARN, "Permissions on the destination queue do not allow S3 to publish notifications from this bucket"})
		}
	}
	for _, tp := range c.Topic {
		if n.topics == nil || !n.topics.TopicExists(ctx, tp.ARN) {
			bads = append(bads, bad{tp.ARN, "Permissions on the destination topic do not allow S3 to publish notifications from this bucket"})
		}
	}
	if len(bads) == 0 {
		return nil
	}
	e := storage.ErrInvalidRequest("Unable to validate the following destination configurations")
	e.Code = "InvalidArgument"
	for i, x := range bads {
		e = e.With(fmt.Sprintf("ArgumentName%d", i+1), x.arn).
			With(fmt.Sprintf("ArgumentValue%d", i+1), x.why)
	}
	return e
}

// testEvent is the message S3 sends to each queue and topic of a
// configuration when it is put.
func (n *notifier) testEvent(ctx context.Context, bucket string, c *notificationConfiguration) {
	id := edge.MetaFrom(ctx).RequestID
	msg, _ := json.Marshal(map[string]string{"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": isoTime(n.svc.cfg.Clock.Now()),
		"Bucket": bucket, "RequestId": id, "HostId": id})
	for _, q := range c.Queue {
		if err := n.queues.SendToQueue(ctx, q.ARN, msg); err != nil {
			n.svc.log.Warn("S3 test event to queue failed", "bucket", bucket, "queue", q.ARN, "err", err)
		}
	}
	for _, tp := range c.Topic {
		if err := n.topics.PublishToTopic(ctx, tp.ARN, notificationSubject, msg); err != nil {
			n.svc.log.Warn("S3 test event to topic failed", "bucket", bucket, "topic", tp.ARN, "err", err)
		}
	}
}

// notificationSubject is the SNS subject of S3's notifications.
const notificationSubject = "Amazon S3 Notification"

// notificationConfiguration is a bucket's notification configuration:
// Lambda functions, SQS queues, SNS topics and EventBridge.
type notificationConfiguration struct {
	XMLName xml.Name `xml:"NotificationConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	// The SDKs send LambdaFunctionConfigurations as CloudFunctionConfiguration
	// elements; the documentation shows LambdaFunctionConfiguration. Both count.
	Lambda      []lambdaConfiguration `xml:"CloudFunctionConfiguration"`
	LambdaAlias []lambdaConfiguration `xml:"LambdaFunctionConfiguration"`
	Queue       []queueConfiguration  `xml:"QueueConfiguration"`
	Topic       []topicConfiguration  `xml:"TopicConfiguration"`
	EventBridge *struct{}             `xml:"EventBridgeConfiguration"`
}

type queueConfiguration struct {
	ID     string       `xml:"Id"`
	ARN    string       `xml:"Queue"`
	Events []string     `xml:"Event"`
	Rules  []filterRule `xml:"Filter>S3Key>FilterRule"`
}

type topicConfiguration struct {
	ID     string       `xml:"Id"`
	ARN    string       `xml:"Topic"`
	Events []string     `xml:"Event"`
	Rules  []filterRule `xml:"Filter>S3Key>FilterRule"`
}

type lambdaConfiguration struct {
	ID       string       `xml:"Id"`
	Function string       `xml:"CloudFunction"`
	Events   []string     `xml:"Event"`
	Rules    []filterRule `xml:"Filter>S3Key>FilterRule"`
}

type filterRule struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

var notificationEvents = map[string]bool{
	"s3:ObjectCreated:*": true, "s3:ObjectCreated:Put": true, "s3:ObjectCreated:Post": true,
	"s3:ObjectCreated:Copy": true, "s3:ObjectCreated:CompleteMultipartUpload": true,
	"s3:ObjectRemoved:*": true, "s3:ObjectRemoved:Delete": true, "s3:ObjectRemoved:DeleteMarkerCreated": true,
	"s3:ObjectTagging:*": true, "s3:ObjectTagging:Put": true, "s3:ObjectTagging:Delete": true,
	"s3:ObjectRestore:*": true, "s3:ObjectRestore:Post": true, "s3:ObjectRestore:Completed": true,
	"s3:ObjectRestore:Delete": true, "s3:ReducedRedundancyLostObject": true, "s3:Replication:*": true,
	"s3:LifecycleExpiration:*": true, "s3:LifecycleExpiration:Delete": true,
	"s3:LifecycleExpiration:DeleteMarkerCreated": true, "s3:LifecycleTransition": true,
	"s3:IntelligentTiering": true, "s3:ObjectAcl:Put": true, "s3:TestEvent": true,
}

// parseNotification reads and checks a notification configuration document.
func parseNotification(doc []byte) (*notificationConfiguration, error) {
	var c notificationConfiguration
	if err := xml.Unmarshal(doc, &c); err != nil {
		return nil, storage.ErrMalformedXML()
	}
	c.Lambda = append(c.Lambda, c.LambdaAlias...)
	c.LambdaAlias = nil
	type dest struct {
		arn, argName, service string
		events                []string
		rules                 []filterRule
	}
	var dests []dest
	for _, l := range c.Lambda {
		dests = append(dests, dest{l.Function, "CloudFunction", "lambda", l.Events, l.Rules})
	}
	for _, q := range c.Queue {
		dests = append(dests, dest{q.ARN, "Queue", "sqs", q.Events, q.Rules})
	}
	for _, tp := range c.Topic {
		dests = append(dests, dest{tp.ARN, "Topic", "sns", tp.Events, tp.Rules})
	}
	for _, d := range dests {
		if !strings.HasPrefix(d.arn, "arn:") || len(d.events) == 0 || d.service != "lambda" && strings.Split(d.arn+"::", ":")[2] != d.service {
			return nil, storage.ErrInvalidArgument("Unable to validate the following destination configurations", d.argName, d.arn)
		}
		for _, e := range d.events {
			if !notificationEvents[e] {
				return nil, storage.ErrInvalidArgument("The event is not supported for notifications", "Event", e)
			}
		}
		for _, r := range d.rules {
			if n := strings.ToLower(r.Name); n != "prefix" && n != "suffix" {
				return nil, storage.ErrInvalidArgument("filter rule name must be either prefix or suffix", "FilterRule", r.Name)
			}
		}
	}
	return &c, nil
}

// configID returns id, or a new one in the form S3 assigns: a UUID in
// base64.
func configID(id string) string {
	if id != "" {
		return id
	}
	return base64.StdEncoding.EncodeToString([]byte(edge.NewUUID()))
}

// document is the configuration as S3 stores and returns it, naming the
// configurations that came without an Id. Only a put names them, so a
// stored document reads back with the same Ids every time.
func (c *notificationConfiguration) document() ([]byte, error) {
	for i := range c.Lambda {
		c.Lambda[i].ID = configID(c.Lambda[i].ID)
	}
	for i := range c.Queue {
		c.Queue[i].ID = configID(c.Queue[i].ID)
	}
	for i := range c.Topic {
		c.Topic[i].ID = configID(c.Topic[i].ID)
	}
	d := *c
	d.Xmlns = xmlns
	b, err := xml.Marshal(&d)
	if err != nil {
		return nil, fmt.Errorf("encode notification configuration: %w", err)
	}
	return b, nil
}

// notifier delivers a service's object events to the bucket's destinations.
type notifier struct {
	events    EventPublisher  // may be nil
	functions FunctionInvoker // may be nil
	queues    QueueSender     // may be nil
	topics    TopicPublisher  // may be nil
	eng       *storage.Engine
	svc       *Service

	wg sync.WaitGroup
}

// config reads a bucket's notification configuration; it is read per event
// (one read transaction) so changes apply at once.
func (n *notifier) config(bucket string) *notificationConfiguration {
	doc, err := n.eng.BucketConfig(bucket, "notification")
	if err != nil || doc == nil {
		return nil
	}
	c, _ := parseNotification(doc)
	return c
}

// handle runs for every committed object change; delivery happens on its
// own goroutine so writers are not held up.
func (n *notifier) handle(ev storage.Event) {
	c := n.config(ev.Bucket)
	if c == nil {
		return
	}
	type call func(context.Context)
	var calls []call
	if c.EventBridge != nil && n.events != nil {
		detailType, detail := eventBridgeDetail(ev)
		calls = append(calls, func(ctx context.Context) {
			if err := n.events.PublishEvent(ctx, ev.Owner, ev.Region, "aws.s3", detailType, detail, []string{"arn:aws:s3:::" + ev.Bucket}); err != nil {
				n.svc.log.Warn("S3 EventBridge notification failed", "bucket", ev.Bucket, "key", ev.Key, "err", err)
			}
		})
	}
	if n.functions != nil {
		for _, l := range c.Lambda {
			if !matchesEvent(l.Events, ev.Name) || !matchesRules(l.Rules, ev.Key) {
				continue
			}
			fn, payload := l.Function, lambdaRecord(ev, l.ID)
			region := ev.Region
			if parts := strings.Split(fn, ":"); len(parts) > 3 && parts[3] != "" {
				region = parts[3]
			}
			calls = append(calls, func(ctx context.Context) {
				if err := n.functions.InvokeAsync(ctx, ev.Owner, region, fn, payload); err != nil {
					n.svc.log.Warn("S3 Lambda notification failed", "bucket", ev.Bucket, "key", ev.Key, "function", fn, "err", err)
				}
			})
		}
	}
	// Queues and topics get the record a function gets, with their own
	// configuration id.
	for _, q := range c.Queue {
		if n.queues == nil || !matchesEvent(q.Events, ev.Name) || !matchesRules(q.Rules, ev.Key) {
			continue
		}
		arn, body := q.ARN, lambdaRecord(ev, q.ID)
		calls = append(calls, func(ctx context.Context) {
			if err := n.queues.SendToQueue(ctx, arn, body); err != nil {
				n.svc.log.Warn("S3 queue notification failed", "bucket", ev.Bucket, "key", ev.Key, "queue", arn, "err", err)
			}
		})
	}
	for _, tp := range c.Topic {
		if n.topics == nil || !matchesEvent(tp.Events, ev.Name) || !matchesRules(tp.Rules, ev.Key) {
			continue
		}
		arn, msg := tp.ARN, lambdaRecord(ev, tp.ID)
		calls = append(calls, func(ctx context.Context) {
			if err := n.topics.PublishToTopic(ctx, arn, notificationSubject, msg); err != nil {
				n.svc.log.Warn("S3 topic notification failed", "bucket", ev.Bucket, "key", ev.Key, "topic", arn, "err", err)
			}
		})
	}
	if len(calls) == 0 {
		return
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		ctx := edge.WithMeta(context.Background(), &edge.Meta{Account: ev.Owner, Region: ev.Region, RequestID: edge.NewUUID()})
		for _, c := range calls {
			c(ctx)
		}
	}()
}

func (n *notifier) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { n.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// matchesEvent reports whether an event name ("ObjectCreated:Put") is one a
// configuration asked for ("s3:ObjectCreated:*").
func matchesEvent(patterns []string, name string) bool {
	for _, p := range patterns {
		p = strings.TrimPrefix(p, "s3:")
		if p == name {
			return true
		}
		if base, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(name, base) {
			return true
		}
	}
	return false
}

func matchesRules(rules []filterRule, key string) bool {
	for _, r := range rules {
		switch strings.ToLower(r.Name) {
		case "prefix":
			if !strings.HasPrefix(key, r.Value) {
				return false
			}
		case "suffix":
			if !strings.HasSuffix(key, r.Value) {
				return false
			}
		}
	}
	return true
}

// lambdaRecord is the event S3 sends to a function: one record whose object
// key is URL-encoded.
func lambdaRecord(ev storage.Event, configID string) []byte {
	obj := map[string]any{"key": encodeKey(ev.Key, true), "sequencer": ev.Sequencer}
	if strings.HasPrefix(ev.Name, "ObjectCreated") {
		obj["size"] = ev.Size
		obj["eTag"] = ev.ETag
	}
	if ev.VersionID != "" {
		obj["versionId"] = ev.VersionID
	}
	owner := ownerOf(ev.Owner).ID
	rec := map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": ev.Region,
		"eventTime": isoTime(ev.Time), "eventName": ev.Name,
		"userIdentity":      map[string]any{"principalId": "AWS:" + ev.Owner},
		"requestParameters": map[string]any{"sourceIPAddress": "127.0.0.1"},
		"responseElements":  map[string]any{"x-amz-request-id": ev.Sequencer, "x-amz-id-2": ev.Sequencer},
		"s3": map[string]any{
			"s3SchemaVersion": "1.0", "configurationId": configID,
			"bucket": map[string]any{"name": ev.Bucket, "ownerIdentity": map[string]any{"principalId": owner}, "arn": "arn:aws:s3:::" + ev.Bucket},
			"object": obj,
		},
	}
	b, _ := json.Marshal(map[string]any{"Records": []any{rec}})
	return b
}

// eventBridgeDetail is the detail-type and detail of S3's EventBridge events.
func eventBridgeDetail(ev storage.Event) (string, []byte) {
	obj := map[string]any{"key": ev.Key, "sequencer": ev.Sequencer}
	if ev.VersionID != "" {
		obj["version-id"] = ev.VersionID
	}
	detail := map[string]any{
		"version": "0", "bucket": map[string]any{"name": ev.Bucket}, "object": obj,
		"request-id": ev.Sequencer, "requester": ev.Owner, "source-ip-address": "127.0.0.1",
	}
	detailType := "Object Created"
	switch ev.Name {
	case "ObjectCreated:Put":
		detail["reason"] = "PutObject"
	case "ObjectCreated:Copy":
		detail["reason"] = "CopyObject"
	case "ObjectCreated:CompleteMultipartUpload":
		detail["reason"] = "CompleteMultipartUpload"
	case "ObjectRemoved:Delete":
		detailType, detail["reason"], detail["deletion-type"] = "Object Deleted", "DeleteObject", "Permanently Deleted"
	case "ObjectRemoved:DeleteMarkerCreated":
		detailType, detail["reason"], detail["deletion-type"] = "Object Deleted", "DeleteObject", "Delete Marker Created"
	}
	if detailType == "Object Created" {
		obj["size"], obj["etag"] = ev.Size, ev.ETag
	}
	b, _ := json.Marshal(detail)
	return detailType, b
}
