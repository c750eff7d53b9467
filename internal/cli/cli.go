// Package cli implements the tenkai command line.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"tenkai/internal/app"
	"tenkai/internal/clock"
)

// Version is set at build time with -ldflags "-X tenkai/internal/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Run executes the command line args and returns when the command is done.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := &cobra.Command{
		Use:           "tenkai",
		Short:         "tenkai is a local AWS serverless emulator in one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(serveCmd(stdout, stderr), versionCmd(stdout), logsCmd(stdout), webhooksCmd(stdout))
	return root.ExecuteContext(ctx)
}

func versionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the tenkai version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(stdout, "tenkai %s\n", version())
			return nil
		},
	}
}

// env returns TENKAI_<NAME> or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv("TENKAI_" + name); ok {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, ok := os.LookupEnv("TENKAI_" + name); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func serveCmd(stdout, stderr io.Writer) *cobra.Command {
	var cfg app.Config
	var logLevel string
	var timeScale float64
	var interpreters map[string]string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the AWS APIs on one port",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var lvl slog.Level
			if err := lvl.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level %q: want debug, info, warn or error", logLevel)
			}
			cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
			cfg.Version = version()
			cfg.Interpreters = interpreters
			if !(timeScale > 0) || math.IsInf(timeScale, 1) { // also refuses NaN
				return fmt.Errorf("--time-scale %v: want a positive finite number", timeScale)
			}
			stopClock := func() {}
			switch {
			case cfg.DataDir != "":
				// The data directory keeps its timeline, so an accelerated
				// clock does not jump back to the wall time on restart.
				if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
					return err
				}
				c, stop, err := clock.Resume(filepath.Join(cfg.DataDir, "clock"), timeScale)
				if err != nil {
					return err
				}
				if _, real := c.(clock.Real); !real {
					cfg.Clock = c
				}
				stopClock = stop
			case timeScale != 1:
				cfg.Clock = clock.NewScaled(timeScale)
			}
			defer stopClock()
			return serve(cmd.Context(), cfg, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Host, "host", env("HOST", "127.0.0.1"), "address to listen on (TENKAI_HOST)")
	f.IntVar(&cfg.Port, "port", envInt("PORT", 4566), "port to listen on, 0 for any free port (TENKAI_PORT)")
	f.StringVar(&cfg.DataDir, "data-dir", env("DATA_DIR", ""), "directory that keeps state across restarts; empty keeps it in memory (TENKAI_DATA_DIR)")
	f.StringVar(&logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (TENKAI_LOG_LEVEL)")
	f.StringVar(&cfg.AccountID, "account-id", env("ACCOUNT_ID", "000000000000"), "account of unsigned requests and unknown keys (TENKAI_ACCOUNT_ID)")
	f.StringVar(&cfg.NodeSDKDir, "node-sdk-dir", env("NODE_SDK_DIR", ""), "directory whose node_modules has @aws-sdk/* for Node.js functions; default ~/.cache/tenkai/node-sdk (TENKAI_NODE_SDK_DIR)")
	f.StringToStringVar(&interpreters, "interpreter", parseInterpreters(env("INTERPRETERS", "")), "runtime=path overrides of function interpreters, e.g. python3.12=/usr/bin/python3 (TENKAI_INTERPRETERS, comma-separated)")
	scale, _ := strconv.ParseFloat(env("TIME_SCALE", "1"), 64)
	f.Float64Var(&timeScale, "time-scale", scale, "run timers this many times faster than real time (TENKAI_TIME_SCALE)")
	return cmd
}

func serve(ctx context.Context, cfg app.Config, stdout io.Writer) error {
	if cfg.Port == 0 {
		cfg.Port = -1 // flag 0 means any free port
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(cfg)
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		_ = a.Close(context.Background())
		return err
	}
	state := "state in memory"
	if cfg.DataDir != "" {
		state = "state in " + cfg.DataDir
	}
	fmt.Fprintf(stdout, "tenkai %s ready on %s (%s)\n", cfg.Version, a.Endpoint(), state)
	startPprof(cfg.Logger)
	tuneGC(minGCHeap)
	<-ctx.Done()
	cfg.Logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Close(sctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "tenkai stopped")
	return nil
}

// trimEndpoint normalises an endpoint URL given on the command line.
func trimEndpoint(s string) string { return strings.TrimRight(s, "/") }

// parseInterpreters reads "runtime=path,runtime=path".
func parseInterpreters(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && k != "" {
			m[k] = v
		}
	}
	return m
}
