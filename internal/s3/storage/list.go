package storage

import (
	"encoding/json"
	"strings"

	"tenkai/internal/store"
)

// ListParams select the keys ListObjects returns.
type ListParams struct {
	Prefix    string
	Delimiter string // "" means no rollup
	Marker    string // list keys after this one
	MaxKeys   int    // 0 returns nothing
}

// ListResult is one page of keys. Common prefixes and objects both count
// toward MaxKeys; NextMarker is the last key or common prefix returned.
type ListResult struct {
	Objects        []Object
	CommonPrefixes []string
	Truncated      bool
	NextMarker     string
}

// ListObjects lists the current versions of a bucket's keys in byte order,
// rolling keys that contain Delimiter after Prefix up into common prefixes.
// A common prefix at or before Marker is not repeated, so paging by the
// last common prefix works.
func (e *Engine) ListObjects(bucket string, p ListParams) (*ListResult, error) {
	res := &ListResult{}
	err := e.st.View(func(tx store.Tx) error {
		if _, err := e.bucket(tx, bucket); err != nil {
			return err
		}
		if p.MaxKeys <= 0 {
			return nil
		}
		cur := tx.Bucket(curBucket(bucket))
		from := []byte(p.Prefix)
		if p.Marker >= p.Prefix {
			from = append([]byte(p.Marker), 0)
		}
		to := store.PrefixEnd([]byte(p.Prefix))
		count := 0
		var derr error
		for from != nil {
			var restart []byte
			stop := false
			cur.Scan(from, to, false, func(k, v []byte) bool {
				key := string(k)
				if p.Delimiter != "" {
					if i := strings.Index(key[len(p.Prefix):], p.Delimiter); i >= 0 {
						cp := key[:len(p.Prefix)+i+len(p.Delimiter)]
						restart = store.PrefixEnd([]byte(cp))
						if restart == nil {
							stop = true
						}
						if cp <= p.Marker {
							return false
						}
						if count == p.MaxKeys {
							res.Truncated, stop = true, true
							return false
						}
						res.CommonPrefixes = append(res.CommonPrefixes, cp)
						res.NextMarker = cp
						count++
						return false
					}
				}
				if count == p.MaxKeys {
					res.Truncated, stop = true, true
					return false
				}
				var o Object
				if derr = json.Unmarshal(v, &o); derr != nil {
					stop = true
					return false
				}
				res.Objects = append(res.Objects, o)
				res.NextMarker = key
				count++
				return true
			})
			if stop || restart == nil {
				break
			}
			from = restart
		}
		return derr
	})
	if err != nil {
		return nil, err
	}
	if !res.Truncated {
		res.NextMarker = ""
	}
	return res, nil
}

// VersionParams select the versions ListVersions returns.
type VersionParams struct {
	Prefix          string
	Delimiter       string
	KeyMarker       string // list versions of keys after this one...
	VersionIDMarker string // ...or, with this, versions of KeyMarker older than this one first
	MaxKeys         int
}

// Version is one entry of a version listing.
type Version struct {
	Object
	IsLatest bool
}

// VersionResult is one page of versions and delete markers, by key and then
// newest first.
type VersionResult struct {
	Versions            []Version
	CommonPrefixes      []string
	Truncated           bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// ListVersions lists every version and delete marker of a bucket's keys.
func (e *Engine) ListVersions(bucket string, p VersionParams) (*VersionResult, error) {
	res := &VersionResult{}
	err := e.st.View(func(tx store.Tx) error {
		if _, err := e.bucket(tx, bucket); err != nil {
			return err
		}
		if p.MaxKeys <= 0 {
			return nil
		}
		ver := tx.Bucket(verBucket(bucket))
		from := escKey(p.Prefix)
		midKey := false // the scan starts inside KeyMarker's versions
		if p.KeyMarker != "" {
			var mk []byte
			if p.VersionIDMarker == "" {
				mk = append(escKey(p.KeyMarker), 0x00, 0x02)
			} else {
				o, k, err := findVersion(ver, p.KeyMarker, p.VersionIDMarker)
				if err != nil {
					return err
				}
				if o == nil {
					mk = append(escKey(p.KeyMarker), 0x00, 0x02)
				} else {
					mk, midKey = append(k, 0), true
				}
			}
			if string(mk) > string(from) {
				from = mk
			}
		}
		to := store.PrefixEnd(escKey(p.Prefix))
		count := 0
		prevKey := ""
		first := true
		var derr error
		for from != nil {
			var restart []byte
			stop := false
			ver.Scan(from, to, false, func(_, v []byte) bool {
				var o Object
				if derr = json.Unmarshal(v, &o); derr != nil {
					stop = true
					return false
				}
				if !strings.HasPrefix(o.Key, p.Prefix) {
					return true
				}
				if p.Delimiter != "" {
					if i := strings.Index(o.Key[len(p.Prefix):], p.Delimiter); i >= 0 {
						cp := o.Key[:len(p.Prefix)+i+len(p.Delimiter)]
						restart = store.PrefixEnd(escKey(cp))
						if restart == nil {
							stop = true
						}
						if cp <= p.KeyMarker {
							return false
						}
						if count == p.MaxKeys {
							res.Truncated, stop = true, true
							return false
						}
						res.CommonPrefixes = append(res.CommonPrefixes, cp)
						res.NextKeyMarker, res.NextVersionIDMarker = cp, ""
						count++
						return false
					}
				}
				if count == p.MaxKeys {
					res.Truncated, stop = true, true
					return false
				}
				latest := (first || o.Key != prevKey) && !(midKey && o.Key == p.KeyMarker)
				first, prevKey = false, o.Key
				res.Versions = append(res.Versions, Version{Object: o, IsLatest: latest})
				res.NextKeyMarker, res.NextVersionIDMarker = o.Key, o.VersionID
				count++
				return true
			})
			if stop || restart == nil {
				break
			}
			from = restart
		}
		return derr
	})
	if err != nil {
		return nil, err
	}
	if !res.Truncated {
		res.NextKeyMarker, res.NextVersionIDMarker = "", ""
	}
	return res, nil
}
