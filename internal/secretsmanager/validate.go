package secretsmanager

import (
	"fmt"
	"io"

	"tenkai/internal/edge"
)

// checkName applies Secrets Manager's naming rules: 1 to 512 ASCII letters,
// digits and /_+=.@- characters.
func checkName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return errConstraint(name, "name", "Member must have length less than or equal to 512")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '_' || c == '+' || c == '=' || c == '.' || c == '@' || c == '-') {
			return errParam("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
		}
	}
	return nil
}

// checkValue checks a secret value and version token.
func checkValue(str *string, bin []byte, token *string) error {
	if str != nil && bin != nil {
		return errParam("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	if str != nil && (len(*str) < 1 || len(*str) > 65536) {
		return errConstraint("***", "secretString", "Member must have length less than or equal to 65536")
	}
	if bin != nil && (len(bin) < 1 || len(bin) > 65536) {
		return errConstraint("***", "secretBinary", "Member must have length less than or equal to 65536")
	}
	if token != nil && (len(*token) < 32 || len(*token) > 64) {
		return errConstraint(*token, "clientRequestToken", "Member must have length greater than or equal to 32")
	}
	return nil
}

func checkTags(tags []Tag) error {
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return errConstraint(t.Key, "tags.member.key", "Member must have length less than or equal to 128")
		}
		if len(t.Value) > 256 {
			return errConstraint(t.Value, "tags.member.value", "Member must have length less than or equal to 256")
		}
	}
	return nil
}

// mergeTags adds or replaces tags, keeping the order they were first given.
func mergeTags(have, add []Tag) []Tag {
	for _, t := range add {
		replaced := false
		for i := range have {
			if have[i].Key == t.Key {
				have[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			have = append(have, t)
		}
	}
	return have
}

// arn builds a secret's ARN: the name, "-" and six random characters, so a
// secret created again under an old name gets a new ARN.
func arn(account, region, name, suffix string) string {
	return "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + name + "-" + suffix
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (s *Service) suffix() (string, error) { return s.pick(alnum, 6) }

// pick returns n characters drawn uniformly from set (at most 256 long).
func (s *Service) pick(set string, n int) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, min(2*n, 4096))
	limit := 256 - 256%len(set) // bytes past the last full cycle are dropped, so no character is favoured
	s.rndMu.Lock()
	defer s.rndMu.Unlock()
	for len(out) < n {
		if _, err := io.ReadFull(s.rnd, buf); err != nil {
			return "", fmt.Errorf("read random source: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, set[int(b)%len(set)])
			}
		}
	}
	return string(out), nil
}

// token returns the version id a request names, or a new one.
func (s *Service) token(t *string) string {
	if t != nil {
		return *t
	}
	return s.newID()
}

var _ edge.JSONService = (*Service)(nil)
