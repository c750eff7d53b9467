package sfn

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"

	"tenkai/internal/edge"
)

func defaultRand() float64 { return rand.Float64() }

// resource is a parsed Step Functions ARN:
// arn:aws:states:REGION:ACCOUNT:stateMachine:NAME[:VERSION|:ALIAS],
// arn:aws:states:REGION:ACCOUNT:execution:SM:NAME and
// arn:aws:states:REGION:ACCOUNT:express:SM:NAME:ID.
type resource struct {
	Region, Account string
	Kind            string // "stateMachine", "execution", "express"
	Machine         string
	Version         int    // a version ARN's number
	Alias           string // an alias ARN's name
	Exec            string // execution name
	ExpressID       string
}

func smARN(region, account, name string) string {
	return "arn:aws:states:" + region + ":" + account + ":stateMachine:" + name
}

func execARN(region, account, sm, name string) string {
	return "arn:aws:states:" + region + ":" + account + ":execution:" + sm + ":" + name
}

func expressARN(region, account, sm, name, id string) string {
	return "arn:aws:states:" + region + ":" + account + ":express:" + sm + ":" + name + ":" + id
}

// MachineARN is the unqualified state machine ARN.
func (r *resource) MachineARN() string { return smARN(r.Region, r.Account, r.Machine) }

func invalidARN(arn string) *edge.Error {
	return edge.Errorf("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
}

func malformedARN(arn string) *edge.Error {
	return edge.Errorf("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: %s'", arn)
}

// parseARN splits a Step Functions ARN.
func parseARN(arn string) (*resource, error) {
	p := strings.Split(arn, ":")
	if len(p) < 7 || p[0] != "arn" || p[2] != "states" || p[3] == "" || p[4] == "" {
		return nil, malformedARN(arn)
	}
	r := &resource{Region: p[3], Account: p[4], Kind: p[5]}
	switch r.Kind {
	case "stateMachine":
		r.Machine = p[6]
		switch len(p) {
		case 7:
		case 8:
			if n, err := strconv.Atoi(p[7]); err == nil && n > 0 && p[7][0] != '0' {
				r.Version = n
			} else if validName(p[7]) && !isDigits(p[7]) {
				r.Alias = p[7]
			} else {
				return nil, invalidARN(arn)
			}
		default:
			return nil, invalidARN(arn)
		}
	case "execution":
		if len(p) != 8 {
			return nil, invalidARN(arn)
		}
		r.Machine, r.Exec = p[6], p[7]
	case "express":
		if len(p) != 9 {
			return nil, invalidARN(arn)
		}
		r.Machine, r.Exec, r.ExpressID = p[6], p[7], p[8]
	default:
		return nil, invalidARN(arn)
	}
	if r.Machine == "" {
		return nil, invalidARN(arn)
	}
	return r, nil
}

// parseMachineARN accepts only state machine ARNs (optionally qualified).
func parseMachineARN(arn string) (*resource, error) {
	if arn == "" {
		return nil, edge.MissingMember("stateMachineArn")
	}
	r, err := parseARN(arn)
	if err != nil {
		return nil, err
	}
	if r.Kind != "stateMachine" {
		return nil, invalidARN(arn)
	}
	return r, nil
}

// parseExecARN accepts only execution ARNs.
func parseExecARN(arn string) (*resource, error) {
	if arn == "" {
		return nil, edge.MissingMember("executionArn")
	}
	r, err := parseARN(arn)
	if err != nil {
		return nil, err
	}
	if r.Kind != "execution" && r.Kind != "express" {
		return nil, invalidARN(arn)
	}
	return r, nil
}

// validName applies AWS's rules for state machine, execution and alias
// names: 1-80 characters, no white space, brackets, wildcards, the special
// characters " # % \ ^ | ~ ` $ & , ; : / or control characters.
func validName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 80 || !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		switch {
		case c <= 0x20, c >= 0x7f && c <= 0x9f:
			return false
		case strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", c):
			return false
		case c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000:
			return false
		}
	}
	return true
}

func invalidName(name string) *edge.Error {
	return edge.Errorf("InvalidName", "Invalid Name: '%s'", name)
}

// checkRoleARN accepts IAM role ARNs as CreateStateMachine does.
func checkRoleARN(arn string) error {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "iam" || !strings.HasPrefix(p[5], "role/") || len(p[5]) <= len("role/") {
		return edge.Errorf("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	return nil
}
