package events

import (
	"encoding/json"
	"strings"
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

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func hasPrefix(s, p string) bool { return strings.HasPrefix(s, p) }

func scopeKey(acct, region, bus string) string { return acct + "|" + region + "|" + bus }
