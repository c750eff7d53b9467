package iam

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
)

// paging is a request's Marker and MaxItems.
type paging struct {
	marker string
	max    int
}

// readPaging reads Marker and MaxItems (1..1000, default 100).
func (c *checker) paging(form url.Values) paging {
	return paging{
		marker: c.str(form, "Marker", "marker", false, 1, 320, nil, ""),
		max:    c.integer(form, "MaxItems", "maxItems", 1, 1000, 100),
	}
}

// paginate returns the page of items (sorted by key) that starts at the
// request's marker. Markers are opaque to clients: the key of the first item
// of the next page, base64-encoded.
func paginate[T any](items []T, key func(T) string, p paging) ([]T, page, error) {
	start := 0
	if p.marker != "" {
		k, err := base64.RawURLEncoding.DecodeString(p.marker)
		if err != nil {
			return nil, page{}, validationError("Invalid Marker.")
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= string(k) })
	}
	end := min(start+p.max, len(items))
	var pg page
	if end < len(items) {
		pg = page{IsTruncated: true, Marker: base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))}
	}
	return items[start:end], pg, nil
}

// indexKey is the sort key of the i-th element of a list kept in its own
// order (tags, attachments, versions).
func indexKey(i int) string { return fmt.Sprintf("%06d", i) }

// indexed pairs list elements with their position, for paginate.
type indexed[T any] struct {
	i int
	v T
}

func withIndex[T any](xs []T) []indexed[T] {
	out := make([]indexed[T], len(xs))
	for i, x := range xs {
		out[i] = indexed[T]{i, x}
	}
	return out
}

func byIndex[T any](x indexed[T]) string { return indexKey(x.i) }

func values[T any](xs []indexed[T]) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = x.v
	}
	return out
}
