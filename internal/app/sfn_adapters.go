package app

import (
	"context"
	"encoding/json"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/events"
	"tenkai/internal/logs"
	"tenkai/internal/s3"
	"tenkai/internal/sfn"
)

// sfnFunctions lets Step Functions invoke Lambda functions for Task states.
type sfnFunctions struct{ a *App }

func (f sfnFunctions) Invoke(ctx context.Context, account, region, function, qualifier string, payload []byte, async bool) (*sfn.InvokeResult, error) {
	res, err := f.a.lambda.Invoke(ctx, account, region, function, qualifier, payload, async)
	if err != nil {
		return nil, err
	}
	return &sfn.InvokeResult{Payload: res.Payload, FunctionError: res.FunctionError, ExecutedVersion: res.ExecutedVersion,
		StatusCode: res.StatusCode, RequestID: res.RequestID}, nil
}

// sfnEvents publishes execution status changes on the default bus.
type sfnEvents struct{ a *App }

func (e sfnEvents) PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error {
	return e.a.events.PublishEvent(ctx, account, region, source, detailType, detail, resources)
}

// sfnAPIs lets Task states call the operations of tenkai's awsJson services
// (DynamoDB, EventBridge, Step Functions, CloudWatch Logs) as the AWS SDK
// integrations do.
type sfnAPIs struct{ a *App }

func (c sfnAPIs) Call(ctx context.Context, account, region, service, operation string, input []byte) ([]byte, error) {
	if service == "sns" {
		// SNS speaks awsQuery, not JSON: its one integration is Publish.
		return snsPublishJSON(ctx, c.a.sns, operation, input)
	}
	var js edge.JSONService
	for _, s := range c.a.services {
		if j, ok := s.(edge.JSONService); ok && s.Name() == service {
			js = j
			break
		}
	}
	if js == nil {
		return nil, edge.Errorf("UnknownOperationException", "The service %s is not available", service)
	}
	h := js.Op(operation)
	if h == nil {
		return nil, edge.Errorf("UnknownOperationException", "Unknown operation %s", operation)
	}
	m := &edge.Meta{RequestID: edge.NewUUID(), Account: account, Region: region, Service: service, Operation: operation, Protocol: edge.ProtoJSON}
	out, err := h(edge.WithMeta(ctx, m), input)
	if err != nil {
		return nil, err
	}
	switch v := out.(type) {
	case nil:
		return []byte("{}"), nil
	case json.RawMessage:
		return v, nil
	}
	return json.Marshal(out)
}

// sfnLogs writes execution logs to CloudWatch Logs.
type sfnLogs struct{ l *logs.Service }

func (s sfnLogs) WriteLog(ctx context.Context, account, region, group, stream string, at time.Time, message string) error {
	return s.l.Append(ctx, account, region, group, stream, []logs.Event{{Time: at, Message: message}})
}

// sfnExecutions lets EventBridge rules target state machines; it resolves
// the service at call time because EventBridge is built first.
type sfnExecutions struct{ a *App }

func (x sfnExecutions) StartExecution(ctx context.Context, account, region, stateMachineARN string, input []byte) error {
	in := string(input)
	_, err := x.a.sfn.StartExecution(ctx, stateMachineARN, "", &in, "")
	return err
}

var (
	_ sfn.FunctionInvoker     = sfnFunctions{}
	_ sfn.EventPublisher      = sfnEvents{}
	_ sfn.APICaller           = sfnAPIs{}
	_ sfn.LogWriter           = sfnLogs{}
	_ events.ExecutionStarter = sfnExecutions{}
)

// sfnObjects lets Step Functions read and write S3 objects.
type sfnObjects struct{ a *App }

func (o sfnObjects) GetObject(ctx context.Context, account, region, bucket, key, versionID string) ([]byte, sfn.ObjectInfo, error) {
	b, info, err := o.a.s3.GetObjectBytes(ctx, account, region, bucket, key, versionID)
	if err != nil {
		return nil, sfn.ObjectInfo{}, err
	}
	return b, objectInfo(info), nil
}

func (o sfnObjects) PutObject(ctx context.Context, account, region, bucket, key string, body []byte, contentType string) (sfn.ObjectInfo, error) {
	info, err := o.a.s3.PutObject(ctx, account, region, bucket, key, body, contentType)
	if err != nil {
		return sfn.ObjectInfo{}, err
	}
	return objectInfo(info), nil
}

func objectInfo(i s3.ObjectInfo) sfn.ObjectInfo {
	return sfn.ObjectInfo{ETag: i.ETag, ContentType: i.ContentType, VersionID: i.VersionID, Size: i.Size, LastModified: i.LastModified, Metadata: i.Metadata}
}

var _ sfn.ObjectStore = sfnObjects{}
