package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Lambda workloads: cold starts (Go, Python, Node), warm invokes of a Go
// echo function one at a time, and fan-out of 8 concurrent invokes. Every
// invocation's payload is checked to be the echo of what was sent.

// builtZips caches goFunctionZip's packages by Go package path.
var builtZips sync.Map // string → *builtZip

type builtZip struct {
	once sync.Once
	zip  []byte
	err  error
}

// goFunctionZip builds the Go package pkg (e.g. "./bench/fn/echo") as a
// provided.al2023 bootstrap and zips it, once per package.
func goFunctionZip(pkg string) ([]byte, error) {
	v, _ := builtZips.LoadOrStore(pkg, &builtZip{})
	b := v.(*builtZip)
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "tenkai-bench-fn-")
		if err != nil {
			b.err = err
			return
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", filepath.Join(dir, "bootstrap"), pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("build %s: %v: %s", pkg, err, out)
			return
		}
		bin, err := os.ReadFile(filepath.Join(dir, "bootstrap"))
		if err != nil {
			b.err = err
			return
		}
		b.zip, b.err = zipOf(map[string][]byte{"bootstrap": bin})
	})
	return b.zip, b.err
}

// goEchoZip is the echo function of the Lambda workloads.
func goEchoZip() ([]byte, error) { return goFunctionZip("./bench/fn/echo") }

func zipOf(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(0o755)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(body); err != nil {
			return nil, err
		}
	}
	err := zw.Close()
	return buf.Bytes(), err
}

type fnKind struct {
	runtime ltypes.Runtime
	handler string
	zip     func() ([]byte, error)
}

var fnKinds = map[string]fnKind{
	"go": {ltypes.RuntimeProvidedal2023, "bootstrap", goEchoZip},
	"python": {ltypes.RuntimePython312, "app.handler", func() ([]byte, error) {
		return zipOf(map[string][]byte{"app.py": []byte("def handler(event, context):\n    return event\n")})
	}},
	"node": {ltypes.RuntimeNodejs20x, "index.handler", func() ([]byte, error) {
		return zipOf(map[string][]byte{"index.js": []byte("exports.handler = async (event) => event;\n")})
	}},
}

// ensureRole creates the functions' execution role and returns its ARN (moto
// refuses functions whose role does not exist in its account).
func ensureRole(ctx context.Context, s *server) (string, error) {
	out, err := iam.NewFromConfig(s.sdk()).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("bench"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		return "", fmt.Errorf("create role: %w", err)
	}
	return aws.ToString(out.Role.Arn), nil
}

func createFn(ctx context.Context, c *lambda.Client, role, name, kind string) error {
	k := fnKinds[kind]
	code, err := k.zip()
	if err != nil {
		return err
	}
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: k.runtime, Handler: aws.String(k.handler),
		Role: aws.String(role), Code: &ltypes.FunctionCode{ZipFile: code}, Timeout: aws.Int32(30),
	})
	return err
}

func invokeEcho(ctx context.Context, c *lambda.Client, name string, n int) error {
	want := fmt.Sprintf(`{"n":%d}`, n)
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(want)})
	if err != nil {
		return err
	}
	if out.FunctionError != nil {
		return fmt.Errorf("function error %s: %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if got := string(bytes.TrimSpace(out.Payload)); got != want && got != `{"n": `+fmt.Sprint(n)+`}` {
		return fmt.Errorf("payload %s; want %s", got, want)
	}
	return nil
}

// coldStart creates fresh functions and times each one's first invoke.
func coldStart(kind string, count int) func(ctx context.Context, o options, p peer) result {
	return func(ctx context.Context, o options, p peer) result {
		s, err := p.start(ctx)
		if err != nil {
			return result{err: err.Error()}
		}
		defer s.stop()
		role, err := ensureRole(ctx, s)
		if err != nil {
			return result{err: oneLine(err.Error())}
		}
		c := lambda.NewFromConfig(s.sdk())
		var lats []time.Duration
		for i := 0; i < count; i++ {
			name := fmt.Sprintf("cold-%s-%d", kind, i)
			if err := createFn(ctx, c, role, name, kind); err != nil {
				return result{err: "create function: " + oneLine(err.Error())}
			}
			t0 := time.Now()
			if err := invokeEcho(ctx, c, name, i); err != nil {
				return result{err: "invoke: " + oneLine(err.Error())}
			}
			lats = append(lats, time.Since(t0))
		}
		sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
		return result{value: float64(lats[len(lats)/2].Microseconds()) / 1000}
	}
}

type lambdaState struct{ c *lambda.Client }

func lambdaWarmSetup(ctx context.Context, s *server) (any, error) {
	role, err := ensureRole(ctx, s)
	if err != nil {
		return nil, err
	}
	c := lambda.NewFromConfig(s.sdk())
	if err := createFn(ctx, c, role, "echo", "go"); err != nil {
		return nil, err
	}
	// Warm as many environments as the fan-out uses.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- invokeEcho(ctx, c, "echo", i)
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return &lambdaState{c: c}, nil
}

func lambdaWarmInvoke(ctx context.Context, s *server, st any, worker, i int) error {
	return invokeEcho(ctx, st.(*lambdaState).c, "echo", worker*1000000+i)
}
