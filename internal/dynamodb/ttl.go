package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"tenkai/internal/clock"
	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type ttlSpec struct {
	Enabled       *bool  `json:"Enabled"`
	AttributeName string `json:"AttributeName"`
}

type updateTTLInput struct {
	TableName               string   `json:"TableName"`
	TimeToLiveSpecification *ttlSpec `json:"TimeToLiveSpecification"`
}

type ttlSpecOut struct {
	Enabled       bool   `json:"Enabled"`
	AttributeName string `json:"AttributeName"`
}

func (s *Service) updateTimeToLive(ctx context.Context, sc scope, body []byte) (map[string]ttlSpecOut, error) {
	var in updateTTLInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name := tableName(in.TableName)
	if name == "" {
		return nil, edge.MissingMember("tableName")
	}
	spec := in.TimeToLiveSpecification
	if spec == nil {
		return nil, edge.MissingMember("timeToLiveSpecification")
	}
	if spec.Enabled == nil {
		return nil, edge.MissingMember("timeToLiveSpecification.enabled")
	}
	if spec.AttributeName == "" {
		return nil, edge.MissingMember("timeToLiveSpecification.attributeName")
	}
	err := s.st.Update(func(tx store.Tx) error {
		m, err := getMeta(tx, sc, name)
		if err != nil {
			return err
		}
		if m == nil {
			return errNotFound()
		}
		if *spec.Enabled && m.TTLEnabled {
			return validation("TimeToLive is already enabled")
		}
		if !*spec.Enabled {
			if !m.TTLEnabled {
				return validation("TimeToLive is already disabled")
			}
			if m.TTLAttribute != spec.AttributeName {
				return validation("TimeToLive attribute name does not match the existing attribute name")
			}
		}
		m.TTLEnabled, m.TTLAttribute = *spec.Enabled, spec.AttributeName
		if err := tx.DeleteBucket(ttlBucketName(sc, *m)); err != nil {
			return err
		}
		if m.TTLEnabled {
			if err := backfillTTL(tx, s.newTable(sc, *m)); err != nil {
				return err
			}
		}
		return putMeta(tx, sc, m)
	})
	s.forget(sc, name)
	if err != nil {
		return nil, err
	}
	return map[string]ttlSpecOut{"TimeToLiveSpecification": {Enabled: *spec.Enabled, AttributeName: spec.AttributeName}}, nil
}

type ttlDesc struct {
	TimeToLiveStatus string `json:"TimeToLiveStatus"`
	AttributeName    string `json:"AttributeName,omitempty"`
}

func (s *Service) describeTimeToLive(ctx context.Context, sc scope, body []byte) (map[string]ttlDesc, error) {
	var in tableNameInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	t, err := s.itemTable(sc, tableName(in.TableName))
	if err != nil {
		return nil, err
	}
	d := ttlDesc{TimeToLiveStatus: "DISABLED"}
	if t.meta.TTLEnabled {
		d = ttlDesc{TimeToLiveStatus: "ENABLED", AttributeName: t.meta.TTLAttribute}
	}
	return map[string]ttlDesc{"TimeToLiveDescription": d}, nil
}

func (s *Service) reaper(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		if err := clock.Sleep(ctx, s.clk, s.reap); err != nil {
			return
		}
		if err := s.ReapExpired(ctx); err != nil {
			s.log.Warn("dynamodb: delete expired items", "err", err)
		}
		if err := s.TrimStreams(ctx); err != nil {
			s.log.Warn("dynamodb: trim streams", "err", err)
		}
		if err := s.ExpireTokens(ctx); err != nil {
			s.log.Warn("dynamodb: expire idempotency tokens", "err", err)
		}
	}
}

// ttlHorizon is how far in the past a TTL may lie and still expire an item:
// DynamoDB ignores expiry times more than five years old.
const ttlHorizon = 5 * 365 * 24 * 3600

// ReapExpired deletes every item whose TTL attribute (epoch seconds) is in
// the past, in tables with TTL enabled, as DynamoDB's background process
// does.
func (s *Service) ReapExpired(ctx context.Context) error {
	type target struct {
		sc   scope
		meta tableMeta
	}
	var targets []target
	sg := s.viewGen()
	err := s.st.View(func(tx store.Tx) error {
		var names []string
		tx.BucketNames(metaBucketPrefix, func(name string) bool {
			names = append(names, name)
			return true
		})
		for _, bn := range names {
			acct, region, ok := strings.Cut(strings.TrimPrefix(bn, metaBucketPrefix), "/")
			if !ok {
				continue
			}
			var ferr error
			tx.Bucket(bn).Scan(nil, nil, false, func(k, v []byte) bool {
				var m tableMeta
				if ferr = json.Unmarshal(v, &m); ferr != nil {
					return false
				}
				if m.TTLEnabled {
					targets = append(targets, target{scope{acct, region}, m})
				}
				return true
			})
			if ferr != nil {
				return ferr
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	now := s.clk.Now().Unix()
	for _, tg := range targets {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t := s.newTable(tg.sc, tg.meta)
		t.streamGen = sg
		if err := s.reapTable(t, now); err != nil {
			return err
		}
	}
	return nil
}

// reapTable deletes the items of t whose TTL lies in (now - 5 years, now].
// Candidates come from a range scan of the TTL bucket in a read
// transaction; the write transaction checks each again, in case it changed
// in between.
func (s *Service) reapTable(t *table, now int64) error {
	from, _ := attr.AppendKey(nil, attr.MustN(strconv.FormatInt(now-ttlHorizon, 10)))
	upTo, _ := attr.AppendKey(nil, attr.MustN(strconv.FormatInt(now, 10)))
	to := attr.PrefixEnd(upTo)
	var keys [][]byte
	err := s.st.View(func(tx store.Tx) error {
		var ferr error
		tx.Bucket(t.ttlBucket).Scan(from, to, false, func(k, _ []byte) bool {
			_, key, err := attr.DecodeKey(attr.TypeN, k)
			if err != nil {
				ferr = fmt.Errorf("decode TTL entry: %w", err)
				return false
			}
			keys = append(keys, append([]byte(nil), key...))
			return len(keys) < 10000 // the rest wait for the next round
		})
		return ferr
	})
	if err != nil || len(keys) == 0 {
		return err
	}
	return s.st.Update(func(tx store.Tx) error {
		if m, err := getMeta(tx, t.sc, t.meta.Name); err != nil || m == nil || m.ID != t.meta.ID || !m.TTLEnabled || m.TTLAttribute != t.meta.TTLAttribute {
			return err // the table changed; the next round sees it anew
		}
		b := tx.Bucket(t.bucket)
		for _, k := range keys {
			it, err := decodeStored(b.Get(k))
			if err != nil {
				return err
			}
			if it == nil || !expired(it[t.meta.TTLAttribute], now) {
				continue
			}
			if err := t.writeBy(tx, k, it, nil, nil, true); err != nil {
				return err
			}
		}
		return nil
	})
}

// expired reports whether a TTL value (epoch seconds) has passed at now;
// DynamoDB ignores TTLs more than five years in the past.
func expired(v attr.Value, now int64) bool {
	if v.Type() != attr.TypeN {
		return false
	}
	f, ok := new(big.Float).SetString(v.Num())
	if !ok {
		return false
	}
	return f.Cmp(big.NewFloat(float64(now))) <= 0 && f.Cmp(big.NewFloat(float64(now-ttlHorizon))) >= 0
}

// backfillTTL fills a new TTL bucket from the table's items.
func backfillTTL(tx store.Tx, t *table) error {
	var entries [][]byte
	var ferr error
	tx.Bucket(t.bucket).Scan(nil, nil, false, func(k, v []byte) bool {
		it, err := decodeStored(v)
		if err != nil {
			ferr = err
			return false
		}
		if tk, ok := t.ttlKey(it, k); ok {
			entries = append(entries, tk)
		}
		return true
	})
	if ferr != nil {
		return ferr
	}
	b := tx.Bucket(t.ttlBucket)
	for _, e := range entries {
		if err := b.Put(e, []byte{}); err != nil {
			return err
		}
	}
	return nil
}
