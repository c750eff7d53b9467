package dynamodb

import (
	"encoding/json"
	"math"
	"strconv"

	"tenkai/internal/dynamodb/attr"
)

// jsonOut builds a response object by appending members, so items go
// straight from attr's encoder (or the store) into the body without a
// round trip through encoding/json.
type jsonOut struct{ b []byte }

func newOut(capacity int) *jsonOut {
	o := &jsonOut{b: make([]byte, 1, capacity)}
	o.b[0] = '{'
	return o
}

func (o *jsonOut) key(k string) {
	if len(o.b) > 1 {
		o.b = append(o.b, ',')
	}
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *jsonOut) item(k string, it attr.Item) {
	o.key(k)
	o.b = attr.AppendItemJSON(o.b, it)
}

func (o *jsonOut) raw(k string, v []byte) {
	o.key(k)
	o.b = append(o.b, v...)
}

func (o *jsonOut) int(k string, n int) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, int64(n), 10)
}

func (o *jsonOut) any(k string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("null")
	}
	o.raw(k, b)
}

func (o *jsonOut) done() json.RawMessage {
	return json.RawMessage(append(o.b, '}'))
}

// Capacity accounting: 1 WCU per 1 KB written, 1 RCU per 4 KB read
// strongly consistent, half that eventually consistent (developer guide,
// "Read/write capacity mode").

func writeUnits(size int) float64 {
	if size <= 0 {
		return 1
	}
	return math.Ceil(float64(size) / 1024)
}

func readUnits(size int, consistent bool) float64 {
	u := math.Ceil(float64(size) / 4096)
	if u < 1 {
		u = 1
	}
	if !consistent {
		u /= 2
	}
	return u
}

// consumed accumulates one table's consumed capacity in a request.
type consumed struct {
	table string
	read  bool
	units float64            // table units
	gsi   map[string]float64 // per global index
	lsi   map[string]float64 // per local index
}

func (c *consumed) addIndex(ix *index, u float64) {
	m := &c.lsi
	if ix.global {
		m = &c.gsi
	}
	if *m == nil {
		*m = map[string]float64{}
	}
	(*m)[ix.name] += u
}

type capUnits struct {
	CapacityUnits      float64  `json:"CapacityUnits"`
	ReadCapacityUnits  *float64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits *float64 `json:"WriteCapacityUnits,omitempty"`
}

type consumedCapacity struct {
	TableName              string              `json:"TableName"`
	CapacityUnits          float64             `json:"CapacityUnits"`
	ReadCapacityUnits      *float64            `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits     *float64            `json:"WriteCapacityUnits,omitempty"`
	Table                  *capUnits           `json:"Table,omitempty"`
	GlobalSecondaryIndexes map[string]capUnits `json:"GlobalSecondaryIndexes,omitempty"`
	LocalSecondaryIndexes  map[string]capUnits `json:"LocalSecondaryIndexes,omitempty"`
}

func (c *consumed) units2(u float64) capUnits {
	v := u
	if c.read {
		return capUnits{CapacityUnits: u, ReadCapacityUnits: &v}
	}
	return capUnits{CapacityUnits: u, WriteCapacityUnits: &v}
}

// report returns the ConsumedCapacity member for mode (TOTAL or INDEXES),
// or nil for NONE.
func (c *consumed) report(mode string) *consumedCapacity {
	if c == nil || (mode != "TOTAL" && mode != "INDEXES") {
		return nil
	}
	total := c.units
	for _, u := range c.gsi {
		total += u
	}
	for _, u := range c.lsi {
		total += u
	}
	tu := c.units2(total)
	out := &consumedCapacity{TableName: c.table, CapacityUnits: total, ReadCapacityUnits: tu.ReadCapacityUnits, WriteCapacityUnits: tu.WriteCapacityUnits}
	if mode == "INDEXES" {
		t := c.units2(c.units)
		out.Table = &t
		for n, u := range c.gsi {
			if out.GlobalSecondaryIndexes == nil {
				out.GlobalSecondaryIndexes = map[string]capUnits{}
			}
			out.GlobalSecondaryIndexes[n] = c.units2(u)
		}
		for n, u := range c.lsi {
			if out.LocalSecondaryIndexes == nil {
				out.LocalSecondaryIndexes = map[string]capUnits{}
			}
			out.LocalSecondaryIndexes[n] = c.units2(u)
		}
	}
	return out
}

func checkReturnConsumed(mode string) error {
	switch mode {
	case "", "NONE", "TOTAL", "INDEXES":
		return nil
	}
	return validation("1 validation error detected: Value '%s' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]", mode)
}
