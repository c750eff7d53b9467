package engine

import (
	"context"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"sync"

	"tenkai/internal/jsonata"
	"tenkai/internal/sfn/asl"
)

// jsonataFuncs returns Step Functions' functions added to JSONata:
// $partition, $range, $hash, $random, $uuid and $parse.
func (e *Engine) jsonataFuncs() map[string]jsonata.Function {
	e.fnOnce.Do(func() {
		e.fns = map[string]jsonata.Function{
			"partition": {Fn: func(_ context.Context, args []any) (any, error) {
				if len(args) != 2 {
					return nil, errors.New("$partition expects an array and a chunk size")
				}
				a, ok := args[0].([]any)
				n, ok2 := asl.ToFloat(args[1])
				if !ok || !ok2 || n < 1 || n != math.Trunc(n) {
					return nil, errors.New("$partition expects an array and a positive integer chunk size")
				}
				out := []any{}
				for i := 0; i < len(a); i += int(n) {
					out = append(out, append([]any{}, a[i:min(i+int(n), len(a))]...))
				}
				return out, nil
			}},
			"range": {Fn: func(_ context.Context, args []any) (any, error) {
				if len(args) != 3 {
					return nil, errors.New("$range expects start, end and step")
				}
				s, ok1 := asl.ToFloat(args[0])
				en, ok2 := asl.ToFloat(args[1])
				st, ok3 := asl.ToFloat(args[2])
				if !ok1 || !ok2 || !ok3 || st == 0 {
					return nil, errors.New("$range expects numbers and a non-zero step")
				}
				out := []any{}
				for i := s; st > 0 && i <= en || st < 0 && i >= en; i += st {
					out = append(out, i)
					if len(out) > 1000 {
						return nil, errors.New("$range produces at most 1000 items")
					}
				}
				return out, nil
			}},
			"hash": {Fn: func(_ context.Context, args []any) (any, error) {
				if len(args) != 2 {
					return nil, errors.New("$hash expects a value and an algorithm")
				}
				algo, _ := args[1].(string)
				h := hasher(algo)
				if h == nil {
					return nil, errors.New("$hash: unsupported algorithm " + algo)
				}
				s, ok := args[0].(string)
				if !ok {
					s = encode(args[0])
				}
				h.Write([]byte(s))
				return hex.EncodeToString(h.Sum(nil)), nil
			}},
			"random": {Fn: func(_ context.Context, args []any) (any, error) {
				if len(args) > 0 && !jsonata.IsUndefined(args[0]) {
					seed, ok := asl.ToFloat(args[0])
					if !ok {
						return nil, errors.New("$random: the seed must be a number")
					}
					return rand.New(rand.NewPCG(uint64(int64(seed)), 0)).Float64(), nil
				}
				return e.random(), nil
			}},
			"uuid": {Fn: func(_ context.Context, args []any) (any, error) {
				return newUUID(e.random), nil
			}},
			"parse": {Fn: func(_ context.Context, args []any) (any, error) {
				if len(args) != 1 {
					return nil, errors.New("$parse expects one string")
				}
				s, ok := args[0].(string)
				if !ok {
					return nil, errors.New("$parse expects a string")
				}
				v, err := asl.DecodeJSON([]byte(s))
				if err != nil {
					return nil, errors.New("$parse: invalid JSON: " + err.Error())
				}
				return toJSONata(v), nil
			}},
		}
	})
	return e.fns
}

// fnState is embedded in Engine for the lazily built function table.
type fnState struct {
	fnOnce sync.Once
	fns    map[string]jsonata.Function
}
