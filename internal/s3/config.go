package s3

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/s3/storage"
)

// bucketConfig is a bucket subresource that tenkai stores as sent and gives
// back: it has no effect, but tools that set and read it (CDK bootstrap,
// Terraform, SAM) work.
type bucketConfig struct {
	op      string         // operation name without the verb, e.g. "BucketPolicy"
	json    bool           // the document is JSON (bucket policies), not XML
	missing *storage.Error // the fault GET returns when none is stored; nil means def applies
	def     func(account string) string
}

func notFound(code, msg string) *storage.Error {
	return &storage.Error{Code: code, Status: http.StatusNotFound, Message: msg}
}

// bucketConfigs are the stored subresources, by query parameter. Defaults
// follow S3 today: new buckets have SSE-S3 encryption, Block Public Access
// and BucketOwnerEnforced ownership.
var bucketConfigs = map[string]bucketConfig{
	"policy":    {op: "BucketPolicy", json: true, missing: notFound("NoSuchBucketPolicy", "The bucket policy does not exist")},
	"cors":      {op: "BucketCors", missing: notFound("NoSuchCORSConfiguration", "The CORS configuration does not exist")},
	"lifecycle": {op: "BucketLifecycleConfiguration", missing: notFound("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")},
	"website":   {op: "BucketWebsite", missing: notFound("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")},
	"replication": {op: "BucketReplication", missing: notFound("ReplicationConfigurationNotFoundError",
		"The replication configuration was not found")},
	"object-lock": {op: "ObjectLockConfiguration", missing: notFound("ObjectLockConfigurationNotFoundError",
		"Object Lock configuration does not exist for this bucket")},
	"encryption": {op: "BucketEncryption", def: func(string) string {
		return `<ServerSideEncryptionConfiguration xmlns="` + xmlns + `"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`
	}},
	"publicAccessBlock": {op: "PublicAccessBlock", def: func(string) string {
		return `<PublicAccessBlockConfiguration xmlns="` + xmlns + `"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`
	}},
	"ownershipControls": {op: "BucketOwnershipControls", def: func(string) string {
		return `<OwnershipControls xmlns="` + xmlns + `"><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>`
	}},
	"notification": {op: "BucketNotificationConfiguration", def: func(string) string {
		return `<NotificationConfiguration xmlns="` + xmlns + `"></NotificationConfiguration>`
	}},
	"logging": {op: "BucketLogging", def: func(string) string {
		return `<BucketLoggingStatus xmlns="` + xmlns + `"></BucketLoggingStatus>`
	}},
	"accelerate": {op: "BucketAccelerateConfiguration", def: func(string) string {
		return `<AccelerateConfiguration xmlns="` + xmlns + `"></AccelerateConfiguration>`
	}},
	"requestPayment": {op: "BucketRequestPayment", def: func(string) string {
		return `<RequestPaymentConfiguration xmlns="` + xmlns + `"><Payer>BucketOwner</Payer></RequestPaymentConfiguration>`
	}},
	"acl": {op: "BucketAcl", def: aclDoc},
}

// aclDoc is the ACL every bucket and object has under BucketOwnerEnforced:
// the owner has full control.
func aclDoc(account string) string {
	o := ownerOf(account)
	return `<AccessControlPolicy xmlns="` + xmlns + `"><Owner><ID>` + o.ID + `</ID><DisplayName>` + o.DisplayName +
		`</DisplayName></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>` +
		o.ID + `</ID><DisplayName>` + o.DisplayName + `</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`
}

// configFor returns the stored subresource a query names, if any.
func configFor(q map[string][]string) (string, bucketConfig, bool) {
	for k := range q {
		if c, ok := bucketConfigs[k]; ok {
			return k, c, true
		}
	}
	return "", bucketConfig{}, false
}

const maxConfigDoc = 1 << 20

func (s *Service) serveConfig(w http.ResponseWriter, r *http.Request, bucket, name string, c bucketConfig) error {
	switch r.Method {
	case http.MethodPut:
		edge.SetOperation(r, "Put"+c.op)
		b, err := s.eng.Bucket(bucket)
		if err != nil {
			return err
		}
		doc, err := io.ReadAll(io.LimitReader(r.Body, maxConfigDoc+1))
		if err != nil {
			return &storage.ReadError{Err: err}
		}
		if name == "acl" && len(bytes.TrimSpace(doc)) == 0 {
			// A canned ACL in x-amz-acl: accepted and ignored, as ownership is enforced.
			w.WriteHeader(http.StatusOK)
			return nil
		}
		if c.json {
			if len(doc) > 20<<10 || !json.Valid(doc) || !bytes.HasPrefix(bytes.TrimSpace(doc), []byte("{")) {
				return &storage.Error{Code: "MalformedPolicy", Status: 400, Message: "Policies must be valid JSON and the first byte must be '{'"}
			}
		} else {
			var root struct{ XMLName xml.Name }
			if len(doc) > maxConfigDoc || xml.Unmarshal(doc, &root) != nil {
				return storage.ErrMalformedXML()
			}
		}
		var tested *notificationConfiguration // the configuration whose queues and topics get S3's test event
		if name == "notification" {
			nc, err := parseNotification(doc)
			if err != nil {
				return err
			}
			// Infrastructure tools that grant the queue or topic policy after
			// the bucket ask S3 not to validate (and so not to test) them.
			if s.n != nil && !strings.EqualFold(r.Header.Get("x-amz-skip-destination-validation"), "true") {
				if err := s.n.checkDestinations(r.Context(), b, nc); err != nil {
					return err
				}
				tested = nc
			}
			if doc, err = nc.document(); err != nil {
				return err
			}
		}
		if err := s.eng.SetBucketConfig(b.Name, name, doc); err != nil {
			return err
		}
		if tested != nil {
			s.n.testEvent(r.Context(), b.Name, tested)
		}
		if c.json {
			w.WriteHeader(http.StatusNoContent)
		} else {
			w.WriteHeader(http.StatusOK)
		}
		return nil
	case http.MethodGet:
		edge.SetOperation(r, "Get"+c.op)
		b, err := s.eng.Bucket(bucket)
		if err != nil {
			return err
		}
		doc, err := s.eng.BucketConfig(bucket, name)
		if err != nil {
			return err
		}
		if doc == nil {
			if c.missing != nil {
				return c.missing.With("BucketName", bucket)
			}
			doc = []byte(xml.Header + c.def(b.Account))
		}
		ct := "application/xml"
		if c.json {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(doc)
		return nil
	case http.MethodDelete:
		edge.SetOperation(r, "Delete"+strings.TrimSuffix(c.op, "Configuration"))
		if err := s.eng.SetBucketConfig(bucket, name, nil); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return storage.ErrMethodNotAllowed(r.Method, "BUCKET")
}

// serveObjectACL answers GetObjectAcl and PutObjectAcl: objects always
// have the owner-full-control ACL.
func (s *Service) serveObjectACL(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	vid := r.URL.Query().Get("versionId")
	obj, b, err := s.eng.GetObject(bucket, key, vid)
	if err != nil {
		return err
	}
	if b.Versioning != storage.VersioningOff {
		w.Header().Set("x-amz-version-id", obj.VersionID)
	}
	switch r.Method {
	case http.MethodGet:
		edge.SetOperation(r, "GetObjectAcl")
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, xml.Header+aclDoc(b.Account))
		return nil
	case http.MethodPut:
		edge.SetOperation(r, "PutObjectAcl")
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxConfigDoc))
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return storage.ErrMethodNotAllowed(r.Method, "OBJECT")
}
