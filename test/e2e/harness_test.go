// Package e2e drives a real tenkai binary with the real aws CLI and aws-sdk-go-v2.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

var (
	binPath string // built once in TestMain
	awsPath string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tenkai-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "tenkai")
	build := exec.Command("go", "build", "-o", binPath, "tenkai/cmd/tenkai")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build tenkai:", err)
		os.Exit(1)
	}
	awsPath, _ = exec.LookPath("aws")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Server is a running tenkai child process.
type Server struct {
	URL     string
	cmd     *exec.Cmd
	logs    *syncBuffer
	DataDir string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var readyLine = regexp.MustCompile(`ready on (http://\S+)`)

// startServer runs tenkai on a free port with extra flags and stops it when
// the test ends. Its log is printed if the test failed.
func startServer(t testing.TB, args ...string) *Server {
	t.Helper()
	s := &Server{logs: &syncBuffer{}}
	for i, a := range args {
		if a == "--data-dir" && i+1 < len(args) {
			s.DataDir = args[i+1]
		}
	}
	s.cmd = exec.Command(binPath, append([]string{"serve", "--port", "0", "--log-level", "debug"}, args...)...)
	s.cmd.Stderr = s.logs
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := readyLine.FindStringSubmatch(sc.Text()); m != nil {
				ready <- m[1]
			}
		}
	}()
	select {
	case s.URL = <-ready:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Fatalf("tenkai did not get ready; log:\n%s", s.logs.String())
	}
	t.Cleanup(func() {
		s.Stop(t)
		if t.Failed() {
			t.Logf("tenkai log:\n%s", tail(s.logs.String(), 8000))
		}
	})
	return s
}

// Stop sends SIGTERM and waits for the process to exit.
func (s *Server) Stop(t testing.TB) {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
		t.Errorf("tenkai did not stop within 15s of SIGINT")
	}
}

// Kill stops the process with SIGKILL.
func (s *Server) Kill() {
	_ = s.cmd.Process.Kill()
	_, _ = s.cmd.Process.Wait()
}

// Logs returns what the server has logged so far.
func (s *Server) Logs() string { return s.logs.String() }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// awsEnv is the environment for aws CLI calls: fixed test credentials, no
// user config.
func awsEnv(extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard",
	}
	for _, k := range []string{"PYENV_ROOT", "PYENV_VERSION", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

// CLIResult is one aws CLI run.
type CLIResult struct {
	Stdout, Stderr string
	Code           int
}

// JSON decodes stdout.
func (r CLIResult) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Stdout), v); err != nil {
		t.Fatalf("aws output is not JSON: %v\n%s", err, r.Stdout)
	}
}

// CLI runs the aws CLI against the server and returns its result; it fails
// the test only when the CLI cannot be run at all.
func (s *Server) CLI(t testing.TB, args ...string) CLIResult {
	t.Helper()
	return s.CLIEnv(t, nil, args...)
}

// CLIEnv runs the aws CLI with extra environment variables (KEY=VALUE).
func (s *Server) CLIEnv(t testing.TB, env []string, args ...string) CLIResult {
	t.Helper()
	if awsPath == "" {
		t.Fatal("the aws CLI is not installed (run .ci/run or install awscli)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, awsPath, append([]string{"--endpoint-url", s.URL, "--output", "json"}, args...)...)
	cmd.Env = awsEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := CLIResult{Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run aws %v: %v", args, err)
		}
		res.Code = ee.ExitCode()
	}
	return res
}

// MustCLI runs the aws CLI and fails the test unless it exits 0.
func (s *Server) MustCLI(t testing.TB, args ...string) CLIResult {
	t.Helper()
	r := s.CLI(t, args...)
	if r.Code != 0 {
		t.Fatalf("aws %s: exit %d\nstderr: %s\nstdout: %s", strings.Join(args, " "), r.Code, r.Stderr, r.Stdout)
	}
	return r
}

// FailCLI runs the aws CLI, expects it to fail, and checks stderr names the error code.
func (s *Server) FailCLI(t testing.TB, code string, args ...string) CLIResult {
	t.Helper()
	r := s.CLI(t, args...)
	if r.Code == 0 {
		t.Fatalf("aws %s succeeded; want error %s\nstdout: %s", strings.Join(args, " "), code, r.Stdout)
	}
	if !strings.Contains(r.Stderr, "("+code+")") {
		t.Fatalf("aws %s: stderr does not name (%s):\n%s", strings.Join(args, " "), code, r.Stderr)
	}
	return r
}

// SDK returns an aws-sdk-go-v2 config pointing at the server.
func (s *Server) SDK() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   &http.Client{Timeout: 60 * time.Second, Transport: plainBodies{http.DefaultTransport}},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// Do sends a raw HTTP request and returns status, headers and body.
func (s *Server) Do(t testing.TB, method, path string, header map[string]string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// plainBodies hides io.WriterTo on request bodies. smithy-go's request body
// answers WriteTo with io.EOF once the SDK has closed it, which it does as soon
// as the response headers arrive; when the transport's final check of the body
// comes after that (a fast server, a response larger than one read), the
// transport closes the connection under the response and the call fails with
// "use of closed network connection".
type plainBodies struct{ rt http.RoundTripper }

func (p plainBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return p.rt.RoundTrip(req)
}
