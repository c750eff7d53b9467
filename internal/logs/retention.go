package logs

import (
	"context"
	"strings"

	"tenkai/internal/store"
)

// PurgeExpired deletes the events that are older than their group's
// retention and updates the streams' first timestamps and stored bytes.
// Reads already hide such events; this reclaims their space.
func (s *Service) PurgeExpired(ctx context.Context) error {
	type target struct{ account, region, group string }
	var targets []target
	now := s.nowMillis()
	err := s.st.View(func(tx store.Tx) error {
		var names []string
		tx.BucketNames("logs/groups/", func(n string) bool { names = append(names, n); return true })
		for _, n := range names {
			ar := strings.SplitN(strings.TrimPrefix(n, "logs/groups/"), "/", 2)
			if len(ar) != 2 {
				continue
			}
			tx.Bucket(n).Scan(nil, nil, false, func(k, v []byte) bool {
				if g, err := decodeGroup(v); err == nil && g.Retention > 0 {
					targets = append(targets, target{ar[0], ar[1], string(k)})
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.purgeGroup(t.account, t.region, t.group, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) purgeGroup(account, region, group string, now int64) error {
	return s.st.Update(func(tx store.Tx) error {
		g, err := getGroup(tx, account, region, group)
		if err != nil || g.Retention <= 0 {
			return nil // deleted or changed since the listing
		}
		cut := retentionCut(now, g.Retention)
		sb := tx.Bucket(streamsBucket(account, region, group))
		eb := tx.Bucket(eventsBucket(account, region, group))
		type update struct {
			name string
			sm   streamMeta
		}
		var updates []update
		var scanErr error
		sb.Scan(nil, nil, false, func(k, v []byte) bool {
			sm, err := decodeStream(v)
			if err != nil {
				scanErr = err
				return false
			}
			if sm.Seq == 0 || sm.First >= cut {
				return true
			}
			var keys [][]byte
			var freed int64
			eb.Scan(eventKey(sm.ID, pos{}), eventKey(sm.ID, pos{TS: cut}), false, func(ek, ev []byte) bool {
				keys = append(keys, append([]byte(nil), ek...))
				freed += int64(len(ev) - 8 + 26)
				return true
			})
			for _, ek := range keys {
				if err := eb.Delete(ek); err != nil {
					scanErr = err
					return false
				}
			}
			sm.StoredBytes = max(sm.StoredBytes-freed, 0)
			sm.First = cut
			eb.Scan(streamPrefix(sm.ID), store.PrefixEnd(streamPrefix(sm.ID)), false, func(ek, _ []byte) bool {
				_, p := decodeKey(ek)
				sm.First = p.TS
				return false
			})
			updates = append(updates, update{string(k), sm})
			return true
		})
		if scanErr != nil {
			return scanErr
		}
		for _, u := range updates {
			if err := sb.Put([]byte(u.name), u.sm.encode(nil)); err != nil {
				return err
			}
		}
		return nil
	})
}
