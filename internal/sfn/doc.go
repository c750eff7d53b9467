// Package sfn is AWS Step Functions: state machines, versions and aliases,
// executions with their history, task tokens, redrive, TestState, the
// service integrations Task states call, the execution status change events
// EventBridge receives and EXPRESS logging to CloudWatch Logs.
//
// Definitions are parsed by package asl and run by package engine; this
// package owns the API, storage and integrations. STANDARD executions are
// stored with their history and checkpoints so Start resumes those still
// running after a restart.
package sfn
