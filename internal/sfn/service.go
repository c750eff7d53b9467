package sfn

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/sfn/engine"
	"tenkai/internal/store"
)

// FunctionInvoker invokes Lambda functions for Task states.
type FunctionInvoker interface {
	// Invoke runs function (a name or any ARN form; qualifier may be "")
	// synchronously, or queues it when async is set. A failed function is a
	// result with FunctionError set; errors are *edge.Error values with
	// Lambda's error code.
	Invoke(ctx context.Context, account, region, function, qualifier string, payload []byte, async bool) (*InvokeResult, error)
}

// InvokeResult is a Lambda invocation's outcome.
type InvokeResult struct {
	Payload         []byte // the response, or the error document when FunctionError is set
	FunctionError   string // "" or "Unhandled"
	ExecutedVersion string
	StatusCode      int
	RequestID       string
}

// EventPublisher puts AWS service events on the default event bus.
type EventPublisher interface {
	PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error
}

// APICaller calls another service's operation with its wire JSON, as the
// AWS SDK integrations and the optimized DynamoDB and EventBridge
// integrations do. service is the signing name ("dynamodb", "events",
// "states", "logs", ...). Errors are *edge.Error values.
type APICaller interface {
	Call(ctx context.Context, account, region, service, operation string, input []byte) ([]byte, error)
}

// LogWriter writes execution logs to CloudWatch Logs, creating the stream.
type LogWriter interface {
	WriteLog(ctx context.Context, account, region, group, stream string, at time.Time, message string) error
}

// Config configures the service. Nil integrations make the Task states that
// need them fail with States.TaskFailed.
type Config struct {
	Store     store.Store
	Clock     clock.Clock  // nil means the wall clock
	Logger    *slog.Logger // nil means slog.Default()
	Functions FunctionInvoker
	Events    EventPublisher
	APIs      APICaller
	Logs      LogWriter
	Objects   ObjectStore
	NewID     func() string  // execution names, version and revision ids; nil means random UUIDs
	Rand      func() float64 // alias routing; nil means math/rand/v2
}

// Service is Step Functions.
type Service struct {
	cfg Config
	st  store.Store
	clk clock.Clock
	log *slog.Logger
	eng *engine.Engine
	ops map[string]edge.JSONHandler

	mu       sync.Mutex                    // guards runs, aliases, queues
	runs     map[string]*run               // running STANDARD executions by ARN
	aliases  map[string]string             // task tokens replaced on resume: old → new
	queues   map[string]chan *activityTask // tasks waiting for activity workers, by activity ARN
	defs     sync.Map                      // definition cache: string(definition) → *asl.StateMachine
	ndefs    atomic.Int64                  // entries stored in defs (approximate)
	machines sync.Map                      // state machine cache: account/region/name → *machine (never modified)

	ctx    context.Context // lives from Start to Close; executions run under it
	cancel context.CancelFunc
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
	if cfg.Rand == nil {
		cfg.Rand = defaultRand
	}
	s := &Service{cfg: cfg, st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, runs: map[string]*run{}, aliases: map[string]string{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.eng = engine.New(engine.Config{Clock: cfg.Clock, Logger: cfg.Logger, Tasks: &tasks{s: s}, NewID: cfg.NewID})
	s.ops = map[string]edge.JSONHandler{
		"CreateStateMachine":               edge.JSON(s.createStateMachine),
		"DescribeStateMachine":             edge.JSON(s.describeStateMachine),
		"UpdateStateMachine":               edge.JSON(s.updateStateMachine),
		"DeleteStateMachine":               edge.JSON(s.deleteStateMachine),
		"ListStateMachines":                edge.JSON(s.listStateMachines),
		"ValidateStateMachineDefinition":   edge.JSON(s.validateDefinition),
		"PublishStateMachineVersion":       edge.JSON(s.publishVersion),
		"ListStateMachineVersions":         edge.JSON(s.listVersions),
		"DeleteStateMachineVersion":        edge.JSON(s.deleteVersion),
		"CreateStateMachineAlias":          edge.JSON(s.createAlias),
		"DescribeStateMachineAlias":        edge.JSON(s.describeAlias),
		"UpdateStateMachineAlias":          edge.JSON(s.updateAlias),
		"DeleteStateMachineAlias":          edge.JSON(s.deleteAlias),
		"ListStateMachineAliases":          edge.JSON(s.listAliases),
		"StartExecution":                   edge.JSON(s.startExecution),
		"StartSyncExecution":               edge.JSON(s.startSyncExecution),
		"DescribeExecution":                edge.JSON(s.describeExecution),
		"StopExecution":                    edge.JSON(s.stopExecution),
		"ListExecutions":                   edge.JSON(s.listExecutions),
		"GetExecutionHistory":              edge.JSON(s.getExecutionHistory),
		"DescribeStateMachineForExecution": edge.JSON(s.describeStateMachineForExecution),
		"RedriveExecution":                 edge.JSON(s.redriveExecution),
		"SendTaskSuccess":                  edge.JSON(s.sendTaskSuccess),
		"SendTaskFailure":                  edge.JSON(s.sendTaskFailure),
		"SendTaskHeartbeat":                edge.JSON(s.sendTaskHeartbeat),
		"TestState":                        edge.JSON(s.testState),
		"ListMapRuns":                      edge.JSON(s.listMapRuns),
		"CreateActivity":                   edge.JSON(s.createActivity),
		"DescribeActivity":                 edge.JSON(s.describeActivity),
		"DeleteActivity":                   edge.JSON(s.deleteActivity),
		"ListActivities":                   edge.JSON(s.listActivities),
		"GetActivityTask":                  edge.JSON(s.getActivityTask),
		"DescribeMapRun":                   edge.JSON(s.describeMapRun),
		"TagResource":                      edge.JSON(s.tagResource),
		"UntagResource":                    edge.JSON(s.untagResource),
		"ListTagsForResource":              edge.JSON(s.listTagsForResource),
	}
	return s
}

// Name is the signing name.
func (s *Service) Name() string { return "states" }

// TargetPrefix is the X-Amz-Target prefix.
func (s *Service) TargetPrefix() string { return "AWSStepFunctions" }

// JSONVersion is awsJson1_0.
func (s *Service) JSONVersion() string { return "1.0" }

// Op returns an operation's handler.
func (s *Service) Op(name string) edge.JSONHandler { return s.ops[name] }

// Start resumes the STANDARD executions left running by a previous process.
func (s *Service) Start(ctx context.Context) error {
	return s.resumeAll()
}

// Close stops running executions without recording an end, so that they
// resume from their checkpoints on the next Start, and writes what they
// recorded so far.
func (s *Service) Close(ctx context.Context) error {
	s.cancel()
	s.mu.Lock()
	runs := make([]*run, 0, len(s.runs))
	for _, r := range s.runs {
		runs = append(runs, r)
	}
	s.mu.Unlock()
	for _, r := range runs {
		r.mu.Lock()
		x := r.x
		r.mu.Unlock()
		if x != nil {
			select {
			case <-x.Done():
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		r.flush()
	}
	return nil
}

// Reset forgets running executions (the store is wiped by the caller).
func (s *Service) Reset(ctx context.Context) error {
	s.mu.Lock()
	runs := s.runs
	s.runs = map[string]*run{}
	s.aliases = map[string]string{}
	s.queues = nil
	s.mu.Unlock()
	s.machines.Clear()
	for _, r := range runs {
		r.discard()
	}
	return nil
}
