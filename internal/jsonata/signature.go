package jsonata

import (
	"strconv"
	"strings"
)

// signature is a parsed function signature such as <s-nn?:s>.
type signature struct {
	params []sigParam
	raw    string
}

type sigParam struct {
	set     string // argument type symbols accepted
	typ     byte   // declared type letter, '(' for a choice
	opt     bool
	plus    bool
	context bool
	subtype string // for a<...>
}

// parseSignature parses the text between and including the angle brackets.
func parseSignature(raw string, pos int) (*signature, error) {
	sig := &signature{raw: raw}
	s := raw[1 : len(raw)-1]
	bad := func() error {
		return &Error{Code: "S0401", Position: pos, Value: raw, Message: messages["S0401"]}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ':':
			return sig, nil // return type is not checked
		case 's', 'n', 'b', 'l', 'o', 'f':
			sig.params = append(sig.params, sigParam{set: string(c) + "m", typ: c})
		case 'a', 'x':
			sig.params = append(sig.params, sigParam{set: "asnblfom", typ: c})
		case 'j':
			sig.params = append(sig.params, sigParam{set: "asnblom", typ: c})
		case 'u':
			sig.params = append(sig.params, sigParam{set: "snblm", typ: c})
		case '(':
			end := strings.IndexByte(s[i:], ')')
			if end < 0 {
				return nil, bad()
			}
			inner := s[i+1 : i+end]
			if strings.Contains(inner, "<") {
				return nil, &Error{Code: "S0402", Position: pos, Value: raw, Message: messages["S0402"]}
			}
			set := inner
			if strings.ContainsAny(inner, "ax") {
				set = "asnblfom"
			}
			sig.params = append(sig.params, sigParam{set: set + "m", typ: '('})
			i += end
		case '<':
			if len(sig.params) == 0 {
				return nil, bad()
			}
			p := &sig.params[len(sig.params)-1]
			if p.typ != 'a' && p.typ != 'f' {
				return nil, bad()
			}
			depth := 0
			j := i
			for ; j < len(s); j++ {
				if s[j] == '<' {
					depth++
				} else if s[j] == '>' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j >= len(s) {
				return nil, bad()
			}
			if p.typ == 'a' {
				p.subtype = s[i+1 : j]
			}
			i = j
		case '?':
			if len(sig.params) == 0 {
				return nil, bad()
			}
			sig.params[len(sig.params)-1].opt = true
		case '+':
			if len(sig.params) == 0 {
				return nil, bad()
			}
			sig.params[len(sig.params)-1].plus = true
		case '-':
			if len(sig.params) == 0 {
				return nil, bad()
			}
			p := &sig.params[len(sig.params)-1]
			p.context = true
			p.opt = true
		case ' ':
		default:
			return nil, bad()
		}
	}
	return sig, nil
}

func symbolOf(v any) byte {
	switch v.(type) {
	case callable:
		return 'f'
	case string:
		return 's'
	case float64:
		return 'n'
	case bool:
		return 'b'
	case nil:
		return 'l'
	case *seqv, []any:
		return 'a'
	case *Object, map[string]any:
		return 'o'
	}
	return 'm'
}

// match assigns symbols to params greedily with backtracking, like the
// regular expression the reference builds. counts receives how many
// symbols each param took. If full, all symbols must be consumed.
func (sig *signature) match(syms string, pi, si int, counts []int, full bool) (int, bool) {
	if pi == len(sig.params) {
		if full && si != len(syms) {
			return 0, false
		}
		return si, true
	}
	p := sig.params[pi]
	max := 1
	if p.plus {
		max = len(syms) - si
	}
	n := 0
	for n < max && si+n < len(syms) && strings.IndexByte(p.set, syms[si+n]) >= 0 {
		n++
	}
	min := 1
	if p.opt {
		min = 0
	}
	for k := n; k >= min; k-- {
		counts[pi] = k
		if end, ok := sig.match(syms, pi+1, si+k, counts, full); ok {
			return end, true
		}
	}
	return 0, false
}

func argMessage(code, name string, idx int, subtype byte) string {
	m := messages[code]
	m = strings.ReplaceAll(m, "{{token}}", quote(name))
	m = strings.ReplaceAll(m, "{{index}}", strconv.Itoa(idx))
	m = strings.ReplaceAll(m, "{{type}}", quote(arrayTypeNames[subtype]))
	return m
}

// arrayTypeNames names array subtypes in T0412 messages, as the reference does.
var arrayTypeNames = map[byte]string{'a': "arrays", 'b': "booleans", 'f': "functions", 'n': "numbers", 'o': "objects", 's': "strings"}

func sigError(code, name string, v any, idx int) *Error {
	return sigErrorType(code, name, v, idx, 0)
}

func sigErrorType(code, name string, v any, idx int, subtype byte) *Error {
	return &Error{Code: code, Position: -1, Token: name, Value: v, Value2: argIndex(idx), Message: argMessage(code, name, idx, subtype), subtype: subtype}
}

// validate checks args against the signature and returns the arguments to
// pass: the context filled in for a missing '-' parameter, single values
// wrapped for array parameters.
func (sig *signature) validate(args []any, context any, name string) ([]any, error) {
	var sb [8]byte
	syms := sb[:0]
	for _, a := range args {
		syms = append(syms, symbolOf(a))
	}
	counts := make([]int, len(sig.params))
	if _, ok := sig.match(string(syms), 0, 0, counts, true); !ok {
		// find the first argument that does not fit
		goodTo := 0
		for i := range sig.params {
			sub := &signature{params: sig.params[:i+1]}
			end, ok := sub.match(string(syms), 0, 0, make([]int, i+1), false)
			if !ok {
				break
			}
			goodTo = end
		}
		var v any = undef
		if goodTo < len(args) {
			v = args[goodTo]
		}
		return nil, sigError("T0410", name, v, goodTo+1)
	}
	out := make([]any, 0, len(sig.params))
	ai := 0
	for pi, p := range sig.params {
		if counts[pi] == 0 {
			if p.context {
				if strings.IndexByte(p.set, symbolOf(context)) < 0 {
					return nil, sigError("T0411", name, context, ai+1)
				}
				if s, ok := context.(*seqv); ok && s.outerWrapper && len(s.a) == 1 {
					context = s.a[0]
				}
				out = append(out, context)
			} else {
				var a any = undef
				if ai < len(args) {
					a = args[ai]
				}
				out = append(out, a)
				ai++
			}
			continue
		}
		for k := 0; k < counts[pi]; k++ {
			a := arg(args, ai)
			if p.typ == 'a' {
				s := symbolOf(a)
				if s == 'm' {
					a = undef
				} else {
					ok := true
					if p.subtype != "" {
						if s != 'a' && string(s) != p.subtype {
							ok = false
						} else if s == 'a' {
							items, _ := asArray(a)
							if len(items) > 0 {
								first := symbolOf(items[0])
								if first != p.subtype[0] {
									ok = false
								} else {
									for _, it := range items {
										if symbolOf(it) != first {
											ok = false
											break
										}
									}
								}
							}
						}
					}
					if !ok {
						return nil, sigErrorType("T0412", name, a, ai+1, p.subtype[0])
					}
					if s != 'a' {
						a = &seqv{a: []any{a}}
					}
				}
			}
			out = append(out, a)
			ai++
		}
	}
	return out, nil
}
