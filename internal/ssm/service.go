// Package ssm is tenkai's AWS Systems Manager Parameter Store over
// awsJson1_1: String, StringList and SecureString parameters with their
// versions, labels, tags, hierarchies and the path and filter searches, kept
// in the store under (account, region).
//
// Every operation reads or writes the store in one transaction and keeps no
// state in memory, so a data directory makes parameters durable and a reset
// of the store forgets them.
package ssm

import (
	"log/slog"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Config configures the service. The zero value works.
type Config struct {
	Store  store.Store  // nil means a fresh in-memory store
	Clock  clock.Clock  // nil means the wall clock
	Logger *slog.Logger // nil means slog.Default()
}

// Service serves the Parameter Store API. It is safe for concurrent use:
// the store serialises writes.
type Service struct {
	st  store.Store
	clk clock.Clock
	log *slog.Logger
	ops map[string]edge.JSONHandler
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
	s := &Service{st: cfg.Store, clk: cfg.Clock, log: cfg.Logger}
	s.ops = map[string]edge.JSONHandler{
		"PutParameter":            edge.JSON(s.PutParameter),
		"GetParameter":            edge.JSON(s.GetParameter),
		"GetParameters":           edge.JSON(s.GetParameters),
		"GetParametersByPath":     edge.JSON(s.GetParametersByPath),
		"DeleteParameter":         edge.JSON(s.DeleteParameter),
		"DeleteParameters":        edge.JSON(s.DeleteParameters),
		"DescribeParameters":      edge.JSON(s.DescribeParameters),
		"GetParameterHistory":     edge.JSON(s.GetParameterHistory),
		"LabelParameterVersion":   edge.JSON(s.LabelParameterVersion),
		"UnlabelParameterVersion": edge.JSON(s.UnlabelParameterVersion),
		"AddTagsToResource":       edge.JSON(s.AddTagsToResource),
		"RemoveTagsFromResource":  edge.JSON(s.RemoveTagsFromResource),
		"ListTagsForResource":     edge.JSON(s.ListTagsForResource),
	}
	return s
}

// Name is the SigV4 signing name.
func (s *Service) Name() string { return "ssm" }

// TargetPrefix is the X-Amz-Target prefix of Systems Manager.
func (s *Service) TargetPrefix() string { return "AmazonSSM" }

// JSONVersion is awsJson1_1.
func (s *Service) JSONVersion() string { return "1.1" }

// Op returns the handler for an operation, or nil.
func (s *Service) Op(name string) edge.JSONHandler { return s.ops[name] }
