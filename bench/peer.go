package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// peer is an emulator the bench can start.
type peer struct {
	name    string
	missing string // why the peer cannot run at all
	// command returns the command line serving on port.
	command func(port int) *exec.Cmd
	// readyPath answers 2xx once the server serves requests.
	readyPath string
}

func tenkaiPeer(bin string) peer {
	return peer{
		name: "tenkai",
		command: func(port int) *exec.Cmd {
			return exec.Command(bin, "serve", "--port", strconv.Itoa(port), "--log-level", "error")
		},
		readyPath: "/_tenkai/health",
	}
}

func motoPeer() (peer, bool) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return peer{}, false
	}
	// Resolve pyenv shims to the real script so the shim's own start-up cost
	// is not charged to moto.
	if out, err := exec.Command("pyenv", "which", "moto_server").Output(); err == nil {
		if p := strings.TrimSpace(string(out)); p != "" {
			path = p
		}
	}
	return peer{
		name: "moto",
		command: func(port int) *exec.Cmd {
			return exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		},
		readyPath: "/moto-api/",
	}, true
}

// server is a started peer.
type server struct {
	url   string
	cmd   *exec.Cmd
	ready time.Duration // exec to first answered request
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// start launches the peer and waits until it answers its ready path.
func (p peer) start(ctx context.Context) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := p.command(port)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = nil, nil
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	client := &http.Client{Timeout: time.Second}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{url: url, cmd: cmd}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			s.stop()
			return nil, ctx.Err()
		}
		resp, err := client.Get(url + p.readyPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				s.ready = time.Since(t0)
				return s, nil
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	s.stop()
	return nil, fmt.Errorf("%s did not answer within 60s", p.name)
}

func (s *server) stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// rssMiB reads the resident set size of the server process.
func (s *server) rssMiB() (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%f", &kb)
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}

// sdk returns an aws-sdk-go-v2 config for the server: same client for every peer.
func (s *server) sdk() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(s.url),
		HTTPClient: &http.Client{Transport: plainBodies{&http.Transport{
			MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second,
		}}, Timeout: 30 * time.Second},
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// plainBodies hides io.WriterTo on request bodies, working around a race in
// smithy-go's request body (it answers WriteTo with io.EOF once the SDK closed
// it on seeing the response headers, and the transport then drops the
// connection under the response). It applies to every peer alike.
type plainBodies struct{ rt http.RoundTripper }

func (p plainBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return p.rt.RoundTrip(req)
}

// cpuTime is the server process's user+system CPU time so far (from
// /proc/PID/stat, in clock ticks of 10 ms), or 0 when it cannot be read.
func (s *server) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start after ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// selfCPU is the bench process's own user+system CPU time: the clients' cost.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
