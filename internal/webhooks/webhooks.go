// Package webhooks is tenkai's sink for flows that notify chat tools: any
// request to /_tenkai/webhooks/{name} is accepted with Slack's 200 "ok" and
// recorded, with Slack Block Kit messages rendered as readable text.
package webhooks

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/store"
)

const (
	bucket  = "webhooks/records"
	maxBody = 1 << 20
)

// Record is one received request.
type Record struct {
	Seq     uint64              `json:"seq"`
	Name    string              `json:"name"`
	Time    time.Time           `json:"time"`
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query,omitempty"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
	// Text is the body as a person would read it: Slack messages rendered,
	// other JSON indented, anything else as received.
	Text string `json:"text"`
}

// Config configures the sink.
type Config struct {
	Store  store.Store
	Clock  clock.Clock  // nil means the wall clock
	Logger *slog.Logger // nil means slog.Default()
	// MaxRecords bounds the records kept; the oldest go first. 0 means 10000.
	MaxRecords int
}

// Sink records webhook calls.
type Sink struct {
	st  store.Store
	clk clock.Clock
	log *slog.Logger
	max uint64 // records kept

	mu   sync.Mutex    // guards seq and wake
	seq  uint64        // last sequence number handed out
	wake chan struct{} // closed and replaced on every new record
}

// New returns a sink over st.
func New(cfg Config) *Sink {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxRecords <= 0 {
		cfg.MaxRecords = 10000
	}
	s := &Sink{st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, max: uint64(cfg.MaxRecords), wake: make(chan struct{})}
	_ = s.st.View(func(tx store.Tx) error {
		tx.Bucket(bucket).Scan(nil, nil, true, func(k, _ []byte) bool {
			s.seq = binary.BigEndian.Uint64(k)
			return false
		})
		return nil
	})
	return s
}

// Reset forgets the sequence (the app resets the store itself).
func (s *Sink) Reset(context.Context) error {
	s.mu.Lock()
	s.seq = 0
	s.mu.Unlock()
	return nil
}

// Receive serves /_tenkai/webhooks/{name}/...: it records the request and
// answers as Slack's incoming webhooks do.
func (s *Sink) Receive(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/_tenkai/webhooks/")
	name, _, _ := strings.Cut(rest, "/")
	if name == "" {
		http.Error(w, "missing webhook name", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if len(body) > maxBody {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	rec := &Record{Name: name, Time: s.clk.Now().UTC(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Headers: r.Header, Body: string(body), Text: Render(r.Header.Get("Content-Type"), body)}
	if err := s.add(rec); err != nil {
		s.log.Error("record webhook", "name", name, "err", err)
		http.Error(w, "could not record", http.StatusInternalServerError)
		return
	}
	s.log.Info("webhook received", "name", name, "seq", rec.Seq, "text", firstLine(rec.Text))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok"))
}

func (s *Sink) add(rec *Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Seq = s.seq + 1
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], rec.Seq)
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(bucket)
		if err := b.Put(key[:], raw); err != nil {
			return err
		}
		if rec.Seq <= s.max {
			return nil
		}
		// Sequence numbers are dense, so the one that falls out is known.
		var old [8]byte
		binary.BigEndian.PutUint64(old[:], rec.Seq-s.max)
		return b.Delete(old[:])
	})
	if err != nil {
		return err
	}
	s.seq = rec.Seq
	close(s.wake)
	s.wake = make(chan struct{})
	return nil
}

// List returns the records of name ("" for all) with sequence numbers above after.
func (s *Sink) List(name string, after uint64) ([]Record, error) {
	var out []Record
	var from [8]byte
	binary.BigEndian.PutUint64(from[:], after+1)
	err := s.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(bucket).Scan(from[:], nil, false, func(_, v []byte) bool {
			var r Record
			if derr = json.Unmarshal(v, &r); derr != nil {
				return false
			}
			if name == "" || r.Name == name {
				out = append(out, r)
			}
			return true
		})
		return derr
	})
	return out, err
}

// Wait returns a channel closed when the next record arrives.
func (s *Sink) Wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wake
}

// API serves GET /_tenkai/api/webhooks[/{name}]?after=N[&wait=5s]: the records
// as JSON, waiting up to wait for new ones when none are there yet.
func (s *Sink) API(w http.ResponseWriter, r *http.Request) {
	name := strings.Trim(strings.TrimPrefix(r.URL.Path, "/_tenkai/api/webhooks"), "/")
	var after uint64
	fmt.Sscanf(r.URL.Query().Get("after"), "%d", &after)
	wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
	if wait > 60*time.Second {
		wait = 60 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		ch := s.Wait()
		recs, err := s.List(name, after)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if len(recs) > 0 || time.Now().After(deadline) {
			if recs == nil {
				recs = []Record{}
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"webhooks": recs})
			return
		}
		select {
		case <-ch:
		case <-time.After(time.Until(deadline)):
		case <-r.Context().Done():
			return
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if len(line) > 120 {
		line = line[:120] + "..."
	}
	return line
}
