package runtime

import (
	"embed"
	"os"
	"path/filepath"
)

//go:embed bootstrap/bootstrap.py bootstrap/bootstrap.cjs
var bootstraps embed.FS

var bootstrapSource = map[string]string{
	langPython: "bootstrap/bootstrap.py",
	langNode:   "bootstrap/bootstrap.cjs",
}

// bootPath is where the language's bootstrap is extracted (LAMBDA_RUNTIME_DIR holds it).
func (m *Manager) bootPath(lang string) string {
	return filepath.Join(m.workDir, "runtime", lang, filepath.Base(bootstrapSource[lang]))
}

// bootstrapFile extracts the embedded bootstrap for lang once and returns its path.
func (m *Manager) bootstrapFile(lang string) (string, error) {
	return m.boot.get(lang, func() (string, error) {
		b, err := bootstraps.ReadFile(bootstrapSource[lang])
		if err != nil {
			return "", err
		}
		p := m.bootPath(lang)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		tmp := p + ".tmp-" + randHex(4)
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return "", err
		}
		if err := os.Rename(tmp, p); err != nil {
			return "", err
		}
		return p, nil
	})
}
