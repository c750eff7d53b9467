package lambda

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"tenkai/internal/edge"
)

type addPermissionInput struct {
	StatementId         string `json:"StatementId"`
	Action              string `json:"Action"`
	Principal           string `json:"Principal"`
	SourceArn           string `json:"SourceArn"`
	SourceAccount       string `json:"SourceAccount"`
	EventSourceToken    string `json:"EventSourceToken"`
	RevisionId          string `json:"RevisionId"`
	PrincipalOrgID      string `json:"PrincipalOrgID"`
	FunctionUrlAuthType string `json:"FunctionUrlAuthType"`
}

// Policy documents are rendered with ordered structs so that the JSON has
// the member order AWS uses.
type policyDoc struct {
	Version   string            `json:"Version"`
	Id        string            `json:"Id"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string           `json:"Sid"`
	Effect    string           `json:"Effect"`
	Principal any              `json:"Principal"`
	Action    string           `json:"Action"`
	Resource  string           `json:"Resource"`
	Condition *policyCondition `json:"Condition,omitempty"`
}

type policyCondition struct {
	StringEquals map[string]string `json:"StringEquals,omitempty"`
	ArnLike      map[string]string `json:"ArnLike,omitempty"`
}

// principalJSON renders a principal as AWS stores it.
func principalJSON(p string) any {
	switch {
	case p == "*":
		return "*"
	case reAccount().MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	case strings.HasPrefix(p, "arn:"):
		return map[string]string{"AWS": p}
	default:
		return map[string]string{"Service": p}
	}
}

func (st *statement) render() policyStatement {
	ps := policyStatement{Sid: st.Sid, Effect: "Allow", Principal: principalJSON(st.Principal), Action: st.Action, Resource: st.Resource}
	c := &policyCondition{}
	if st.SourceAccount != "" {
		c.StringEquals = map[string]string{"AWS:SourceAccount": st.SourceAccount}
	}
	if st.PrincipalOrg != "" {
		if c.StringEquals == nil {
			c.StringEquals = map[string]string{}
		}
		c.StringEquals["aws:PrincipalOrgID"] = st.PrincipalOrg
	}
	if st.EventSrcToken != "" {
		if c.StringEquals == nil {
			c.StringEquals = map[string]string{}
		}
		c.StringEquals["lambda:EventSourceToken"] = st.EventSrcToken
	}
	if st.UrlAuthType != "" {
		if c.StringEquals == nil {
			c.StringEquals = map[string]string{}
		}
		c.StringEquals["lambda:FunctionUrlAuthType"] = st.UrlAuthType
	}
	if st.SourceArn != "" {
		c.ArnLike = map[string]string{"AWS:SourceArn": st.SourceArn}
	}
	if c.StringEquals != nil || c.ArnLike != nil {
		ps.Condition = c
	}
	return ps
}

func marshalNoEscape(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// policyJSON renders statements as the policy document GetPolicy returns.
func policyJSON(stmts []statement) string {
	doc := policyDoc{Version: "2012-10-17", Id: "default", Statement: []policyStatement{}}
	for i := range stmts {
		doc.Statement = append(doc.Statement, stmts[i].render())
	}
	return marshalNoEscape(doc)
}

// qualifierExists reports whether q names $LATEST, a version or an alias of fn.
func (fn *function) qualifierExists(q string) bool {
	return q == "" || q == "$LATEST" || fn.Versions[q] != nil || fn.Aliases[q] != nil
}

type addPermissionOutput struct {
	Statement string `json:"Statement"`
}

func (s *Service) addPermission(ctx context.Context, name, qualifier string, in *addPermissionInput) (*addPermissionOutput, error) {
	ref, err := s.ref(ctx, name, qualifier)
	if err != nil {
		return nil, err
	}
	switch {
	case in.StatementId == "":
		return nil, edge.MissingMember("statementId")
	case in.Action == "":
		return nil, edge.MissingMember("action")
	case in.Principal == "":
		return nil, edge.MissingMember("principal")
	case !reStatementID().MatchString(in.StatementId):
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)", in.StatementId)
	case !reAction().MatchString(in.Action):
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])", in.Action)
	case strings.ContainsAny(in.Principal, " \t\n"):
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+", in.Principal)
	}
	var out string
	_, err = s.modify(ref, func(fn *function) error {
		if !fn.qualifierExists(ref.Qualifier) {
			return notFound(ref)
		}
		if in.RevisionId != "" && in.RevisionId != fn.Latest.RevisionID {
			return preconditionFailed()
		}
		for _, stmts := range fn.Policy {
			for _, st := range stmts {
				if st.Sid == in.StatementId {
					return edge.NewError(http.StatusConflict, "ResourceConflictException",
						"The statement id ("+in.StatementId+") provided already exists. Please provide a new statement id, or remove the existing statement.")
				}
			}
		}
		st := statement{
			Sid: in.StatementId, Action: in.Action, Principal: in.Principal, SourceArn: in.SourceArn,
			SourceAccount: in.SourceAccount, PrincipalOrg: in.PrincipalOrgID, EventSrcToken: in.EventSourceToken,
			UrlAuthType: in.FunctionUrlAuthType, Resource: ref.ARN(),
		}
		if fn.Policy == nil {
			fn.Policy = map[string][]statement{}
		}
		fn.Policy[ref.Qualifier] = append(fn.Policy[ref.Qualifier], st)
		out = marshalNoEscape(st.render())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &addPermissionOutput{Statement: out}, nil
}

func (s *Service) removePermission(ctx context.Context, name, qualifier, sid, revision string) error {
	ref, err := s.ref(ctx, name, qualifier)
	if err != nil {
		return err
	}
	_, err = s.modify(ref, func(fn *function) error {
		if !fn.qualifierExists(ref.Qualifier) {
			return notFound(ref)
		}
		if revision != "" && revision != fn.Latest.RevisionID {
			return preconditionFailed()
		}
		stmts := fn.Policy[ref.Qualifier]
		for i, st := range stmts {
			if st.Sid == sid {
				fn.Policy[ref.Qualifier] = append(stmts[:i:i], stmts[i+1:]...)
				if len(fn.Policy[ref.Qualifier]) == 0 {
					delete(fn.Policy, ref.Qualifier)
				}
				return nil
			}
		}
		return edge.NewError(http.StatusNotFound, "ResourceNotFoundException", "Statement "+sid+" is not found in resource policy.")
	})
	return err
}

type getPolicyOutput struct {
	Policy     string `json:"Policy"`
	RevisionId string `json:"RevisionId"`
}

func (s *Service) getPolicy(ctx context.Context, name, qualifier string) (*getPolicyOutput, error) {
	ref, err := s.ref(ctx, name, qualifier)
	if err != nil {
		return nil, err
	}
	fn, err := s.view(ref)
	if err != nil {
		return nil, err
	}
	if !fn.qualifierExists(ref.Qualifier) {
		return nil, notFound(ref)
	}
	stmts := fn.Policy[ref.Qualifier]
	if len(stmts) == 0 {
		return nil, edge.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
	}
	rev := fn.Latest.RevisionID
	if v := fn.Versions[ref.Qualifier]; v != nil {
		rev = v.RevisionID
	}
	return &getPolicyOutput{Policy: policyJSON(stmts), RevisionId: rev}, nil
}

// Allows reports whether the function's resource policy lets principal (a
// service such as "events.amazonaws.com", an account id or an ARN) invoke it
// on behalf of sourceARN. function may be a name or any ARN form; a
// qualified reference also honours the statements of that version or alias.
func (s *Service) Allows(ctx context.Context, account, region, function, principal, sourceARN string) bool {
	ref, err := ParseFunctionRef(function, account, region)
	if err != nil {
		return false
	}
	fn, err := s.view(ref)
	if err != nil {
		return false
	}
	stmts := append([]statement(nil), fn.Policy[""]...)
	if ref.Qualifier != "" {
		stmts = append(stmts, fn.Policy[ref.Qualifier]...)
	}
	for _, st := range stmts {
		if st.allows(principal, sourceARN) {
			return true
		}
	}
	return false
}

func (st *statement) allows(principal, sourceARN string) bool {
	switch st.Action {
	case "lambda:InvokeFunction", "lambda:*", "*":
	default:
		return false
	}
	if st.Principal != "*" && st.Principal != principal {
		if !(reAccount().MatchString(st.Principal) && strings.HasPrefix(principal, "arn:aws:iam::"+st.Principal+":")) {
			return false
		}
	}
	if st.SourceArn != "" && !wildcardMatch(st.SourceArn, sourceARN) {
		return false
	}
	if st.SourceAccount != "" {
		parts := strings.SplitN(sourceARN, ":", 6)
		if len(parts) < 5 || parts[4] != st.SourceAccount {
			return false
		}
	}
	return true
}

// wildcardMatch matches s against an IAM pattern with * and ?.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
