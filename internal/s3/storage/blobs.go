package storage

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Blobs holds object bodies. A blob is written once, then only read and
// finally removed; ids are opaque. Implementations are safe for concurrent use.
type Blobs interface {
	// Create starts a new blob; the caller must Commit or Abort the writer.
	Create() (BlobWriter, error)
	// Open returns a reader of a committed blob. It fails with an error
	// wrapping fs.ErrNotExist when the blob is gone.
	Open(id string) (BlobReader, error)
	// Clone returns the id of a new blob with the same content.
	Clone(id string) (string, error)
	// Remove deletes a blob; a missing blob is no error.
	Remove(id string) error
	// Walk calls fn with every committed blob id.
	Walk(fn func(id string)) error
	// Reset removes every blob.
	Reset() error
}

// BlobWriter receives a new blob's content.
type BlobWriter interface {
	io.Writer
	// Commit makes the blob durable and returns its id.
	Commit() (string, error)
	// Abort discards the blob; it is safe after Commit (it does nothing then).
	Abort()
}

// BlobReader reads a blob at any offset.
type BlobReader interface {
	io.ReaderAt
	io.Closer
}

func newBlobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validBlobID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// MemBlobs keeps blobs in memory, for runs without a data directory.
type MemBlobs struct {
	mu sync.RWMutex
	m  map[string][]byte // guarded by mu; values are never modified
}

// NewMemBlobs returns an empty in-memory blob store.
func NewMemBlobs() *MemBlobs { return &MemBlobs{m: map[string][]byte{}} }

type memWriter struct {
	s    *MemBlobs
	buf  bytes.Buffer
	done bool
}

// Create starts a blob buffered in memory.
func (s *MemBlobs) Create() (BlobWriter, error) { return &memWriter{s: s}, nil }

func (w *memWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

// Grow sizes the buffer for a body of known length.
func (w *memWriter) Grow(n int) { w.buf.Grow(n) }

func (w *memWriter) Commit() (string, error) {
	id := newBlobID()
	w.s.mu.Lock()
	w.s.m[id] = w.buf.Bytes()
	w.s.mu.Unlock()
	w.done = true
	return id, nil
}

func (w *memWriter) Abort() {
	if !w.done {
		w.buf = bytes.Buffer{}
	}
}

type nopCloserAt struct{ *bytes.Reader }

func (nopCloserAt) Close() error { return nil }

// Open returns a reader of the blob.
func (s *MemBlobs) Open(id string) (BlobReader, error) {
	s.mu.RLock()
	b, ok := s.m[id]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("open blob %s: %w", id, fs.ErrNotExist)
	}
	return nopCloserAt{bytes.NewReader(b)}, nil
}

// Clone shares the blob's bytes under a new id.
func (s *MemBlobs) Clone(id string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[id]
	if !ok {
		return "", fmt.Errorf("clone blob %s: %w", id, fs.ErrNotExist)
	}
	nid := newBlobID()
	s.m[nid] = b
	return nid, nil
}

// Remove forgets the blob.
func (s *MemBlobs) Remove(id string) error {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
	return nil
}

// Walk lists the blob ids.
func (s *MemBlobs) Walk(fn func(id string)) error {
	s.mu.RLock()
	ids := make([]string, 0, len(s.m))
	for id := range s.m {
		ids = append(ids, id)
	}
	s.mu.RUnlock()
	for _, id := range ids {
		fn(id)
	}
	return nil
}

// Reset forgets every blob.
func (s *MemBlobs) Reset() error {
	s.mu.Lock()
	s.m = map[string][]byte{}
	s.mu.Unlock()
	return nil
}

// DirBlobs keeps each blob in a file under a directory: <dir>/<id[:2]>/<id>.
// A blob is written to <dir>/tmp, fsynced and renamed into place before
// Commit returns, so a committed blob survives a crash.
type DirBlobs struct {
	dir string
}

// NewDirBlobs returns a blob store in dir; call Prepare before use.
func NewDirBlobs(dir string) *DirBlobs { return &DirBlobs{dir: dir} }

// Prepare creates the directory if needed and removes unfinished writes left
// by a crash. Call it before any write.
func (s *DirBlobs) Prepare() error {
	tmp := filepath.Join(s.dir, "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("clear blob tmp dir: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("create blob dir: %w", err)
	}
	return nil
}

func (s *DirBlobs) path(id string) string { return filepath.Join(s.dir, id[:2], id) }

type dirWriter struct {
	s    *DirBlobs
	f    *os.File
	done bool
}

// Create opens a temporary file for the blob.
func (s *DirBlobs) Create() (BlobWriter, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "blob-")
	if errors.Is(err, fs.ErrNotExist) {
		// Used before Prepare (or after the directory was removed): create it.
		if err = os.MkdirAll(filepath.Join(s.dir, "tmp"), 0o755); err == nil {
			f, err = os.CreateTemp(filepath.Join(s.dir, "tmp"), "blob-")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create blob: %w", err)
	}
	return &dirWriter{s: s, f: f}, nil
}

func (w *dirWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

func (w *dirWriter) Commit() (string, error) {
	if err := w.f.Sync(); err != nil {
		w.Abort()
		return "", fmt.Errorf("sync blob: %w", err)
	}
	if err := w.f.Close(); err != nil {
		w.Abort()
		return "", fmt.Errorf("close blob: %w", err)
	}
	id := newBlobID()
	dst := w.s.path(id)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		w.Abort()
		return "", fmt.Errorf("create blob dir: %w", err)
	}
	if err := os.Rename(w.f.Name(), dst); err != nil {
		w.Abort()
		return "", fmt.Errorf("commit blob: %w", err)
	}
	w.done = true
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return "", err
	}
	return id, nil
}

func (w *dirWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.f.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// Open opens the blob's file.
func (s *DirBlobs) Open(id string) (BlobReader, error) {
	if !validBlobID(id) {
		return nil, fmt.Errorf("open blob %q: %w", id, fs.ErrNotExist)
	}
	f, err := os.Open(s.path(id))
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return f, nil
}

// Clone hard-links the blob under a new id, copying when links fail.
func (s *DirBlobs) Clone(id string) (string, error) {
	if !validBlobID(id) {
		return "", fmt.Errorf("clone blob %q: %w", id, fs.ErrNotExist)
	}
	nid := newBlobID()
	dst := s.path(nid)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("create blob dir: %w", err)
	}
	if err := os.Link(s.path(id), dst); err == nil {
		return nid, syncDir(filepath.Dir(dst))
	} else if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("clone blob: %w", err)
	}
	src, err := s.Open(id)
	if err != nil {
		return "", err
	}
	defer src.Close()
	w, err := s.Create()
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(w, io.NewSectionReader(src, 0, 1<<62)); err != nil {
		w.Abort()
		return "", fmt.Errorf("copy blob: %w", err)
	}
	return w.Commit()
}

// Remove deletes the blob's file.
func (s *DirBlobs) Remove(id string) error {
	if !validBlobID(id) {
		return nil
	}
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove blob: %w", err)
	}
	return nil
}

// Walk lists committed blobs.
func (s *DirBlobs) Walk(fn func(id string)) error {
	subs, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("list blobs: %w", err)
	}
	for _, sub := range subs {
		if !sub.IsDir() || len(sub.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(s.dir, sub.Name()))
		if err != nil {
			return fmt.Errorf("list blobs: %w", err)
		}
		for _, f := range files {
			if validBlobID(f.Name()) && strings.HasPrefix(f.Name(), sub.Name()) {
				fn(f.Name())
			}
		}
	}
	return nil
}

// Reset removes every blob file.
func (s *DirBlobs) Reset() error {
	subs, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("reset blobs: %w", err)
	}
	for _, sub := range subs {
		if sub.Name() == "tmp" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.dir, sub.Name())); err != nil {
			return fmt.Errorf("reset blobs: %w", err)
		}
	}
	return nil
}
