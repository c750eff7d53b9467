package runtime

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// override returns Config.Interpreters' path for rt or its language.
func (m *Manager) override(rt, lang string) string {
	if p := m.cfg.Interpreters[rt]; p != "" {
		return p
	}
	return m.cfg.Interpreters[lang]
}

// findPython picks python3.X: an override, python3.X on PATH (pyenv shims skipped: they
// fail for versions that are not selected), pyenv's versions, else the nearest python3.
// Candidates whose file name gives their version are tried nearest first, so only the
// chosen one (and the broken ones before it) is run to probe it.
func (m *Manager) findPython(l *launcher) error {
	type cand struct {
		path string
		dist int // by the file name; unknown versions last
	}
	var cands []cand
	unknown := 1 << 30
	if p := m.override(l.runtime, langPython); p != "" {
		cands = append(cands, cand{p, 0})
	} else {
		for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
			if dir == "" || filepath.Base(dir) == "shims" {
				continue
			}
			cands = append(cands, cand{filepath.Join(dir, "python"+l.want), 0})
		}
		for _, p := range pyenvPythons("") {
			cands = append(cands, cand{p, minorDistance(strings.TrimPrefix(filepath.Base(p), "python"), l.want)})
		}
		for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
			if dir != "" {
				cands = append(cands, cand{filepath.Join(dir, "python3"), unknown})
			}
		}
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	}
	var (
		path, ver string
		missing   []string
		bestDist  = unknown + 1
	)
	seen := map[string]bool{}
	for _, c := range cands {
		if seen[c.path] || !isExec(c.path) {
			continue
		}
		seen[c.path] = true
		if c.dist > bestDist {
			break // a usable interpreter at least as near is already found
		}
		v, miss, err := probePython(c.path)
		if err != nil {
			continue
		}
		if d := minorDistance(v, l.want); d < bestDist {
			path, ver, missing, bestDist = c.path, v, miss, d
		}
		if bestDist == 0 {
			break
		}
	}
	if path == "" {
		return fmt.Errorf("%w: %s needs a Python 3 interpreter: install python%s (or put it on PATH)", ErrRuntimeUnavailable, l.runtime, l.want)
	}
	l.interp, l.have = path, ver
	if ver != l.want {
		l.warning = fmt.Sprintf("tenkai: python%s not found on this machine; running %s with Python %s (%s). Install python%s for exact behaviour.",
			l.want, l.runtime, ver, path, l.want)
	}
	if len(missing) > 0 {
		l.sdkDir = m.pythonSDKShim(missing)
	}
	return nil
}

// pyenvPythons lists pyenv's interpreters for version want ("3.12"), or all 3.x when want
// is "", newest first.
func pyenvPythons(want string) []string {
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, ".pyenv")
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "versions", "3.*"))
	sort.Slice(dirs, func(i, j int) bool { return versionLess(filepath.Base(dirs[j]), filepath.Base(dirs[i])) })
	var out []string
	for _, d := range dirs {
		v := filepath.Base(d)
		mm := majorMinor(v)
		if want != "" && mm != want {
			continue
		}
		out = append(out, filepath.Join(d, "bin", "python"+mm))
	}
	return out
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

func minorDistance(have, want string) int {
	h, _ := strconv.Atoi(strings.TrimPrefix(have, "3."))
	w, _ := strconv.Atoi(strings.TrimPrefix(want, "3."))
	d := h - w
	if d < 0 {
		d = -d*2 + 1 // prefer a newer interpreter over an older one at the same distance
	} else {
		d *= 2
	}
	return d
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// sdkModules are what boto3 needs; Lambda's Python runtimes ship them.
var sdkModules = []string{"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3"}

const probeScript = `import sys, importlib.util as u
print("%d.%d" % sys.version_info[:2])
print(",".join(n for n in sys.argv[1:] if u.find_spec(n) is None))`

// probePython returns the interpreter's "3.X" and the SDK modules it cannot import.
func probePython(path string) (ver string, missing []string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-c", probeScript}, sdkModules...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	out, err := cmd.Output()
	if err != nil {
		return "", nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if !strings.HasPrefix(lines[0], "3.") {
		return "", nil, fmt.Errorf("not python 3: %s", lines[0])
	}
	if len(lines) > 1 && lines[1] != "" {
		missing = strings.Split(lines[1], ",")
	}
	return lines[0], missing, nil
}

// pythonSDKShim makes a directory of links to the SDK packages another interpreter on the
// machine has, so boto3 is importable as in Lambda even when the chosen interpreter lacks
// it. Pure-Python packages only; the bootstrap appends it after site-packages.
func (m *Manager) pythonSDKShim(missing []string) string {
	dir, _ := m.boot.get("python-sdk", func() (string, error) {
		var src string
		for _, p := range pyenvPythons("") {
			sp, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(p)), "lib", "python3.*", "site-packages"))
			for _, s := range sp {
				if isDir(filepath.Join(s, "boto3")) {
					src = s
					break
				}
			}
			if src != "" {
				break
			}
		}
		if src == "" {
			for _, s := range []string{"/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages"} {
				if isDir(filepath.Join(s, "boto3")) {
					src = s
				}
			}
		}
		if src == "" {
			return "", nil
		}
		dst := filepath.Join(m.workDir, "python-sdk")
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return "", err
		}
		for _, name := range sdkModules {
			for _, cand := range []string{name, name + ".py"} {
				if _, err := os.Stat(filepath.Join(src, cand)); err == nil {
					_ = os.Symlink(filepath.Join(src, cand), filepath.Join(dst, cand))
				}
			}
		}
		return dst, nil
	})
	_ = missing // every SDK module is linked; the interpreter's own copies come first
	return dir
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// findNode picks node: an override, node on PATH, or nvm's node of the wanted major.
func (m *Manager) findNode(l *launcher) error {
	var cands []string
	if p := m.override(l.runtime, langNode); p != "" {
		cands = append(cands, p)
	} else {
		home, _ := os.UserHomeDir()
		nvm, _ := filepath.Glob(filepath.Join(home, ".nvm", "versions", "node", "v"+l.want+".*", "bin", "node"))
		sort.Sort(sort.Reverse(sort.StringSlice(nvm)))
		cands = append(cands, nvm...)
		if p, err := exec.LookPath("node"); err == nil {
			cands = append(cands, p)
		}
	}
	for _, c := range cands {
		if !isExec(c) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := exec.CommandContext(ctx, c, "--version").Output()
		cancel()
		if err != nil {
			continue
		}
		v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
		l.interp, l.have = c, strings.SplitN(v, ".", 2)[0]
		if l.have != l.want {
			l.warning = fmt.Sprintf("tenkai: Node.js %s not found on this machine; running %s with Node.js %s (%s). Install Node.js %s for exact behaviour.",
				l.want, l.runtime, v, c, l.want)
		}
		return nil
	}
	return fmt.Errorf("%w: %s needs Node.js: install node %s (or put it on PATH)", ErrRuntimeUnavailable, l.runtime, l.want)
}
