package sfn

import (
	"encoding/binary"
	"errors"

	"tenkai/internal/store"
)

// History is kept in batches: one store value per write, keyed by the id of
// its first event, holding (uvarint id, uvarint length, event JSON) records.
// A fast execution writes its whole history with one Put.

var errBadBatch = errors.New("sfn: corrupt history batch")

func appendBatch(b []byte, evs []pendingEvent) []byte {
	for _, e := range evs {
		b = binary.AppendUvarint(b, uint64(e.id))
		b = binary.AppendUvarint(b, uint64(len(e.raw)))
		b = append(b, e.raw...)
	}
	return b
}

func decodeBatch(v []byte, fn func(id int64, raw []byte)) error {
	for len(v) > 0 {
		id, n := binary.Uvarint(v)
		if n <= 0 {
			return errBadBatch
		}
		v = v[n:]
		l, n := binary.Uvarint(v)
		if n <= 0 || uint64(len(v)-n) < l {
			return errBadBatch
		}
		fn(int64(id), v[n:n+int(l)])
		v = v[n+int(l):]
	}
	return nil
}

func putEvents(tx store.Tx, arn string, evs []pendingEvent) error {
	if len(evs) == 0 {
		return nil
	}
	return tx.Bucket(historyBucket(arn)).Put(eventKey(evs[0].id), appendBatch(nil, evs))
}

// readHistory returns an execution's events in id order. Raw slices are
// copies, valid after the transaction.
func readHistory(tx store.Tx, arn string) ([]pendingEvent, error) {
	var evs []pendingEvent
	var err error
	tx.Bucket(historyBucket(arn)).Scan(nil, nil, false, func(k, v []byte) bool {
		err = decodeBatch(v, func(id int64, raw []byte) {
			// Later writes of an id (a resume re-recording it) replace earlier ones.
			for len(evs) > 0 && evs[len(evs)-1].id >= id {
				evs = evs[:len(evs)-1]
			}
			evs = append(evs, pendingEvent{id, append([]byte(nil), raw...)})
		})
		return err == nil
	})
	return evs, err
}

// truncateHistory drops events after id keep (a resume records them again).
func truncateHistory(tx store.Tx, arn string, keep int64) error {
	evs, err := readHistory(tx, arn)
	if err != nil {
		return err
	}
	if err := tx.DeleteBucket(historyBucket(arn)); err != nil {
		return err
	}
	n := 0
	for n < len(evs) && evs[n].id <= keep {
		n++
	}
	return putEvents(tx, arn, evs[:n])
}

// lastEventID is the id of an execution's last event.
func lastEventID(tx store.Tx, arn string) (int64, error) {
	var last int64
	var err error
	tx.Bucket(historyBucket(arn)).Scan(nil, nil, true, func(k, v []byte) bool {
		err = decodeBatch(v, func(id int64, _ []byte) {
			if id > last {
				last = id
			}
		})
		return false
	})
	return last, err
}
