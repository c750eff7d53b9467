// Package runtime runs Lambda execution environments as local processes that speak the
// Lambda Runtime API (2018-06-01).
//
// Each environment is one child process (in its own process group) with its own Runtime
// API listener on 127.0.0.1. provided.* runtimes run the function's bootstrap; Python and
// Node run bootstraps embedded in this package with the interpreters found on the machine.
// A Manager keeps environments warm per function and code Key, runs several at once up to
// the concurrency limits, reaps idle ones and writes START/END/REPORT log lines as Lambda does.
package runtime

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"tenkai/internal/clock"
)

// Spec is one function version as the control plane resolved it. Immutable once passed in.
type Spec struct {
	Account, Region string
	FunctionName    string
	FunctionARN     string            // unqualified
	Version         string            // "$LATEST" or "1", "2", ...
	Runtime         string            // "provided.al2023", "provided.al2", "python3.12", "nodejs20.x", ...
	Handler         string            // "app.handler", "index.handler", "bootstrap" (ignored for provided.*)
	CodeDir         string            // unpacked code (LAMBDA_TASK_ROOT), read-only
	LayerDirs       []string          // unpacked layers in order; merged as the /opt equivalent
	Env             map[string]string // the function's own Environment.Variables
	MemoryMB        int               // default 128
	Timeout         time.Duration     // default 3s
	Concurrency     int               // reserved concurrency: max environments for this function; 0 = no reservation (account limit applies); -1 never set
	Key             string            // identifies code+config; environments are reused only for the same Key
	LogGroup        string            // "/aws/lambda/" + FunctionName unless LoggingConfig says otherwise
	Architectures   []string
}

// Request is one invocation.
type Request struct {
	RequestID       string // generated (UUID v4) when ""
	Payload         []byte // "" is sent to the function as "{}", as Lambda does for an empty invoke
	InvokedARN      string // the ARN as invoked (qualified with alias/version when it was)
	ClientContext   string // base64 JSON as sent in X-Amz-Client-Context, or ""
	CognitoIdentity string // JSON, or ""
	TraceID         string // X-Amzn-Trace-Id value; generated when ""
	WantLogTail     bool   // LogType=Tail
}

// Result is what the function returned. The caller owns every slice in it.
type Result struct {
	Payload       []byte // response, or the error document {"errorMessage","errorType","stackTrace"?}
	FunctionError string // "" on success, "Unhandled" on any function error (incl. timeout, crash)
	LogTail       []byte // last 4 KB of this invocation's log lines (when WantLogTail)
	Duration      time.Duration
	InitDuration  time.Duration // > 0 on a cold start
	Cold          bool
}

// LogSink receives the log lines of every environment.
type LogSink interface {
	// Append writes lines to a log group/stream, creating both when missing.
	Append(ctx context.Context, account, region, group, stream string, events []LogEvent) error
}

// LogEvent is one log line.
type LogEvent struct {
	Time    time.Time
	Message string
}

// Config configures a Manager. The zero value works.
type Config struct {
	Endpoint           func() string     // tenkai's URL, for AWS_ENDPOINT_URL inside functions; nil: not set
	Logs               LogSink           // nil: logs dropped
	Clock              clock.Clock       // log timestamps and idle reaping; nil means clock.Real
	Logger             *slog.Logger      // nil means slog.Default
	WorkDir            string            // scratch space (merged /opt dirs, /tmp per env); "" = os.TempDir()/tenkai-lambda-<pid>
	IdleTimeout        time.Duration     // idle environments are reaped after this; default 10 min
	AccountConcurrency int               // default 1000
	Interpreters       map[string]string // runtime name → interpreter path override (e.g. "python3.12": "/usr/bin/python3"); keys "python" and "node" apply to every version
	NodeSDKPath        string            // directory with node_modules/@aws-sdk/* to put on NODE_PATH (optional)
}

// Errors Invoke returns (function errors are not Go errors: they are Results).
var (
	// ErrTooManyRequests means the concurrency limit is exhausted; the control plane answers
	// TooManyRequestsException. The error returned is a *ThrottleError wrapping it.
	ErrTooManyRequests = errors.New("runtime: too many requests")
	// ErrRuntimeUnavailable means no interpreter on this machine can run the runtime; the
	// message names what to install.
	ErrRuntimeUnavailable = errors.New("runtime: runtime unavailable")
	// ErrClosed means the Manager was closed or reset while the invocation waited or ran.
	ErrClosed = errors.New("runtime: manager closed")
)

// ThrottleError is the ErrTooManyRequests detail: Reason is the TooManyRequestsException
// Reason member ("ReservedFunctionConcurrentInvocationLimitExceeded" or
// "ConcurrentInvocationLimitExceeded").
type ThrottleError struct {
	Reason string
}

// Error names the Reason.
func (e *ThrottleError) Error() string { return "runtime: too many requests: " + e.Reason }

// Unwrap makes errors.Is(err, ErrTooManyRequests) hold.
func (e *ThrottleError) Unwrap() error { return ErrTooManyRequests }
