package sns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"tenkai/internal/clock"
	"tenkai/internal/store"
)

// httpBucket holds the HTTP deliveries not done yet, by id, so that they
// resume after a restart.
const httpBucket = "sns/http"

// httpAttempts is how many times an HTTP delivery is tried: AWS's default
// delivery policy retries three times.
const httpAttempts = 4

// httpDelivery is one POST to an http or https subscription.
type httpDelivery struct {
	ID       string            `json:"id"`
	Sub      string            `json:"sub"`
	Endpoint string            `json:"endpoint"`
	Header   map[string]string `json:"header"`
	Body     string            `json:"body"`
	Attempts int               `json:"attempts"` // made so far
	// DeadLetter is where the message goes once the attempts run out: the
	// subscription's dead-letter queue, "" for none.
	DeadLetter string       `json:"dlq,omitempty"`
	Message    QueueMessage `json:"msg"` // what the dead-letter queue gets
}

// post records a delivery of msg's body and starts it in the background.
func (s *Service) post(sb *subscription, h map[string]string, msg QueueMessage) {
	h["Content-Type"] = "text/plain; charset=UTF-8"
	h["User-Agent"] = "Amazon Simple Notification Service Agent"
	d := &httpDelivery{ID: s.newID(), Sub: sb.ARN, Endpoint: sb.Endpoint, Header: h, Body: msg.Body, DeadLetter: sb.deadLetterQueue()}
	if d.DeadLetter != "" {
		d.Message = msg
	}
	err := s.st.Update(func(tx store.Tx) error { return putJSON(tx.Bucket(httpBucket), d.ID, d) })
	if err != nil {
		s.log.Warn("sns: record http delivery", "subscription", sb.ARN, "err", err)
		return
	}
	s.run(d)
}

// resume starts the deliveries a previous run left unfinished. Those
// already under way (recorded and started before Start) are skipped: the
// scan and the claims happen under runMu, and a delivery is forgotten in
// the store before it leaves running, so no record is started twice.
func (s *Service) resume() error {
	type job struct {
		ctx context.Context
		d   *httpDelivery
	}
	var jobs []job
	s.runMu.Lock()
	err := s.st.View(func(tx store.Tx) error {
		tx.Bucket(httpBucket).Scan(nil, nil, false, func(_, v []byte) bool {
			var d httpDelivery
			if json.Unmarshal(v, &d) != nil {
				return true
			}
			if ctx, ok := s.claimLocked(d.ID); ok {
				jobs = append(jobs, job{ctx, &d})
			}
			return true
		})
		return nil
	})
	s.runMu.Unlock()
	if err != nil {
		return fmt.Errorf("load http deliveries: %w", err)
	}
	for _, j := range jobs {
		go s.deliver(j.ctx, j.d)
	}
	return nil
}

// run makes a delivery's remaining attempts in a goroutine, unless one is
// making them already.
func (s *Service) run(d *httpDelivery) {
	s.runMu.Lock()
	ctx, ok := s.claimLocked(d.ID)
	s.runMu.Unlock()
	if ok {
		go s.deliver(ctx, d)
	}
}

// deliver makes a claimed delivery's remaining attempts. A delivery cut
// short by Close stays recorded for the next Start.
func (s *Service) deliver(ctx context.Context, d *httpDelivery) {
	defer s.release(d.ID)
	for {
		err := s.postOnce(ctx, d)
		if ctx.Err() != nil {
			return
		}
		d.Attempts++
		if err == nil || d.Attempts >= httpAttempts || !retryable(err) {
			if err != nil {
				s.log.Warn("sns: http delivery failed", "subscription", d.Sub, "endpoint", d.Endpoint, "attempts", d.Attempts, "err", err)
				s.redrive(ctx, d.Sub, d.DeadLetter, d.Message)
			}
			s.finish(d, false)
			return
		}
		s.finish(d, true)
		if clock.Sleep(ctx, s.clk, s.cfg.RetryDelay) != nil {
			return
		}
	}
}

// finish stores the attempts made (keep) or forgets the delivery. A
// delivery no longer recorded (a reset wiped it) is not written back.
func (s *Service) finish(d *httpDelivery, keep bool) {
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(httpBucket)
		if b.Get([]byte(d.ID)) == nil {
			return nil
		}
		if keep {
			return putJSON(b, d.ID, d)
		}
		return b.Delete([]byte(d.ID))
	})
	if err != nil {
		s.log.Warn("sns: record http delivery", "subscription", d.Sub, "err", err)
	}
}

func (s *Service) postOnce(ctx context.Context, d *httpDelivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoint, bytes.NewReader([]byte(d.Body)))
	if err != nil {
		return err
	}
	for k, v := range d.Header {
		req.Header.Set(k, v)
	}
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &statusError{Code: resp.StatusCode, Status: resp.Status}
	}
	return nil
}

// statusError is an endpoint's answer other than 2xx.
type statusError struct {
	Code   int
	Status string
}

func (e *statusError) Error() string { return "endpoint answered " + e.Status }

// retryable reports whether a failed attempt is tried again. AWS retries
// server-side errors (5xx), throttling (429), timeouts and connection
// failures; any other client error (4xx) fails the delivery at once, and
// the message goes to the dead-letter queue if there is one.
func retryable(err error) bool {
	var se *statusError
	if !errors.As(err, &se) {
		return true // the request never got an answer
	}
	return se.Code < 400 || se.Code >= 500 || se.Code == http.StatusTooManyRequests
}
