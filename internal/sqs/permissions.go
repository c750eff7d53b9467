package sqs

import (
	"context"
	"encoding/json"
)

// AddPermission and RemovePermission edit the queue's Policy attribute, one
// statement per label, as AWS generates it. Policies are kept, not enforced.

type addPermissionIn struct {
	QueueUrl      *string  `json:"QueueUrl"`
	Label         *string  `json:"Label"`
	AWSAccountIds []string `json:"AWSAccountIds"`
	Actions       []string `json:"Actions"`
}

var permissionActions = map[string]bool{"*": true, "SendMessage": true, "ReceiveMessage": true, "DeleteMessage": true,
	"ChangeMessageVisibility": true, "GetQueueAttributes": true, "GetQueueUrl": true, "ListDeadLetterSourceQueues": true,
	"PurgeQueue": true, "ListQueueTags": true, "ListQueues": true}

type policyDoc struct {
	Version   string           `json:"Version"`
	Id        string           `json:"Id,omitempty"`
	Statement []map[string]any `json:"Statement"`
}

func (s *Service) addPermission(ctx context.Context, in *addPermissionIn) (*struct{}, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Label == nil:
		return nil, errMissing("Label")
	case len(in.AWSAccountIds) == 0:
		return nil, errMissing("AWSAccountIds")
	case len(in.Actions) == 0:
		return nil, errMissing("Actions")
	case !validBatchID(*in.Label):
		return nil, errValue(*in.Label, "Label", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	case len(in.Actions) > 7:
		e := sqsError("OverLimit", "OverLimit", "%d Actions were found, maximum allowed is 7.", len(in.Actions))
		e.Status = 403
		return nil, e
	}
	var actions, principals []string
	for _, a := range in.Actions {
		if !permissionActions[a] {
			return nil, errValue(a, "ActionName.1", "Please refer to the appropriate WSDL for a list of valid actions.")
		}
		actions = append(actions, "SQS:"+a)
	}
	for _, id := range in.AWSAccountIds {
		if !isAccount(id) {
			return nil, errValue(id, "AWSAccountId", "The account id is not valid.")
		}
		principals = append(principals, "arn:aws:iam::"+id+":root")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	doc := policyDoc{Version: "2012-10-17", Id: q.arn + "/SQSDefaultPolicy"}
	if p := q.meta.Attrs["Policy"]; p != "" {
		_ = json.Unmarshal([]byte(p), &doc)
	}
	for _, st := range doc.Statement {
		if st["Sid"] == *in.Label {
			return nil, errValue(*in.Label, "Label", "Already exists.")
		}
	}
	doc.Statement = append(doc.Statement, map[string]any{"Sid": *in.Label, "Effect": "Allow",
		"Principal": map[string]any{"AWS": oneOrMany(principals)}, "Action": oneOrMany(actions), "Resource": q.arn})
	return nil, s.setPolicyLocked(q, &doc)
}

// oneOrMany renders a single value as a string, as AWS's generated policies do.
func oneOrMany(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}

type removePermissionIn struct {
	QueueUrl *string `json:"QueueUrl"`
	Label    *string `json:"Label"`
}

func (s *Service) removePermission(ctx context.Context, in *removePermissionIn) (*struct{}, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if in.Label == nil {
		return nil, errMissing("Label")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	var doc policyDoc
	if p := q.meta.Attrs["Policy"]; p != "" {
		_ = json.Unmarshal([]byte(p), &doc)
	}
	kept := doc.Statement[:0]
	for _, st := range doc.Statement {
		if st["Sid"] != *in.Label {
			kept = append(kept, st)
		}
	}
	if len(kept) == len(doc.Statement) {
		return nil, errValue(*in.Label, "Label", "can't find label on existing policy.")
	}
	doc.Statement = kept
	if len(kept) == 0 {
		return nil, s.setPolicyLocked(q, nil)
	}
	return nil, s.setPolicyLocked(q, &doc)
}

func (s *Service) setPolicyLocked(q *queue, doc *policyDoc) error {
	meta := q.meta
	meta.Attrs = map[string]string{}
	for k, v := range q.meta.Attrs {
		meta.Attrs[k] = v
	}
	if doc == nil {
		delete(meta.Attrs, "Policy")
	} else {
		js, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		meta.Attrs["Policy"] = string(js)
	}
	meta.Modified = s.clk.Now().Unix()
	if err := s.saveMetaLocked(&meta); err != nil {
		return err
	}
	q.meta = meta
	return nil
}
