package s3

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/s3/storage"
)

// maxFormFields bounds the form fields before the file in a POST upload.
const maxFormFields = 64 << 10

type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// postObject handles a browser form upload (POST Object), such as a
// presigned POST from generate_presigned_post. The policy's expiration and
// conditions are checked; signatures are not.
func (s *Service) postObject(w http.ResponseWriter, r *http.Request, bucket string) error {
	edge.SetOperation(r, "PostObject")
	mr, err := r.MultipartReader()
	if err != nil {
		return storage.ErrInvalidRequest("Bucket POST must be of the enclosure-type multipart/form-data")
	}
	fields := map[string]string{"bucket": bucket}
	size := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return storage.ErrInvalidArgument("POST requires exactly one file upload per request.", "file", "0")
		}
		if err != nil {
			return storage.ErrMalformedPOST()
		}
		name := strings.ToLower(part.FormName())
		if name != "file" {
			v, err := io.ReadAll(io.LimitReader(part, maxFormFields+1))
			size += len(v)
			if err != nil || size > maxFormFields {
				return storage.ErrMalformedPOST()
			}
			fields[name] = string(v)
			continue
		}
		key := fields["key"]
		if key == "" {
			return storage.ErrInvalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", "key", "")
		}
		key = strings.ReplaceAll(key, "${filename}", part.FileName())
		fields["key"] = key
		min, max, err := checkPolicy(fields, s.cfg.Clock.Now())
		if err != nil {
			return err
		}
		return s.storePost(w, r, bucket, key, fields, &rangeReader{r: part, min: min, max: max})
	}
}

func (s *Service) storePost(w http.ResponseWriter, r *http.Request, bucket, key string, fields map[string]string, body io.Reader) error {
	h := http.Header{}
	for k, v := range fields {
		switch {
		case k == "content-type", k == "cache-control", k == "content-disposition", k == "content-encoding",
			k == "content-language", k == "expires", strings.HasPrefix(k, "x-amz-meta-"), k == "x-amz-storage-class",
			k == "x-amz-website-redirect-location", k == "x-amz-server-side-encryption",
			k == "x-amz-server-side-encryption-aws-kms-key-id":
			h.Set(k, v)
		}
	}
	meta, err := metaFrom(h)
	if err != nil {
		return err
	}
	kmsDefaults(r, &meta)
	if t := fields["tagging"]; t != "" {
		var tg taggingIn
		if xml.Unmarshal([]byte(t), &tg) != nil {
			return storage.ErrMalformedXML()
		}
		meta.Tags = fromXMLTags(tg.TagSet)
	}
	obj, err := s.eng.PutObject(bucket, key, storage.BodyInput{Body: body, Size: -1}, meta)
	if err != nil {
		return err
	}
	location := "http://" + edge.MetaFrom(r.Context()).Host + "/" + bucket + "/" + url.PathEscape(key)
	w.Header().Set("ETag", obj.ETag)
	w.Header().Set("Location", location)
	if s.versioned(bucket) {
		w.Header().Set("x-amz-version-id", obj.VersionID)
	}
	if redirect := fields["success_action_redirect"]; redirect != "" {
		if u, err := url.Parse(redirect); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			q := u.Query()
			q.Set("bucket", bucket)
			q.Set("key", key)
			q.Set("etag", obj.ETag)
			u.RawQuery = q.Encode()
			w.Header().Set("Location", u.String())
			w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	switch fields["success_action_status"] {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		writeXML(w, http.StatusCreated, postResponse{Location: location, Bucket: bucket, Key: key, ETag: obj.ETag})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// checkPolicy checks a POST policy's expiration and conditions against the
// form and returns the allowed content length range.
func checkPolicy(fields map[string]string, now time.Time) (min, max int64, err error) {
	max = storage.MaxObjectSize
	raw := fields["policy"]
	if raw == "" {
		return 0, max, nil
	}
	denied := func(msg string) error {
		return &storage.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Invalid according to Policy: " + msg}
	}
	doc, derr := base64.StdEncoding.DecodeString(raw)
	var p struct {
		Expiration string `json:"expiration"`
		Conditions []any  `json:"conditions"`
	}
	if derr != nil || json.Unmarshal(doc, &p) != nil {
		return 0, 0, storage.ErrInvalidPolicy("Invalid Policy: Invalid JSON.")
	}
	exp, perr := time.Parse(time.RFC3339, p.Expiration)
	if perr != nil {
		return 0, 0, storage.ErrInvalidPolicy("Invalid Policy: Invalid 'expiration' value: '" + p.Expiration + "'")
	}
	if now.After(exp) {
		return 0, 0, denied("Policy expired.")
	}
	field := func(name string) string { return fields[strings.ToLower(strings.TrimPrefix(name, "$"))] }
	for _, c := range p.Conditions {
		switch c := c.(type) {
		case map[string]any:
			for k, v := range c {
				if want, _ := v.(string); field(k) != want {
					return 0, 0, denied(fmt.Sprintf(`Policy Condition failed: ["eq", "$%s", "%s"]`, k, want))
				}
			}
		case []any:
			if len(c) != 3 {
				return 0, 0, storage.ErrInvalidPolicy("Invalid Policy: Invalid Condition.")
			}
			op, _ := c[0].(string)
			switch strings.ToLower(op) {
			case "content-length-range":
				lo, ok1 := asInt(c[1])
				hi, ok2 := asInt(c[2])
				if !ok1 || !ok2 {
					return 0, 0, storage.ErrInvalidPolicy("Invalid Policy: Invalid content-length-range.")
				}
				min, max = lo, hi
			case "eq", "starts-with":
				name, _ := c[1].(string)
				want, _ := c[2].(string)
				got := field(name)
				if op == "eq" && got != want || op == "starts-with" && !strings.HasPrefix(got, want) {
					return 0, 0, denied(fmt.Sprintf(`Policy Condition failed: ["%s", "%s", "%s"]`, op, name, want))
				}
			default:
				return 0, 0, storage.ErrInvalidPolicy("Invalid Policy: Invalid Condition.")
			}
		}
	}
	return min, max, nil
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// rangeReader enforces a policy's content-length-range while the file streams.
type rangeReader struct {
	r        io.Reader
	min, max int64
	n        int64
}

func (rr *rangeReader) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	rr.n += int64(n)
	if rr.n > rr.max {
		return n, storage.ErrPostTooLarge(rr.n, rr.max)
	}
	if errors.Is(err, io.EOF) && rr.n < rr.min {
		return n, storage.ErrPostTooSmall(rr.n, rr.min)
	}
	return n, err
}

// isFormPost reports whether a bucket POST is a browser form upload.
func isFormPost(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}
