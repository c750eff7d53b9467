package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Code size limits of Lambda.
const (
	maxZipped   = 50 << 20     // 52428800: direct upload
	maxUnzipped = 262144000    // code and layers, unzipped
	hotBucket   = "hot-reload" // S3Bucket value that selects a local directory
)

var errCorruptZip = invalidParam("Could not unzip uploaded file. Please check your file, then try to upload again.")

// checkZip validates a deployment package and returns its codeRef.
func checkZip(b []byte) (codeRef, error) {
	if len(b) > maxZipped {
		return codeRef{}, edge.NewError(413, "RequestEntityTooLargeException",
			fmt.Sprintf("Zipped size must be smaller than %d bytes", maxZipped))
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return codeRef{}, errCorruptZip
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxUnzipped {
			return codeRef{}, invalidParam("Unzipped size must be smaller than %d bytes", maxUnzipped)
		}
	}
	sum := sha256.Sum256(b)
	return codeRef{Sha256: base64.StdEncoding.EncodeToString(sum[:]), Hex: hex.EncodeToString(sum[:]), Size: int64(len(b))}, nil
}

// blobs keeps zip packages by SHA-256: as files under dir when it is set,
// else in the store.
type blobs struct {
	st  store.Store
	dir string // "" keeps blobs in the store
}

const blobBucket = "lambda/code"

func (b *blobs) put(hexSum string, data []byte) error {
	if b.dir != "" {
		p := filepath.Join(b.dir, hexSum+".zip")
		if _, err := os.Stat(p); err == nil {
			return nil
		}
		if err := os.MkdirAll(b.dir, 0o755); err != nil {
			return fmt.Errorf("store code: %w", err)
		}
		tmp, err := os.CreateTemp(b.dir, ".upload-*")
		if err != nil {
			return fmt.Errorf("store code: %w", err)
		}
		_, werr := tmp.Write(data)
		if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("store code: %w", err)
		}
		return os.Rename(tmp.Name(), p)
	}
	return b.st.Update(func(tx store.Tx) error {
		bk := tx.Bucket(blobBucket)
		if bk.Get([]byte(hexSum)) != nil {
			return nil
		}
		return bk.Put([]byte(hexSum), data)
	})
}

func (b *blobs) get(hexSum string) ([]byte, error) {
	if b.dir != "" {
		data, err := os.ReadFile(filepath.Join(b.dir, hexSum+".zip"))
		if err != nil {
			return nil, fmt.Errorf("read code %s: %w", hexSum, err)
		}
		return data, nil
	}
	var out []byte
	err := b.st.View(func(tx store.Tx) error {
		v := tx.Bucket(blobBucket).Get([]byte(hexSum))
		if v == nil {
			return fmt.Errorf("read code %s: %w", hexSum, fs.ErrNotExist)
		}
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// unpacker unzips each package once into workDir/<kind>/<hex>.
type unpacker struct {
	dir   string
	blobs *blobs
	mu    sync.Mutex             // guards locks and done
	locks map[string]*sync.Mutex // per package, held while unpacking
	done  map[string]string      // packages known to be unpacked
}

func (u *unpacker) lock(key string) *sync.Mutex {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.locks == nil {
		u.locks = map[string]*sync.Mutex{}
	}
	l := u.locks[key]
	if l == nil {
		l = &sync.Mutex{}
		u.locks[key] = l
	}
	return l
}

// dirFor returns the directory holding the unpacked package, unpacking it
// on first use.
func (u *unpacker) dirFor(hexSum string) (string, error) {
	u.mu.Lock()
	d, ok := u.done[hexSum]
	u.mu.Unlock()
	if ok {
		return d, nil
	}
	dst := filepath.Join(u.dir, "code", hexSum)
	defer func() {
		if _, err := os.Stat(dst); err == nil {
			u.mu.Lock()
			if u.done == nil {
				u.done = map[string]string{}
			}
			u.done[hexSum] = dst
			u.mu.Unlock()
		}
	}()
	l := u.lock(hexSum)
	l.Lock()
	defer l.Unlock()
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	data, err := u.blobs.get(hexSum)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("unpack code: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".unpack-*")
	if err != nil {
		return "", fmt.Errorf("unpack code: %w", err)
	}
	if err := unzipTo(data, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("unpack code %s: %w", hexSum, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("unpack code: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("unpack code: %w", err)
	}
	return dst, nil
}

// unzipTo extracts a zip into dir. Entries that would land outside dir
// (absolute paths, "..") are refused; symlinks are kept only when their
// target stays inside dir.
func unzipTo(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	var total int64
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, `\`, "/")
		clean := filepath.Clean(filepath.FromSlash(name))
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
			return fmt.Errorf("zip entry %q escapes the code directory", f.Name)
		}
		if clean == "." {
			continue
		}
		p := filepath.Join(dir, clean)
		mode := f.Mode()
		switch {
		case mode.IsDir() || strings.HasSuffix(name, "/"):
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		case mode&fs.ModeSymlink != 0:
			target, err := readEntry(f, 4096)
			if err != nil {
				return err
			}
			t := string(target)
			resolved := filepath.Clean(filepath.Join(filepath.Dir(p), t))
			if filepath.IsAbs(t) || !within(dir, resolved) {
				return fmt.Errorf("zip entry %q links outside the code directory", f.Name)
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(t, p); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		perm := mode.Perm() | 0o444
		if mode.Perm() == 0 {
			perm = 0o755 // archives made without Unix modes: keep bootstrap files runnable
		}
		n, err := writeEntry(f, p, perm, maxUnzipped-total)
		if err != nil {
			return err
		}
		total += n
	}
	return nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func readEntry(f *zip.File, max int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, max))
}

func writeEntry(f *zip.File, p string, perm fs.FileMode, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > budget {
		err = fmt.Errorf("unzipped size exceeds %d bytes", maxUnzipped)
	}
	return n, err
}

// hotDir tracks the newest modification time under hot-reload directories,
// rechecking each at most every interval.
type hotDir struct {
	mu       sync.Mutex
	seen     map[string]hotStamp
	interval time.Duration
}

type hotStamp struct {
	checked time.Time
	mod     time.Time
}

// fingerprint returns a string that changes when files under dir change.
func (h *hotDir) fingerprint(dir string, now time.Time) string {
	h.mu.Lock()
	s, ok := h.seen[dir]
	h.mu.Unlock()
	if ok && now.Sub(s.checked) < h.interval {
		return s.mod.Format(time.RFC3339Nano)
	}
	var newest time.Time
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && p != dir && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "__pycache__") {
			return filepath.SkipDir
		}
		if info, err := d.Info(); err == nil && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
		return nil
	})
	h.mu.Lock()
	if h.seen == nil {
		h.seen = map[string]hotStamp{}
	}
	h.seen[dir] = hotStamp{checked: now, mod: newest}
	h.mu.Unlock()
	return newest.Format(time.RFC3339Nano)
}
