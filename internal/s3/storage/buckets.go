package storage

import (
	"encoding/json"
	"net/netip"
	"sort"
	"strings"

	"tenkai/internal/store"
)

// ValidBucketName reports whether name follows the naming rules for new
// general purpose buckets.
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	first, last := name[0], name[len(name)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' {
		return false
	}
	if strings.Contains(name, "..") {
		return false
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

// CreateBucket creates a bucket owned by account in region. Re-creating a
// bucket the account owns succeeds in us-east-1 (S3's legacy behaviour) and
// fails with BucketAlreadyOwnedByYou elsewhere.
func (e *Engine) CreateBucket(account, region, name string) (*Bucket, error) {
	if !ValidBucketName(name) {
		return nil, errInvalidBucketName(name)
	}
	var out *Bucket
	err := e.st.Update(func(tx store.Tx) error {
		bs := tx.Bucket(bucketsBucket)
		var old Bucket
		found, err := getJSON(bs, []byte(name), &old)
		if err != nil {
			return err
		}
		if found {
			if old.Account != account {
				return errBucketExists(name)
			}
			if old.Region == "us-east-1" && region == "us-east-1" {
				out = &old
				return nil
			}
			return errBucketOwned(name)
		}
		b := &Bucket{Name: name, Account: account, Region: region, Created: e.now()}
		out = b
		return putJSON(bs, []byte(name), b)
	})
	return out, err
}

// Bucket returns a bucket's record or NoSuchBucket.
func (e *Engine) Bucket(name string) (*Bucket, error) {
	var b *Bucket
	err := e.st.View(func(tx store.Tx) error {
		var err error
		b, err = e.bucket(tx, name)
		return err
	})
	return b, err
}

// bucket is getBucket through the engine's record cache, for hot paths.
func (e *Engine) bucket(tx store.Tx, name string) (*Bucket, error) {
	b, found, err := e.buckets.get(tx.Bucket(bucketsBucket), name, []byte(name))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errNoSuchBucket(name)
	}
	return b, nil
}

func getBucket(tx store.Tx, name string) (*Bucket, error) {
	var b Bucket
	found, err := getJSON(tx.Bucket(bucketsBucket), []byte(name), &b)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errNoSuchBucket(name)
	}
	return &b, nil
}

// ListBuckets returns the buckets account owns, by name.
func (e *Engine) ListBuckets(account string) ([]Bucket, error) {
	var out []Bucket
	err := e.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(bucketsBucket).Scan(nil, nil, false, func(_, v []byte) bool {
			var b Bucket
			if derr = json.Unmarshal(v, &b); derr != nil {
				return false
			}
			if b.Account == account {
				out = append(out, b)
			}
			return true
		})
		return derr
	})
	return out, err
}

// DeleteBucket removes an empty bucket (no versions or delete markers);
// multipart uploads in progress are aborted.
func (e *Engine) DeleteBucket(name string) error {
	var orphans []Segment
	err := e.st.Update(func(tx store.Tx) error {
		if _, err := e.bucket(tx, name); err != nil {
			return err
		}
		if tx.Bucket(verBucket(name)).Len() > 0 {
			return errBucketNotEmpty(name)
		}
		ups := tx.Bucket(uploadBucket(name))
		var ids []string
		ups.Scan(nil, nil, false, func(k, _ []byte) bool { ids = append(ids, string(k)); return true })
		for _, id := range ids {
			segs, err := dropParts(tx, id)
			if err != nil {
				return err
			}
			if err := dropInline(tx, segs); err != nil {
				return err
			}
			orphans = append(orphans, segs...)
		}
		for _, n := range []string{curBucket(name), verBucket(name), uploadBucket(name), configBucket(name)} {
			if err := tx.DeleteBucket(n); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketsBucket).Delete([]byte(name))
	})
	if err == nil {
		e.removeBlobs(orphans)
	}
	return err
}

// SetVersioning sets a bucket's versioning state to Enabled or Suspended.
func (e *Engine) SetVersioning(name, status string) error {
	if status != VersioningEnabled && status != VersioningSuspended {
		return ErrMalformedXML()
	}
	return e.updateBucket(name, func(b *Bucket) { b.Versioning = status })
}

// SetBucketTags replaces a bucket's tags; nil removes them.
func (e *Engine) SetBucketTags(name string, tags []Tag) error {
	if err := validateTags(tags, 50); err != nil {
		return err
	}
	return e.updateBucket(name, func(b *Bucket) { b.Tags = tags })
}

func (e *Engine) updateBucket(name string, fn func(*Bucket)) error {
	return e.st.Update(func(tx store.Tx) error {
		b, err := e.bucket(tx, name)
		if err != nil {
			return err
		}
		fn(b)
		return putJSON(tx.Bucket(bucketsBucket), []byte(name), b)
	})
}

// validateTags applies S3's tag limits.
func validateTags(tags []Tag, max int) error {
	if len(tags) > max {
		if max == 10 {
			return newErr(400, "BadRequest", "Object tags cannot be greater than 10")
		}
		return newErr(400, "InvalidTag", "Bucket tag count cannot be greater than 50")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len([]rune(t.Key)) > 128 {
			return newErr(400, "InvalidTag", "The TagKey you have provided is invalid")
		}
		if len([]rune(t.Value)) > 256 {
			return newErr(400, "InvalidTag", "The TagValue you have provided is invalid")
		}
		if seen[t.Key] {
			return newErr(400, "InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

func sortTags(tags []Tag) {
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
}

func configBucket(b string) string { return "s3/config/" + b }

// SetBucketConfig stores a bucket subresource document (policy, cors,
// lifecycle, ...) as sent; nil removes it.
func (e *Engine) SetBucketConfig(bucket, name string, doc []byte) error {
	return e.st.Update(func(tx store.Tx) error {
		if _, err := e.bucket(tx, bucket); err != nil {
			return err
		}
		b := tx.Bucket(configBucket(bucket))
		if doc == nil {
			return b.Delete([]byte(name))
		}
		return b.Put([]byte(name), doc)
	})
}

// BucketConfig returns a stored subresource document, or nil when there is none.
func (e *Engine) BucketConfig(bucket, name string) ([]byte, error) {
	var out []byte
	err := e.st.View(func(tx store.Tx) error {
		if _, err := e.bucket(tx, bucket); err != nil {
			return err
		}
		if v := tx.Bucket(configBucket(bucket)).Get([]byte(name)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}
