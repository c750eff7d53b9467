// Package lambda is the AWS Lambda control plane: functions, versions,
// aliases, layers, permissions, concurrency, event invoke configs and tags,
// plus invocation (synchronous, asynchronous with retries and destinations,
// and dry runs). Execution environments live in the runtime subpackage; this
// package resolves a function version to a runtime.Spec and hands it to an
// Executor.
//
// Other services invoke functions through the Go API:
//
//	res, err := svc.Invoke(ctx, account, region, "my-fn", "", payload, false)
//	// res.Payload, res.FunctionError ("Unhandled" on error), res.ExecutedVersion, res.StatusCode
//
// function may be a name, a partial ARN (123456789012:function:my-fn) or a
// full ARN, with or without a qualifier. Errors are *edge.Error values with the
// AWS error code (ResourceNotFoundException, TooManyRequestsException, ...).
//
// Code downloads: GetFunction and GetLayerVersion return a Location URL on
// tenkai, /_tenkai/lambda/code/{sha256-hex}.zip, served by CodeHandler; the
// composition root mounts it with Edge.HandleAdmin.
//
// Event source mappings (esm.go, esm_poll.go) connect DynamoDB streams to
// functions, read through a StreamReader the composition root provides. Each
// mapping has one poller goroutine that reads after its stored checkpoint,
// applies FilterCriteria with the EventBridge pattern engine, invokes the
// function synchronously in batches and moves the checkpoint only after
// success. Other kinds of event sources are refused. Not modelled:
// ParallelizationFactor (stored; a shard is read by one invocation at a
// time, which keeps per-key order), TumblingWindowInSeconds (stored, not
// applied). OnFailure destinations get failure records: SQS queues and
// SNS topics the record, S3 buckets the record with the batch. As in AWS,
// deleting a function leaves its mappings in place; they report
// "PROBLEM: Function not found" until a function of that name exists again.
//
// Hot reload: a function created with Code {S3Bucket: "hot-reload",
// S3Key: "/abs/dir"} runs from that directory directly; edits are picked up
// by starting fresh environments (the directory tree's latest mtime is
// checked at most every 500 ms).
package lambda
