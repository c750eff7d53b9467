package events

import (
	"time"

	"tenkai/internal/edge"
)

// epoch returns t for the wire, or nil when unset.
func epoch(t time.Time) *edge.Epoch {
	if t.IsZero() {
		return nil
	}
	e := edge.Epoch(t)
	return &e
}

func scopeKey(acct, region, bus string) string { return acct + "|" + region + "|" + bus }
