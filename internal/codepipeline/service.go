// Package codepipeline is AWS CodePipeline: pipeline structures, executions
// that move through stages and actions, jobs for Lambda and custom actions,
// manual approvals and the state change events EventBridge rules react to.
package codepipeline

import (
	"context"
	"crypto/rand"
	"log/slog"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// FunctionInvoker queues asynchronous (Event) Lambda invocations, as
// CodePipeline invokes functions of Lambda invoke actions.
type FunctionInvoker interface {
	// InvokeAsync queues an Event invocation of function (a name or ARN).
	// Errors are *edge.Error values with Lambda's code.
	InvokeAsync(ctx context.Context, account, region, function string, payload []byte) error
}

// Object describes one S3 object version.
type Object struct {
	Bucket, Key, VersionID, ETag string
	Size                         int64
	LastModified                 time.Time
}

// ObjectStore reads source objects and writes artifacts.
type ObjectStore interface {
	// GetObject reads a version ("" is the current one). Errors are
	// *edge.Error values with S3's codes.
	GetObject(ctx context.Context, account, region, bucket, key, versionID string) ([]byte, Object, error)
	// PutObject writes a new version of key.
	PutObject(ctx context.Context, account, region, bucket, key string, body []byte) (Object, error)
}

// ObjectChange is a committed S3 object change.
type ObjectChange struct {
	Name      string // "ObjectCreated:Put", "ObjectRemoved:Delete", ...
	Bucket    string
	Owner     string // the bucket owner's account
	Region    string // the bucket's region
	Key       string
	VersionID string
}

// ChangeFeed tells the service about S3 object changes, which start
// executions of pipelines whose S3 source watches the object.
type ChangeFeed interface {
	// Subscribe calls fn after every committed change; fn must return
	// quickly. The returned func unsubscribes.
	Subscribe(fn func(ObjectChange)) (cancel func())
}

// EventPublisher puts AWS service events on the default event bus.
type EventPublisher interface {
	PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error
}

// StateMachines runs Step Functions executions for StepFunctions invoke
// actions. done is called once, from another goroutine, when the execution
// ends, with status "SUCCEEDED", "FAILED", "TIMED_OUT" or "ABORTED".
type StateMachines interface {
	StartExecution(ctx context.Context, account, region, stateMachineARN, name string, input []byte,
		done func(executionARN, status string, output []byte, cause string)) (executionARN string, err error)
}

// Deployments runs CodeDeploy deployments for CodeDeploy deploy actions.
// done is called once, from another goroutine, when the deployment ends
// ("Succeeded", "Failed", "Stopped").
type Deployments interface {
	CreateDeployment(ctx context.Context, account, region, application, group, bucket, key, bundleType string,
		done func(deploymentID, status, message string)) (deploymentID string, err error)
}

// Config configures the service. Nil integrations make the actions that
// need them fail when they run, with a message that says so.
type Config struct {
	Store         store.Store
	Clock         clock.Clock  // nil means the wall clock
	Logger        *slog.Logger // nil means slog.Default()
	Functions     FunctionInvoker
	Objects       ObjectStore
	Changes       ChangeFeed
	Events        EventPublisher
	StateMachines StateMachines
	Deployments   Deployments
	NewID         func() string // execution, action execution, job ids and tokens; nil means random UUIDs
}

// Service is CodePipeline.
type Service struct {
	cfg Config
	st  store.Store
	clk clock.Clock
	log *slog.Logger
	ops map[string]edge.JSONHandler

	mu     sync.Mutex             // serialises every execution transition
	timers map[string]clock.Timer // action deadlines by action execution id; guarded by mu
	seq    int64                  // start order of executions; guarded by mu

	watchMu sync.RWMutex
	watched map[string]bool // buckets of S3 sources; guarded by watchMu

	ctx         context.Context // lives from New to Close; background work runs under it
	cancel      context.CancelFunc
	unsubscribe func()
	wg          sync.WaitGroup
}

// New returns the service; Start resumes stored executions.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.NewID == nil {
		cfg.NewID = edge.NewUUID
	}
	s := &Service{cfg: cfg, st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, timers: map[string]clock.Timer{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ops = map[string]edge.JSONHandler{
		"CreatePipeline":         edge.JSON(s.createPipeline),
		"GetPipeline":            edge.JSON(s.getPipeline),
		"UpdatePipeline":         edge.JSON(s.updatePipeline),
		"DeletePipeline":         edge.JSON(s.deletePipeline),
		"ListPipelines":          edge.JSON(s.listPipelines),
		"StartPipelineExecution": edge.JSON(s.startPipelineExecution),
		"StopPipelineExecution":  edge.JSON(s.stopPipelineExecution),
		"GetPipelineExecution":   edge.JSON(s.getPipelineExecution),
		"GetPipelineState":       edge.JSON(s.getPipelineState),
		"ListPipelineExecutions": edge.JSON(s.listPipelineExecutions),
		"ListActionExecutions":   edge.JSON(s.listActionExecutions),
		"RetryStageExecution":    edge.JSON(s.retryStageExecution),
		"EnableStageTransition":  edge.JSON(s.enableStageTransition),
		"DisableStageTransition": edge.JSON(s.disableStageTransition),
		"PutApprovalResult":      edge.JSON(s.putApprovalResult),
		"PutJobSuccessResult":    edge.JSON(s.putJobSuccessResult),
		"PutJobFailureResult":    edge.JSON(s.putJobFailureResult),
		"GetJobDetails":          edge.JSON(s.getJobDetails),
		"AcknowledgeJob":         edge.JSON(s.acknowledgeJob),
		"PollForJobs":            edge.JSON(s.pollForJobs),
		"CreateCustomActionType": edge.JSON(s.createCustomActionType),
		"DeleteCustomActionType": edge.JSON(s.deleteCustomActionType),
		"ListActionTypes":        edge.JSON(s.listActionTypes),
		"TagResource":            edge.JSON(s.tagResource),
		"UntagResource":          edge.JSON(s.untagResource),
		"ListTagsForResource":    edge.JSON(s.listTagsForResource),
	}
	return s
}

// Name is the signing name.
func (s *Service) Name() string { return "codepipeline" }

// TargetPrefix is the X-Amz-Target prefix.
func (s *Service) TargetPrefix() string { return "CodePipeline_20150709" }

// JSONVersion is awsJson1_1.
func (s *Service) JSONVersion() string { return "1.1" }

// Op returns an operation's handler, or nil.
func (s *Service) Op(name string) edge.JSONHandler { return s.ops[name] }

// Start subscribes to S3 changes and resumes stored executions: waiting
// jobs stay waiting and deadlines are re-armed from the store.
func (s *Service) Start(ctx context.Context) error {
	if s.cfg.Changes != nil && s.unsubscribe == nil {
		s.unsubscribe = s.cfg.Changes.Subscribe(s.onObjectChange)
	}
	s.refreshWatched()
	return s.resume()
}

// Close stops timers and background work.
func (s *Service) Close(ctx context.Context) error {
	if s.unsubscribe != nil {
		s.unsubscribe()
		s.unsubscribe = nil
	}
	s.cancel()
	s.mu.Lock()
	for id, t := range s.timers {
		t.Stop()
		delete(s.timers, id)
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Reset forgets timers; the store itself is wiped by the app.
func (s *Service) Reset(ctx context.Context) error {
	s.mu.Lock()
	for id, t := range s.timers {
		t.Stop()
		delete(s.timers, id)
	}
	s.mu.Unlock()
	s.watchMu.Lock()
	s.watched = nil
	s.watchMu.Unlock()
	return nil
}

// refreshWatched recomputes the buckets S3 source actions watch, so object
// changes elsewhere cost nothing.
func (s *Service) refreshWatched() {
	watched := map[string]bool{}
	s.st.View(func(tx store.Tx) error {
		tx.BucketNames("codepipeline/pipelines/", func(name string) bool {
			tx.Bucket(name).Scan(nil, nil, false, func(k, v []byte) bool {
				var p pipelineRecord
				if getJSON(tx.Bucket(name), k, &p); len(p.Decl.Stages) > 0 {
					for _, a := range p.Decl.Stages[0].Actions {
						if a.ActionTypeID.Provider == "S3" && a.ActionTypeID.Category == "Source" {
							watched[a.Configuration["S3Bucket"]] = true
						}
					}
				}
				return true
			})
			return true
		})
		return nil
	})
	s.watchMu.Lock()
	s.watched = watched
	s.watchMu.Unlock()
}

func (s *Service) isWatched(bucket string) bool {
	s.watchMu.RLock()
	defer s.watchMu.RUnlock()
	return s.watched[bucket]
}

// go runs fn in the background until Close.
func (s *Service) goBackground(fn func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
}

const idChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomKey is the 7-character suffix AWS gives artifact object keys.
func randomKey() string {
	b := make([]byte, 7)
	rand.Read(b)
	for i := range b {
		b[i] = idChars[int(b[i])%len(idChars)]
	}
	return string(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func pipelineARN(account, region, name string) string {
	return "arn:aws:codepipeline:" + region + ":" + account + ":" + name
}
