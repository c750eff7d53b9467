// Package s3 serves Amazon S3's REST-XML API over the storage engine in
// internal/s3/storage: buckets (create, head, delete, list, location,
// versioning, tagging and stored subresources such as policy and CORS),
// objects (put, get with ranges and conditions, head, delete, batch delete,
// copy, tagging, ACLs, attributes), versions and delete markers, multipart uploads and
// listings (ListObjects, ListObjectsV2, ListObjectVersions,
// ListMultipartUploads, ListParts). Requests may address buckets by path
// (http://127.0.0.1:4566/bucket/key) or by virtual host
// (bucket.localhost:4566, bucket.s3.<region>.localhost, bucket.s3.amazonaws.com).
// Uploads may use the aws-chunked encoding of the SDKs, with chunk signatures
// and trailing checksums; Content-MD5, x-amz-content-sha256 and
// x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256} are verified.
//
// Buckets whose notification configuration names Lambda functions or enables
// EventBridge get S3's event records ("s3:ObjectCreated:*",
// "s3:ObjectRemoved:*" with prefix/suffix filters) or "Object Created" /
// "Object Deleted" events, delivered asynchronously after the write commits.
//
// Bodies up to 64 KiB are kept in the store with their record. Larger bodies
// live in memory without a data directory and in <data dir>/s3/blobs
// otherwise, where each is fsynced before the record that refers to it
// commits; uploads stream to their file, never whole into memory.
//
// Other services use the Go API; bucket names are global, so account and
// region only say who is calling:
//
//	code, info, err := svc.GetObjectBytes(ctx, account, region, "my-bucket", "fn.zip", "")
//	// err is an *edge.Error with S3's code (NoSuchBucket, NoSuchKey, NoSuchVersion)
//	_, err = svc.PutObject(ctx, account, region, "artifacts", "run-1/out.zip", data, "application/zip")
//	cancel := svc.Subscribe(func(ev s3.Event) {
//		// ev.Name is "ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated", ...
//	})
package s3
