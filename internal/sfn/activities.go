package sfn

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/sfn/engine"
	"tenkai/internal/store"
)

// Activities: Task states whose Resource is an activity ARN wait until a
// worker takes the task with GetActivityTask, then for SendTask* with its
// token (the engine keeps the token; the queue of untaken tasks is in
// memory).

type activity struct {
	Name    string            `json:"name"`
	ARN     string            `json:"arn"`
	Created time.Time         `json:"created"`
	Tags    map[string]string `json:"tags,omitempty"`
}

func activitiesBucket(account, region string) string {
	return "sfn/activities/" + account + "/" + region
}

func activityARN(region, account, name string) string {
	return "arn:aws:states:" + region + ":" + account + ":activity:" + name
}

// activityTask is a scheduled task waiting for a worker.
type activityTask struct {
	ctx    context.Context
	token  string
	input  json.RawMessage
	worker chan string // buffered 1: the worker that took it
}

// activityQueue returns the queue of an activity, creating it.
func (s *Service) activityQueue(arn string) chan *activityTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queues == nil {
		s.queues = map[string]chan *activityTask{}
	}
	q, ok := s.queues[arn]
	if !ok {
		q = make(chan *activityTask, 4096)
		s.queues[arn] = q
	}
	return q
}

// runActivity queues the task and waits until a worker takes it.
func (t *tasks) runActivity(ctx context.Context, call *engine.TaskCall) (json.RawMessage, error) {
	at := &activityTask{ctx: ctx, token: call.TaskToken, input: call.Input, worker: make(chan string, 1)}
	select {
	case t.s.activityQueue(call.Resource) <- at:
	default:
		return nil, &engine.TaskError{Code: "States.TaskFailed", Cause: "Too many tasks are waiting for activity workers"}
	}
	select {
	case w := <-at.worker:
		return json.Marshal(map[string]string{"workerName": w})
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type activityIn struct {
	Name        string `json:"name"`
	ActivityArn string `json:"activityArn"`
	WorkerName  string `json:"workerName"`
	Tags        []tag  `json:"tags"`
	MaxResults  int    `json:"maxResults"`
	NextToken   string `json:"nextToken"`
}

type activityOut struct {
	ActivityArn  string     `json:"activityArn"`
	Name         string     `json:"name,omitempty"`
	CreationDate edge.Epoch `json:"creationDate"`
}

func activityNotFound(arn string) *edge.Error {
	return edge.Errorf("ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn)
}

func (s *Service) createActivity(ctx context.Context, in *activityIn) (*activityOut, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	if !validName(in.Name) {
		return nil, invalidName(in.Name)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	a := &activity{Name: in.Name, ARN: activityARN(m.Region, m.Account, in.Name), Created: s.clk.Now()}
	for _, t := range in.Tags {
		if a.Tags == nil {
			a.Tags = map[string]string{}
		}
		a.Tags[t.Key] = t.Value
	}
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(activitiesBucket(m.Account, m.Region))
		var old activity
		found, err := getJSON(b, []byte(in.Name), &old)
		if err != nil {
			return err
		}
		if found {
			a = &old // CreateActivity is idempotent
			return nil
		}
		return putJSON(b, []byte(in.Name), a)
	})
	if err != nil {
		return nil, err
	}
	return &activityOut{ActivityArn: a.ARN, CreationDate: edge.Epoch(a.Created)}, nil
}

func parseActivityARN(arn string) (*resource, error) {
	if arn == "" {
		return nil, edge.MissingMember("activityArn")
	}
	p := strings.Split(arn, ":")
	if len(p) != 7 || p[0] != "arn" || p[2] != "states" || p[5] != "activity" || p[6] == "" {
		return nil, invalidARN(arn)
	}
	return &resource{Region: p[3], Account: p[4], Kind: "activity", Machine: p[6]}, nil
}

func (s *Service) loadActivity(arn string) (*activity, error) {
	r, err := parseActivityARN(arn)
	if err != nil {
		return nil, err
	}
	var a activity
	var found bool
	err = s.st.View(func(tx store.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(activitiesBucket(r.Account, r.Region)), []byte(r.Machine), &a)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, activityNotFound(arn)
	}
	return &a, nil
}

func (s *Service) describeActivity(ctx context.Context, in *activityIn) (*activityOut, error) {
	a, err := s.loadActivity(in.ActivityArn)
	if err != nil {
		return nil, err
	}
	return &activityOut{ActivityArn: a.ARN, Name: a.Name, CreationDate: edge.Epoch(a.Created)}, nil
}

func (s *Service) deleteActivity(ctx context.Context, in *activityIn) (*empty, error) {
	r, err := parseActivityARN(in.ActivityArn)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		return tx.Bucket(activitiesBucket(r.Account, r.Region)).Delete([]byte(r.Machine))
	})
	return &empty{}, err
}

type listActivitiesOut struct {
	Activities []activityOut `json:"activities"`
	NextToken  string        `json:"nextToken,omitempty"`
}

func (s *Service) listActivities(ctx context.Context, in *activityIn) (*listActivitiesOut, error) {
	m := edge.MetaFrom(ctx)
	items, next, err := listBucket(s.st, activitiesBucket(m.Account, m.Region), in.MaxResults, in.NextToken,
		func(a *activity) activityOut {
			return activityOut{ActivityArn: a.ARN, Name: a.Name, CreationDate: edge.Epoch(a.Created)}
		})
	if err != nil {
		return nil, err
	}
	return &listActivitiesOut{Activities: items, NextToken: next}, nil
}

type activityTaskOut struct {
	TaskToken string `json:"taskToken,omitempty"`
	Input     string `json:"input,omitempty"`
}

// activityPoll is how long GetActivityTask waits for a task (AWS: 60 s).
const activityPoll = 60 * time.Second

func (s *Service) getActivityTask(ctx context.Context, in *activityIn) (*activityTaskOut, error) {
	if _, err := s.loadActivity(in.ActivityArn); err != nil {
		return nil, err
	}
	if len(in.WorkerName) > 80 {
		return nil, edge.Validation("1 validation error detected: Value at 'workerName' failed to satisfy constraint: Member must have length less than or equal to 80")
	}
	q := s.activityQueue(in.ActivityArn)
	timer := s.clk.NewTimer(activityPoll)
	defer timer.Stop()
	for {
		select {
		case at := <-q:
			if at.ctx.Err() != nil {
				continue // its execution ended while it waited
			}
			at.worker <- in.WorkerName
			return &activityTaskOut{TaskToken: at.token, Input: string(at.input)}, nil
		case <-timer.C():
			return &activityTaskOut{}, nil
		case <-ctx.Done():
			return &activityTaskOut{}, nil
		case <-s.ctx.Done():
			return &activityTaskOut{}, nil
		}
	}
}
