package codedeploy

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Functions is what CodeDeploy needs from Lambda.
type Functions interface {
	// Invoke runs a hook function synchronously. function is a name or ARN
	// in (account, region). functionError is "" on success and "Unhandled"
	// when the function raised; err reports that it could not run at all.
	Invoke(ctx context.Context, account, region, function string, payload []byte) (functionError string, err error)
	// RouteAlias points alias at version and sends the given share of its
	// invocations (0..1) to other versions; empty weights clear the routing.
	RouteAlias(ctx context.Context, account, region, function, alias, version string, weights map[string]float64) error
}

// Objects reads S3 objects holding revisions.
type Objects interface {
	GetObject(ctx context.Context, account, region, bucket, key, version string) ([]byte, error)
}

// EventPublisher puts AWS service events on the default event bus.
type EventPublisher interface {
	PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error
}

// Config configures the service. Nil integrations make the deployments that
// need them fail.
type Config struct {
	Store     store.Store
	Clock     clock.Clock  // nil means the wall clock
	Logger    *slog.Logger // nil means slog.Default()
	Functions Functions
	Objects   Objects
	Events    EventPublisher
	NewID     func() string // deployment ids ("d-XXXXXXXXX"); nil means random
}

// Service is CodeDeploy.
type Service struct {
	cfg Config
	st  store.Store
	clk clock.Clock
	log *slog.Logger
	ops map[string]edge.JSONHandler

	mu       sync.Mutex               // serialises engine transitions; guards timers and watchers
	timers   map[string]clock.Timer   // armed wake-ups by deployment key
	watchers map[string][]chan Result // Done channels by deployment key

	ctx    context.Context // lives until Close; hook invocations run under it
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns the service; Start resumes stored deployments.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.NewID == nil {
		cfg.NewID = newDeploymentID
	}
	s := &Service{cfg: cfg, st: cfg.Store, clk: cfg.Clock, log: cfg.Logger,
		timers: map[string]clock.Timer{}, watchers: map[string][]chan Result{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ops = map[string]edge.JSONHandler{
		"CreateApplication":                    edge.JSON(s.createApplication),
		"GetApplication":                       edge.JSON(s.getApplication),
		"BatchGetApplications":                 edge.JSON(s.batchGetApplications),
		"ListApplications":                     edge.JSON(s.listApplications),
		"UpdateApplication":                    edge.JSON(s.updateApplication),
		"DeleteApplication":                    edge.JSON(s.deleteApplication),
		"CreateDeploymentGroup":                edge.JSON(s.createDeploymentGroup),
		"GetDeploymentGroup":                   edge.JSON(s.getDeploymentGroup),
		"BatchGetDeploymentGroups":             edge.JSON(s.batchGetDeploymentGroups),
		"ListDeploymentGroups":                 edge.JSON(s.listDeploymentGroups),
		"UpdateDeploymentGroup":                edge.JSON(s.updateDeploymentGroup),
		"DeleteDeploymentGroup":                edge.JSON(s.deleteDeploymentGroup),
		"CreateDeploymentConfig":               edge.JSON(s.createDeploymentConfig),
		"GetDeploymentConfig":                  edge.JSON(s.getDeploymentConfig),
		"ListDeploymentConfigs":                edge.JSON(s.listDeploymentConfigs),
		"DeleteDeploymentConfig":               edge.JSON(s.deleteDeploymentConfig),
		"CreateDeployment":                     edge.JSON(s.createDeployment),
		"GetDeployment":                        edge.JSON(s.getDeployment),
		"BatchGetDeployments":                  edge.JSON(s.batchGetDeployments),
		"ListDeployments":                      edge.JSON(s.listDeployments),
		"StopDeployment":                       edge.JSON(s.stopDeployment),
		"ContinueDeployment":                   edge.JSON(s.continueDeployment),
		"SkipWaitTimeForInstanceTermination":   edge.JSON(s.skipWaitTimeForInstanceTermination),
		"PutLifecycleEventHookExecutionStatus": edge.JSON(s.putHookStatus),
		"ListDeploymentTargets":                edge.JSON(s.listDeploymentTargets),
		"BatchGetDeploymentTargets":            edge.JSON(s.batchGetDeploymentTargets),
		"GetDeploymentTarget":                  edge.JSON(s.getDeploymentTarget),
		"RegisterApplicationRevision":          edge.JSON(s.registerApplicationRevision),
		"GetApplicationRevision":               edge.JSON(s.getApplicationRevision),
		"BatchGetApplicationRevisions":         edge.JSON(s.batchGetApplicationRevisions),
		"ListApplicationRevisions":             edge.JSON(s.listApplicationRevisions),
		"TagResource":                          edge.JSON(s.tagResource),
		"UntagResource":                        edge.JSON(s.untagResource),
		"ListTagsForResource":                  edge.JSON(s.listTagsForResource),
	}
	return s
}

// Name is the signing name.
func (s *Service) Name() string { return "codedeploy" }

// TargetPrefix is the X-Amz-Target prefix.
func (s *Service) TargetPrefix() string { return "CodeDeploy_20141006" }

// JSONVersion is awsJson1_1.
func (s *Service) JSONVersion() string { return "1.1" }

// Op returns an operation's handler.
func (s *Service) Op(name string) edge.JSONHandler { return s.ops[name] }

// Start resumes the deployments a previous process left running: timers
// are re-armed from their stored deadlines and waiting hooks keep waiting.
func (s *Service) Start(ctx context.Context) error {
	var keys [][3]string
	err := s.st.View(func(tx store.Tx) error {
		tx.BucketNames(bucketDeployments+"/", func(name string) bool {
			parts := strings.Split(strings.TrimPrefix(name, bucketDeployments+"/"), "/")
			if len(parts) != 2 {
				return true
			}
			tx.Bucket(name).Scan(nil, nil, false, func(k, v []byte) bool {
				var d deployment
				if json.Unmarshal(v, &d) == nil && !d.terminal() {
					keys = append(keys, [3]string{parts[0], parts[1], string(k)})
				}
				return true
			})
			return true
		})
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		// Hooks keep waiting for their status; one whose function was
		// still running when the previous process stopped runs again.
		_ = s.transition(k[0], k[1], k[2], func(d *deployment, fx *effects) error {
			if h := d.Hook; d.Wait == waitHook && h != nil && !h.Returned {
				fx.hooks = append(fx.hooks, hookCall{account: d.Account, region: d.Region, id: d.ID, exec: h.ExecID, function: h.Function})
			}
			return nil
		})
	}
	if len(keys) > 0 {
		s.log.Info("codedeploy: resumed deployments", "count", len(keys))
	}
	return nil
}

// Close stops timers and hook invocations; deployments resume on the next Start.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	for k, t := range s.timers {
		t.Stop()
		delete(s.timers, k)
	}
	s.mu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return nil
}

// Reset forgets timers and watchers (the store is wiped by the caller).
func (s *Service) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.timers {
		t.Stop()
		delete(s.timers, k)
	}
	for _, chs := range s.watchers {
		for _, ch := range chs {
			close(ch)
		}
	}
	s.watchers = map[string][]chan Result{}
	return nil
}

// Store buckets; each is suffixed with /account/region.
const (
	bucketApps        = "codedeploy/apps"
	bucketGroups      = "codedeploy/groups"
	bucketConfigs     = "codedeploy/configs"
	bucketDeployments = "codedeploy/deployments"
	bucketTags        = "codedeploy/tags"
)

func bucket(kind, account, region string) string { return kind + "/" + account + "/" + region }

func getJSON(tx store.Tx, b, key string, v any) bool {
	raw := tx.Bucket(b).Get([]byte(key))
	if raw == nil {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

func putJSON(tx store.Tx, b, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket(b).Put([]byte(key), raw)
}

func groupKey(app, group string) string { return app + "\x00" + group }

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newDeploymentID returns an id like AWS's: "d-" and nine characters.
func newDeploymentID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	out := []byte("d-")
	for _, c := range b {
		out = append(out, idChars[int(c)%len(idChars)])
	}
	return string(out)
}

func newToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}

func arnApplication(account, region, app string) string {
	return "arn:aws:codedeploy:" + region + ":" + account + ":application:" + app
}

func arnGroup(account, region, app, group string) string {
	return "arn:aws:codedeploy:" + region + ":" + account + ":deploymentgroup:" + app + "/" + group
}
