package engine

import (
	"encoding/json"
	"sync/atomic"

	"tenkai/internal/sfn/asl"
)

// tokenWait is a task waiting for SendTaskSuccess/Failure/Heartbeat.
type tokenWait struct {
	ch   chan tokenResult // buffered 1
	beat chan struct{}    // buffered 1
}

type tokenResult struct {
	output json.RawMessage
	err    error
}

const maxFinishedTokens = 10000

func (e *Engine) register(token string) *tokenWait {
	w := &tokenWait{ch: make(chan tokenResult, 1), beat: make(chan struct{}, 1)}
	e.mu.Lock()
	e.tokens[token] = w
	e.mu.Unlock()
	return w
}

// unregister forgets a token once its task is over, remembering whether it
// timed out so late callers get TaskTimedOut rather than TaskDoesNotExist.
func (e *Engine) unregister(token string, timedOut *atomic.Bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.tokens, token)
	var err error = ErrTaskDoesNotExist
	if timedOut.Load() {
		err = ErrTaskTimedOut
	}
	if _, ok := e.finished[token]; !ok {
		e.order = append(e.order, token)
	}
	e.finished[token] = err
	for len(e.order) > maxFinishedTokens {
		delete(e.finished, e.order[0])
		e.order = e.order[1:]
	}
}

func (e *Engine) lookup(token string) (*tokenWait, error) {
	w, ok := e.tokens[token]
	if ok {
		return w, nil
	}
	if err, ok := e.finished[token]; ok {
		return nil, err
	}
	return nil, ErrTaskDoesNotExist
}

// SendTaskSuccess completes the task waiting on token with output.
func (e *Engine) SendTaskSuccess(token string, output json.RawMessage) error {
	if _, err := asl.DecodeJSON(output); err != nil {
		return ErrInvalidOutput
	}
	return e.complete(token, tokenResult{output: append(json.RawMessage(nil), output...)})
}

// SendTaskFailure fails the task waiting on token.
func (e *Engine) SendTaskFailure(token, errorCode, cause string) error {
	return e.complete(token, tokenResult{err: &TaskError{Code: errorCode, Cause: cause}})
}

func (e *Engine) complete(token string, r tokenResult) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, err := e.lookup(token)
	if err != nil {
		return err
	}
	delete(e.tokens, token)
	e.finished[token] = ErrTaskDoesNotExist
	e.order = append(e.order, token)
	w.ch <- r
	return nil
}

// SendTaskHeartbeat restarts the heartbeat timer of the task waiting on token.
func (e *Engine) SendTaskHeartbeat(token string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, err := e.lookup(token)
	if err != nil {
		return err
	}
	select {
	case w.beat <- struct{}{}:
	default:
	}
	return nil
}

// Error implements error.
func (t *TaskError) Error() string { return t.Code + ": " + t.Cause }
