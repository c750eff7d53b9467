package secretsmanager

import (
	"context"
	"strings"
)

// GetRandomPasswordInput is the GetRandomPassword request.
type GetRandomPasswordInput struct {
	PasswordLength          *int64
	ExcludeCharacters       string
	ExcludeNumbers          bool
	ExcludePunctuation      bool
	ExcludeUppercase        bool
	ExcludeLowercase        bool
	IncludeSpace            bool
	RequireEachIncludedType *bool
}

// GetRandomPasswordOutput is the GetRandomPassword answer.
type GetRandomPasswordOutput struct{ RandomPassword string }

// The character classes of GetRandomPassword; punctuation is the printable
// ASCII symbols.
const (
	lowers      = "abcdefghijklmnopqrstuvwxyz"
	uppers      = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits      = "0123456789"
	punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// GetRandomPassword returns a random password: 32 characters by default,
// with at least one of each included class unless RequireEachIncludedType
// is false.
func (s *Service) GetRandomPassword(ctx context.Context, in *GetRandomPasswordInput) (*GetRandomPasswordOutput, error) {
	n := int64(32)
	if in.PasswordLength != nil {
		n = *in.PasswordLength
	}
	if n < 1 || n > 4096 {
		return nil, errConstraint(n, "passwordLength", "Member must have value less than or equal to 4096")
	}
	var classes []string
	add := func(skip bool, set string) {
		if skip {
			return
		}
		set = strings.Map(func(r rune) rune {
			if strings.ContainsRune(in.ExcludeCharacters, r) {
				return -1
			}
			return r
		}, set)
		if set != "" {
			classes = append(classes, set)
		}
	}
	add(in.ExcludeLowercase, lowers)
	add(in.ExcludeUppercase, uppers)
	add(in.ExcludeNumbers, digits)
	add(in.ExcludePunctuation, punctuation)
	add(!in.IncludeSpace, " ")
	if len(classes) == 0 {
		return nil, errParam("The password can't be generated: every character is excluded.")
	}
	each := in.RequireEachIncludedType == nil || *in.RequireEachIncludedType
	if each && int(n) < len(classes) {
		return nil, errParam("The password length is too short to include a character of each included type.")
	}
	all := strings.Join(classes, "")
	for {
		p, err := s.pick(all, int(n))
		if err != nil {
			return nil, err
		}
		if !each || hasEach(p, classes) {
			return &GetRandomPasswordOutput{RandomPassword: p}, nil
		}
	}
}

func hasEach(p string, classes []string) bool {
	for _, c := range classes {
		if !strings.ContainsAny(p, c) {
			return false
		}
	}
	return true
}
