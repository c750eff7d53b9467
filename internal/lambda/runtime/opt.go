package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// optDir returns the merged /opt equivalent for spec's layers, made once per Key and
// layer list: later layers overwrite earlier files. Files are hard links to the unpacked
// layers (copies across file systems), so module paths resolve inside /opt as in Lambda.
func (m *Manager) optDir(spec *Spec) (string, error) {
	h := sha256.New()
	_, _ = io.WriteString(h, spec.Key)
	for _, d := range spec.LayerDirs {
		_, _ = io.WriteString(h, "\x00"+d)
	}
	name := hex.EncodeToString(h.Sum(nil))[:24]
	if len(spec.LayerDirs) == 0 {
		name = "empty"
	}
	return m.opts.get(name, func() (string, error) {
		m.sweepOnce.Do(m.sweepStale)
		dst := filepath.Join(m.workDir, "opt", name)
		if isDir(dst) {
			return dst, nil
		}
		tmp := dst + ".tmp-" + randHex(4)
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return "", err
		}
		for _, layer := range spec.LayerDirs {
			if err := mergeLayer(layer, tmp); err != nil {
				_ = os.RemoveAll(tmp)
				return "", fmt.Errorf("merge layer %s: %w", layer, err)
			}
		}
		if err := os.Rename(tmp, dst); err != nil {
			_ = os.RemoveAll(tmp)
			if isDir(dst) { // made by someone else meanwhile
				return dst, nil
			}
			return "", err
		}
		return dst, nil
	})
}

func mergeLayer(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if st, err := os.Lstat(target); err == nil && !st.IsDir() {
				_ = os.Remove(target)
			}
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			_ = os.RemoveAll(target)
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			_ = os.RemoveAll(target)
			if err := os.Link(p, target); err == nil {
				return nil
			}
			return copyFile(p, target)
		}
		return nil // sockets, devices: not part of a layer
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// sweepStale removes the default work dirs of tenkai processes that are gone (killed
// before Close could clean up). Only dirs named exactly tenkai-lambda-<pid> are touched.
func (m *Manager) sweepStale() {
	if !m.ownDir {
		return
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "tenkai-lambda-*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "tenkai-lambda-"))
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(d)
		}
	}
}
