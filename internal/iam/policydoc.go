package iam

import (
	"encoding/json"
	"strings"
	"unicode"
)

// CheckPolicy checks that doc is an identity-based policy (inline or
// managed) IAM would accept: valid JSON, an object whose Statement holds one
// or more statements, each with an Effect, actions and resources and no
// principal, and a known Version when one is given. It does not check the
// actions, resources or conditions themselves.
func CheckPolicy(doc string) error { return checkPolicy(doc, false) }

// CheckTrustPolicy checks a role trust policy as IAM does: like CheckPolicy,
// except that statements name a principal and no resources.
func CheckTrustPolicy(doc string) error { return checkPolicy(doc, true) }

func checkPolicy(doc string, trust bool) error {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return malformedPolicy("This policy contains invalid Json")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return malformedPolicy("Syntax errors in policy.")
	}
	if ver, ok := obj["Version"]; ok {
		if s, _ := ver.(string); s != "2012-10-17" && s != "2008-10-17" {
			return malformedPolicy("The policy failed legacy parsing")
		}
	}
	switch st := obj["Statement"].(type) {
	case map[string]any:
		return checkStatement(st, trust)
	case []any:
		if len(st) == 0 {
			return malformedPolicy("Syntax errors in policy.")
		}
		for _, s := range st {
			m, ok := s.(map[string]any)
			if !ok {
				return malformedPolicy("Syntax errors in policy.")
			}
			if err := checkStatement(m, trust); err != nil {
				return err
			}
		}
		return nil
	}
	return malformedPolicy("Syntax errors in policy.")
}

// checkStatement applies IAM's per-statement rules, with its messages.
func checkStatement(st map[string]any, trust bool) error {
	eff, ok := st["Effect"]
	if !ok {
		return malformedPolicy("Syntax errors in policy.")
	}
	if s, _ := eff.(string); s != "Allow" && s != "Deny" {
		return malformedPolicy("Syntax errors in policy.")
	}
	_, principal := st["Principal"]
	_, notPrincipal := st["NotPrincipal"]
	_, action := st["Action"]
	_, notAction := st["NotAction"]
	if trust {
		for _, f := range []string{"Resource", "NotResource"} {
			if _, ok := st[f]; ok {
				return malformedPolicy("Has prohibited field " + f)
			}
		}
		if !principal && !notPrincipal {
			return malformedPolicy("Missing required field Principal")
		}
	} else if principal || notPrincipal {
		return malformedPolicy("Policy document should not specify a principal.")
	}
	if !action && !notAction {
		return malformedPolicy("Policy statement must contain actions.")
	}
	if trust {
		return nil
	}
	_, resource := st["Resource"]
	_, notResource := st["NotResource"]
	if !resource && !notResource {
		return malformedPolicy("Policy statement must contain resources.")
	}
	return nil
}

// policySize is the size IAM counts against policy quotas: characters,
// not counting white space.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// EscapeDocument percent-encodes a policy document as IAM returns it: every
// byte except RFC 3986 unreserved characters becomes %XX. Clients (the aws CLI,
// boto3) unquote it; SDKs hand it to the caller as is.
func EscapeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// trusts reports whether a trust policy lets service (e.g.
// "lambda.amazonaws.com") assume the role: some Allow statement names the
// service or "*" as principal and allows sts:AssumeRole. Conditions are not
// evaluated, and a Deny for the service wins.
func trusts(doc, service string) bool {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		stmts = append(stmts, one)
	}
	allowed := false
	for _, st := range stmts {
		var effect string
		_ = json.Unmarshal(st["Effect"], &effect)
		if !namesService(st["Principal"], service) || !matchesAction(st["Action"], "sts:AssumeRole") {
			continue
		}
		switch effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// namesService reports whether a Principal element covers service.
func namesService(raw json.RawMessage, service string) bool {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return star == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	return contains(stringOrList(m["Service"]), service) || contains(stringOrList(m["AWS"]), "*")
}

// matchesAction reports whether an Action element covers action, with IAM's
// case-insensitive names and * wildcards.
func matchesAction(raw json.RawMessage, action string) bool {
	for _, a := range stringOrList(raw) {
		if wildcardMatch(strings.ToLower(a), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// wildcardMatch matches s against a pattern where * is any run and ? one
// byte. It backtracks only to the last star, so it runs in O(len(pattern) *
// len(s)) however many stars the pattern has.
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
