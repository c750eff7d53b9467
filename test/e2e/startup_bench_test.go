package e2e

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartup measures the time from exec to the first answered request
// and reports the idle resident memory of the server.
func BenchmarkStartup(b *testing.B) {
	var rssKB float64
	for i := 0; b.Loop(); i++ {
		port := freePort(b)
		cmd := exec.Command(binPath, "serve", "--port", strconv.Itoa(port), "--log-level", "error")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		url := "http://127.0.0.1:" + strconv.Itoa(port) + "/_tenkai/health"
		for {
			resp, err := http.Get(url)
			if err == nil {
				resp.Body.Close()
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
		if i == 0 {
			b.StopTimer()
			time.Sleep(300 * time.Millisecond)
			rssKB = vmRSS(cmd.Process.Pid)
			b.StartTimer()
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	b.ReportMetric(rssKB/1024, "idle-RSS-MiB")
}

func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func vmRSS(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	return 0
}
