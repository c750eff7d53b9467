// Package app is tenkai's composition root: it builds the store, the clock and
// every service, wires them together and serves them on one listener.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/dynamodb"
	"tenkai/internal/edge"
	"tenkai/internal/events"
	"tenkai/internal/lambda"
	"tenkai/internal/logs"
	"tenkai/internal/s3"
	"tenkai/internal/sfn"
	"tenkai/internal/sns"
	"tenkai/internal/store"
	"tenkai/internal/webhooks"
)

// Config configures a tenkai server. The zero value serves ephemeral state on
// 127.0.0.1:4566.
type Config struct {
	Host      string       // "" means 127.0.0.1
	Port      int          // 0 means 4566; -1 picks a free port
	DataDir   string       // "" keeps state in memory only
	AccountID string       // "" means 000000000000
	Logger    *slog.Logger // nil means slog.Default()
	Clock     clock.Clock  // nil means the wall clock
	Version   string
	// NodeSDKDir holds node_modules/@aws-sdk/* for Node.js functions, as the
	// Lambda Node runtimes ship the SDK; "" looks in ~/.cache/tenkai/node-sdk.
	NodeSDKDir string
	// Interpreters maps Lambda runtimes to interpreter paths, overriding discovery.
	Interpreters map[string]string
}

// App is a built tenkai server.
type App struct {
	cfg      Config
	log      *slog.Logger
	Edge     *edge.Edge
	Store    store.Store
	Clock    clock.Clock
	services []edge.Service
	events   *events.Service // EventBridge, which AWS services publish their events to
	webhooks *webhooks.Sink  // records calls to /_tenkai/webhooks/NAME
	logs     *logs.Service   // CloudWatch Logs, which Lambda writes function logs to
	s3       *s3.Service     // S3, which Lambda reads code from and CodePipeline keeps artifacts in
	lambda   *lambda.Service // Lambda, which EventBridge, Step Functions and API Gateway invoke

	dynamodb *dynamodb.Service // DynamoDB, which Step Functions' integrations call
	sfn      *sfn.Service      // Step Functions, which EventBridge rules target
	sns      *sns.Service      // SNS, which Lambda destinations, EventBridge and Step Functions publish to

	ln       net.Listener
	srv      *http.Server
	endpoint string
}

// New builds the store, clock and services. It opens the data directory but
// does not listen.
func New(cfg Config) (*App, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Port == 0 {
		cfg.Port = 4566
	}
	if cfg.AccountID == "" {
		cfg.AccountID = edge.DefaultAccount
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	a := &App{cfg: cfg, log: cfg.Logger, Clock: cfg.Clock}
	if cfg.DataDir != "" {
		b, err := store.OpenBolt(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		a.Store = b
	} else {
		a.Store = store.NewMem()
	}
	a.Edge = edge.New(edge.Config{
		Logger:         cfg.Logger,
		DefaultAccount: cfg.AccountID,
		Reset:          a.Reset,
		Version:        cfg.Version,
	})
	if err := a.wire(); err != nil {
		a.Store.Close()
		return nil, err
	}
	return a, nil
}

// Endpoint is the URL clients and functions use to reach this server; it is
// known once Start has bound the listener.
func (a *App) Endpoint() string { return a.endpoint }

// Start binds the listener and serves in the background.
func (a *App) Start(ctx context.Context) error {
	port := a.cfg.Port
	if port < 0 {
		port = 0
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(a.cfg.Host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("listen on %s:%d: %w", a.cfg.Host, port, err)
	}
	a.ln = ln
	a.endpoint = "http://" + ln.Addr().String()
	a.srv = &http.Server{
		Handler:           a.Edge,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	for _, s := range a.services {
		// Requests that wait (SQS long polls) end when shutdown begins, so
		// draining does not wait for them.
		if d, ok := s.(interface{ OnShutdown() }); ok {
			a.srv.RegisterOnShutdown(d.OnShutdown)
		}
		if st, ok := s.(interface{ Start(context.Context) error }); ok {
			if err := st.Start(ctx); err != nil {
				ln.Close()
				return fmt.Errorf("start %s: %w", s.Name(), err)
			}
		}
	}
	go func() {
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("serve", "err", err)
		}
	}()
	return nil
}

// Close drains in-flight requests, stops services and closes the store.
func (a *App) Close(ctx context.Context) error {
	var errs []error
	if a.srv != nil {
		if err := a.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown http: %w", err))
		}
	}
	for i := len(a.services) - 1; i >= 0; i-- {
		if c, ok := a.services[i].(interface{ Close(context.Context) error }); ok {
			if err := c.Close(ctx); err != nil {
				errs = append(errs, fmt.Errorf("close %s: %w", a.services[i].Name(), err))
			}
		}
	}
	if err := a.Store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close store: %w", err))
	}
	return errors.Join(errs...)
}

// Reset wipes all state: the store, then each service's own memory.
func (a *App) Reset(ctx context.Context) error {
	if err := a.Store.Reset(); err != nil {
		return fmt.Errorf("reset store: %w", err)
	}
	if err := a.webhooks.Reset(ctx); err != nil {
		return err
	}
	for _, s := range a.services {
		if r, ok := s.(edge.Resetter); ok {
			if err := r.Reset(ctx); err != nil {
				return fmt.Errorf("reset %s: %w", s.Name(), err)
			}
		}
	}
	return nil
}

func (a *App) register(s edge.Service) {
	a.services = append(a.services, s)
	a.Edge.Register(s)
}

// nodeSDKDir returns the configured Node.js SDK directory, or the default one
// when it holds the SDK, or "".
func (a *App) nodeSDKDir() string {
	if a.cfg.NodeSDKDir != "" {
		return a.cfg.NodeSDKDir
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir := filepath.Join(base, "tenkai", "node-sdk")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk")); err != nil {
		return ""
	}
	return dir
}
