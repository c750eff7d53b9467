package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Languages a runtime name maps to.
const (
	langProvided = "provided"
	langPython   = "python"
	langNode     = "node"
)

// launcher is how a runtime starts on this machine.
type launcher struct {
	runtime string // "python3.12"
	lang    string
	want    string // the version the runtime names: "3.12", "20"
	interp  string // interpreter path ("" for provided)
	have    string // the interpreter's version: "3.11", "20"
	warning string // written to the function's log at each cold start
	sdkDir  string // python: dir with SDK packages the interpreter lacks (appended to sys.path)
}

// parseRuntime splits "python3.12" / "nodejs20.x" / "provided.al2023".
func parseRuntime(rt string) (lang, want string, ok bool) {
	switch {
	case rt == "provided" || strings.HasPrefix(rt, "provided."):
		return langProvided, "", true
	case strings.HasPrefix(rt, "python3."):
		v := strings.TrimPrefix(rt, "python")
		if _, err := strconv.Atoi(strings.TrimPrefix(v, "3.")); err != nil {
			return "", "", false
		}
		return langPython, v, true
	case strings.HasPrefix(rt, "nodejs") && strings.HasSuffix(rt, ".x"):
		v := strings.TrimSuffix(strings.TrimPrefix(rt, "nodejs"), ".x")
		if _, err := strconv.Atoi(v); err != nil {
			return "", "", false
		}
		return langNode, v, true
	}
	return "", "", false
}

func (m *Manager) launcherFor(rt string) (*launcher, error) {
	return m.launch.get(rt, func() (*launcher, error) {
		lang, want, ok := parseRuntime(rt)
		if !ok {
			return nil, fmt.Errorf("%w: %s cannot run locally; use provided.al2023, python3.x or nodejs*.x", ErrRuntimeUnavailable, rt)
		}
		l := &launcher{runtime: rt, lang: lang, want: want}
		var err error
		switch lang {
		case langPython:
			err = m.findPython(l)
		case langNode:
			err = m.findNode(l)
		}
		if err != nil {
			return nil, err
		}
		if l.warning != "" {
			m.log.Warn("lambda runtime substituted", "runtime", rt, "interpreter", l.interp, "version", l.have)
		}
		return l, nil
	})
}

// command is the argv that starts an environment (nil for provided.* without a
// bootstrap) and the warning to log.
func (m *Manager) command(spec *Spec, l *launcher, opt string) ([]string, string, error) {
	switch l.lang {
	case langProvided:
		for _, p := range []string{filepath.Join(spec.CodeDir, "bootstrap"), filepath.Join(opt, "bootstrap")} {
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return []string{p}, "", nil
			}
		}
		return nil, "", nil
	case langPython:
		boot, err := m.bootstrapFile(langPython)
		if err != nil {
			return nil, "", err
		}
		return []string{l.interp, boot}, l.warning, nil
	default:
		boot, err := m.bootstrapFile(langNode)
		if err != nil {
			return nil, "", err
		}
		return []string{l.interp, boot}, l.warning, nil
	}
}
