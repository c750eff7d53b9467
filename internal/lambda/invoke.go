package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/lambda/runtime"
	"tenkai/internal/store"
)

// Invocation payload limits.
const (
	maxSyncPayload   = 6291456 // 6 MB, request and response
	maxAsyncPayload  = 1048576 // 1 MB for Invoke with InvocationType Event
	maxInvokeArgsOld = 262144  // 256 KB for the deprecated InvokeAsync
)

// Invocation types (X-Amz-Invocation-Type).
const (
	invokeSync   = "RequestResponse"
	invokeEvent  = "Event"
	invokeDryRun = "DryRun"
)

// InvokeResult is the outcome of an invocation through the Go API.
type InvokeResult struct {
	// Payload is the function's response, or its error document when
	// FunctionError is set; nil for asynchronous invocations.
	Payload []byte
	// FunctionError is "" on success and "Unhandled" when the function failed.
	FunctionError string
	// ExecutedVersion is the version that ran ("$LATEST", "1", ...).
	ExecutedVersion string
	// StatusCode is 200 (synchronous), 202 (asynchronous) or 204 (dry run).
	StatusCode int
	// LogResult is the base64 tail of the invocation's log, when asked for.
	LogResult string
	// RequestID identifies the invocation.
	RequestID string
}

type invokeRequest struct {
	Ref           FuncRef
	Type          string
	Payload       []byte
	LogTail       bool
	ClientContext string
	RequestID     string
	TraceID       string
}

// Invoke runs a function for another service: EventBridge targets, Step
// Functions tasks, API Gateway integrations, CodePipeline and CodeDeploy
// hooks. function is a name or any ARN form; qualifier may be "" (or given
// inside the ARN). With async the event is queued (retries, destinations)
// and the result has StatusCode 202. Errors are *edge.Error values with the
// AWS code. Invoke is safe for concurrent use.
func (s *Service) Invoke(ctx context.Context, account, region, function, qualifier string, payload []byte, async bool) (*InvokeResult, error) {
	ref, err := ParseFunctionRef(function, account, region)
	if err != nil {
		return nil, err
	}
	if ref, err = ref.withQualifier(qualifier); err != nil {
		return nil, err
	}
	typ := invokeSync
	if async {
		typ = invokeEvent
	}
	return s.invoke(ctx, &invokeRequest{Ref: ref, Type: typ, Payload: payload, RequestID: edge.NewUUID()})
}

func tooLarge(limit int) *edge.Error {
	return edge.NewError(http.StatusRequestEntityTooLarge, "RequestTooLargeException",
		fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit))
}

// invoke validates an invocation and runs, queues or dry-runs it.
func (s *Service) invoke(ctx context.Context, req *invokeRequest) (*InvokeResult, error) {
	switch req.Type {
	case "", invokeSync:
		req.Type = invokeSync
		if len(req.Payload) > maxSyncPayload {
			return nil, tooLarge(maxSyncPayload)
		}
	case invokeEvent:
		if len(req.Payload) > maxAsyncPayload {
			return nil, tooLarge(maxAsyncPayload)
		}
	case invokeDryRun:
	default:
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", req.Type)
	}
	if len(req.Payload) > 0 && !json.Valid(req.Payload) {
		return nil, edge.Errorf("InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a valid JSON value")
	}
	fn, err := s.view(req.Ref)
	if err != nil {
		return nil, err
	}
	v, err := fn.pick(req.Ref, s.random)
	if err != nil {
		return nil, err
	}
	switch req.Type {
	case invokeDryRun:
		return &InvokeResult{StatusCode: http.StatusNoContent, RequestID: req.RequestID}, nil
	case invokeEvent:
		if err := s.async.enqueue(req.Ref, req.Payload, req.RequestID); err != nil {
			return nil, err
		}
		return &InvokeResult{StatusCode: http.StatusAccepted, RequestID: req.RequestID}, nil
	}
	return s.run(ctx, fn, req.Ref, v, req)
}

// pick resolves the version an invocation runs; for an alias with routing
// weights it draws from rnd.
func (fn *function) pick(ref FuncRef, rnd func() float64) (*version, error) {
	if a := fn.Aliases[ref.Qualifier]; a != nil && len(a.Weights) > 0 {
		r := ref
		r.Qualifier = a.pickVersion(rnd())
		if v := fn.Versions[r.Qualifier]; v != nil {
			return v, nil
		}
	}
	return fn.resolveVersion(ref)
}

// specKey identifies code and configuration of a version: environments are
// reused only for the same key.
func specKey(v *version, hot string) string {
	k := v.Version + "/" + v.RevisionID
	if hot != "" {
		k += "/" + hot
	}
	return k
}

// spec builds the runtime.Spec of a version, unpacking code and layers on
// first use.
func (s *Service) spec(fn *function, ref FuncRef, v *version) (*runtime.Spec, error) {
	sp := &runtime.Spec{
		Account: ref.Account, Region: ref.Region, FunctionName: fn.Name,
		FunctionARN: functionARN(ref.Account, ref.Region, fn.Name), Version: v.Version,
		Runtime: v.Runtime, Handler: v.Handler, Env: v.Env, MemoryMB: v.MemorySize,
		Timeout: time.Duration(v.Timeout) * time.Second, LogGroup: v.Logging.LogGroup,
		Architectures: v.Architectures,
	}
	if sp.LogGroup == "" {
		sp.LogGroup = "/aws/lambda/" + fn.Name
	}
	if fn.Reserved != nil {
		sp.Concurrency = *fn.Reserved
	}
	hot := ""
	if v.Code.HotReload != "" {
		sp.CodeDir = v.Code.HotReload
		hot = s.hot.fingerprint(v.Code.HotReload, s.clk.Now())
	} else {
		dir, err := s.unz.dirFor(v.Code.Hex)
		if err != nil {
			return nil, err
		}
		sp.CodeDir = dir
	}
	if len(v.Layers) > 0 {
		err := s.st.View(func(tx store.Tx) error {
			for _, l := range v.Layers {
				lref, _ := ParseLayerVersionARN(l.Arn)
				lv, err := loadLayerVersion(tx, lref)
				if err != nil {
					return err
				}
				if lv == nil {
					continue // deleted layer versions keep working on AWS; here the content is gone
				}
				if lv.Code.HotReload != "" {
					sp.LayerDirs = append(sp.LayerDirs, lv.Code.HotReload)
					hot += s.hot.fingerprint(lv.Code.HotReload, s.clk.Now())
					continue
				}
				dir, err := s.unz.dirFor(lv.Code.Hex)
				if err != nil {
					return err
				}
				sp.LayerDirs = append(sp.LayerDirs, dir)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sp.Key = specKey(v, hot)
	if hot != "" && s.exec != nil && s.hotChanged(ref, fn.Name, v.Version, sp.Key) {
		s.exec.Retire(ref.Account, ref.Region, fn.Name, sp.Key)
	}
	return sp, nil
}

func throttled(reserved bool) *edge.Error {
	reason := "ConcurrentInvocationLimitExceeded"
	if reserved {
		reason = "ReservedFunctionConcurrentInvocationLimitExceeded"
	}
	return edge.NewError(http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.").With("Reason", reason)
}

// run invokes version v synchronously.
func (s *Service) run(ctx context.Context, fn *function, ref FuncRef, v *version, req *invokeRequest) (*InvokeResult, error) {
	if s.exec == nil {
		return nil, edge.NewError(http.StatusInternalServerError, "ServiceException", "Function execution is not available: no executor is configured.")
	}
	if !Runnable(v.Runtime) {
		return nil, edge.NewError(http.StatusBadGateway, "InvalidRuntimeException",
			fmt.Sprintf("The runtime %s cannot run locally: tenkai runs python3.x, nodejs and provided (custom runtime) functions.", v.Runtime))
	}
	if fn.Reserved != nil && *fn.Reserved == 0 {
		return nil, throttled(true)
	}
	sp, err := s.spec(fn, ref, v)
	if err != nil {
		return nil, err
	}
	res, err := s.exec.Invoke(ctx, sp, &runtime.Request{
		RequestID: req.RequestID, Payload: req.Payload, InvokedARN: ref.ARN(),
		ClientContext: req.ClientContext, TraceID: req.TraceID, WantLogTail: req.LogTail,
	})
	switch {
	case errors.Is(err, runtime.ErrTooManyRequests):
		e := throttled(fn.Reserved != nil)
		var te *runtime.ThrottleError
		if errors.As(err, &te) && te.Reason != "" {
			e = e.With("Reason", te.Reason)
		}
		return nil, e
	case errors.Is(err, runtime.ErrRuntimeUnavailable):
		return nil, edge.NewError(http.StatusBadGateway, "InvalidRuntimeException", err.Error())
	case err != nil:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, edge.NewError(http.StatusInternalServerError, "ServiceException", "invoke "+fn.Name+": "+err.Error())
	}
	out := &InvokeResult{Payload: res.Payload, FunctionError: res.FunctionError, ExecutedVersion: v.Version,
		StatusCode: http.StatusOK, RequestID: req.RequestID}
	if len(out.Payload) > maxSyncPayload {
		out.FunctionError = "Unhandled"
		out.Payload = []byte(fmt.Sprintf(`{"errorMessage":"Response payload size exceeded maximum allowed payload size (%d bytes).","errorType":"Function.ResponseSizeTooLarge"}`, maxSyncPayload))
	}
	if req.LogTail {
		out.LogResult = base64.StdEncoding.EncodeToString(res.LogTail)
	}
	return out, nil
}

// hotChanged records the key a hot-reloaded version runs with and reports
// whether it differs from the previous one, so stale environments can go.
func (s *Service) hotChanged(ref FuncRef, name, version, key string) bool {
	id := ref.Account + "/" + ref.Region + "/" + name + "/" + version
	s.hotMu.Lock()
	defer s.hotMu.Unlock()
	if s.hotKeys == nil {
		s.hotKeys = map[string]string{}
	}
	prev, seen := s.hotKeys[id]
	s.hotKeys[id] = key
	return seen && prev != key
}
