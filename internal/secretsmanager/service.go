// Package secretsmanager is tenkai's AWS Secrets Manager over awsJson1_1:
// secrets with string or binary versions and their staging labels
// (AWSCURRENT, AWSPREVIOUS), tags, scheduled deletion with a recovery
// window on the injected clock, and random passwords, kept in the store
// under (account, region).
//
// Every operation reads or writes the store in one transaction; the only
// goroutine is the sweeper that drops secrets whose recovery window has
// passed, which reads already treat as gone.
package secretsmanager

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Config configures the service. The zero value works.
type Config struct {
	Store  store.Store   // nil means a fresh in-memory store
	Clock  clock.Clock   // nil means the wall clock
	Logger *slog.Logger  // nil means slog.Default()
	NewID  func() string // version ids when the caller gives no token; nil means random UUIDs
	Random io.Reader     // ARN suffixes and passwords; nil means crypto/rand
	// SweepEvery is how often secrets past their recovery window are
	// removed from the store; 0 means 1 minute.
	SweepEvery time.Duration
}

// Service serves the Secrets Manager API. It is safe for concurrent use.
type Service struct {
	st    store.Store
	clk   clock.Clock
	log   *slog.Logger
	newID func() string
	rnd   io.Reader
	sweep time.Duration
	ops   map[string]edge.JSONHandler

	rndMu  sync.Mutex // guards reads from rnd, which need not be safe for concurrent use
	runMu  sync.Mutex // guards cancel, done
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Store == nil {
		cfg.Store = store.NewMem()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.NewID == nil {
		cfg.NewID = edge.NewUUID
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = time.Minute
	}
	s := &Service{st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, newID: cfg.NewID, rnd: cfg.Random, sweep: cfg.SweepEvery}
	s.ops = map[string]edge.JSONHandler{
		"CreateSecret":             edge.JSON(s.CreateSecret),
		"GetSecretValue":           edge.JSON(s.GetSecretValue),
		"PutSecretValue":           edge.JSON(s.PutSecretValue),
		"UpdateSecret":             edge.JSON(s.UpdateSecret),
		"DescribeSecret":           edge.JSON(s.DescribeSecret),
		"ListSecrets":              edge.JSON(s.ListSecrets),
		"DeleteSecret":             edge.JSON(s.DeleteSecret),
		"RestoreSecret":            edge.JSON(s.RestoreSecret),
		"TagResource":              edge.JSON(s.TagResource),
		"UntagResource":            edge.JSON(s.UntagResource),
		"ListSecretVersionIds":     edge.JSON(s.ListSecretVersionIds),
		"BatchGetSecretValue":      edge.JSON(s.BatchGetSecretValue),
		"GetRandomPassword":        edge.JSON(s.GetRandomPassword),
		"UpdateSecretVersionStage": edge.JSON(s.UpdateSecretVersionStage),
	}
	return s
}

// Name is the SigV4 signing name.
func (s *Service) Name() string { return "secretsmanager" }

// TargetPrefix is the X-Amz-Target prefix of Secrets Manager.
func (s *Service) TargetPrefix() string { return "secretsmanager" }

// JSONVersion is awsJson1_1.
func (s *Service) JSONVersion() string { return "1.1" }

// Op returns the handler for an operation, or nil.
func (s *Service) Op(name string) edge.JSONHandler { return s.ops[name] }

// Start begins the sweeper.
func (s *Service) Start(ctx context.Context) error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.cancel != nil {
		return nil
	}
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.done = make(chan struct{})
	go s.sweeper(ctx, s.done)
	return nil
}

// Close stops the sweeper.
func (s *Service) Close(ctx context.Context) error {
	s.runMu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.runMu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) sweeper(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		if err := clock.Sleep(ctx, s.clk, s.sweep); err != nil {
			return
		}
		if err := s.Sweep(); err != nil {
			s.log.Warn("secretsmanager: sweep deleted secrets", "err", err)
		}
	}
}

// Sweep removes the secrets whose recovery window has ended, in every
// account and region.
func (s *Service) Sweep() error {
	now := s.clk.Now()
	return s.st.Update(func(tx store.Tx) error {
		var buckets []string
		tx.BucketNames(bucketPrefix, func(name string) bool {
			buckets = append(buckets, name)
			return true
		})
		for _, name := range buckets {
			var gone [][]byte
			var err error
			b := tx.Bucket(name)
			b.Scan(nil, nil, false, func(k, v []byte) bool {
				var sec *secret
				if sec, err = decode(k, v); err != nil {
					return false
				}
				if sec.purged(now) {
					gone = append(gone, append([]byte(nil), k...))
				}
				return true
			})
			if err != nil {
				return err
			}
			for _, k := range gone {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
