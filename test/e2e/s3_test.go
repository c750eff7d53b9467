package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func s3Client(s *Server) *s3.Client {
	return s3.NewFromConfig(s.SDK(), func(o *s3.Options) { o.UsePathStyle = true })
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestS3CLI(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := context.Background()
	sdk := s3Client(s) // setup and checks that need no CLI coverage go through the SDK
	dir := t.TempDir()
	body := []byte("hello tenkai\n")
	src := writeFile(t, "body.txt", body)
	etag := fmt.Sprintf(`"%x"`, md5.Sum(body))

	// Buckets.
	s.MustCLI(t, "s3api", "create-bucket", "--bucket", "cli-bkt")
	if _, err := sdk.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cli-bkt")}); err != nil {
		t.Errorf("re-create in us-east-1 by the owner: %v", err) // S3's legacy behaviour: 200
	}
	s.FailCLI(t, "InvalidBucketName", "s3api", "create-bucket", "--bucket", "Bad_Bucket")
	s.MustCLI(t, "s3api", "create-bucket", "--bucket", "cli-eu", "--create-bucket-configuration", "LocationConstraint=eu-west-1")
	var loc struct{ LocationConstraint string }
	s.MustCLI(t, "s3api", "get-bucket-location", "--bucket", "cli-eu").JSON(t, &loc)
	if loc.LocationConstraint != "eu-west-1" {
		t.Errorf("location = %q; want eu-west-1", loc.LocationConstraint)
	}
	euClient := s3.NewFromConfig(s.SDK(), func(o *s3.Options) { o.UsePathStyle, o.Region = true, "eu-west-1" })
	_, err := euClient.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cli-eu"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}})
	var owned *s3types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) {
		t.Errorf("re-create in eu-west-1: %v; want BucketAlreadyOwnedByYou", err)
	}
	s.MustCLI(t, "s3api", "head-bucket", "--bucket", "cli-bkt")

	// Objects: put, head, get to a file.
	var put struct{ ETag string }
	s.MustCLI(t, "s3api", "put-object", "--bucket", "cli-bkt", "--key", "dir/hello world+1.txt", "--body", src,
		"--content-type", "text/plain", "--metadata", "owner=ci,stage=build", "--cache-control", "max-age=60").JSON(t, &put)
	if put.ETag != etag {
		t.Errorf("put ETag = %s; want %s", put.ETag, etag)
	}
	var head struct {
		ContentLength int64
		ContentType   string
		CacheControl  string
		ETag          string
		Metadata      map[string]string
	}
	s.MustCLI(t, "s3api", "head-object", "--bucket", "cli-bkt", "--key", "dir/hello world+1.txt").JSON(t, &head)
	if head.ContentLength != int64(len(body)) || head.ContentType != "text/plain" || head.CacheControl != "max-age=60" ||
		head.ETag != etag || head.Metadata["owner"] != "ci" || head.Metadata["stage"] != "build" {
		t.Errorf("head-object = %+v", head)
	}
	out := filepath.Join(dir, "out.txt")
	s.MustCLI(t, "s3api", "get-object", "--bucket", "cli-bkt", "--key", "dir/hello world+1.txt", out)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, body) {
		t.Errorf("get-object wrote %q; want %q", got, body)
	}
	s.MustCLI(t, "s3api", "get-object", "--bucket", "cli-bkt", "--key", "dir/hello world+1.txt", "--range", "bytes=0-4", out)
	if got, _ := os.ReadFile(out); string(got) != "hello" {
		t.Errorf("ranged get-object wrote %q; want hello", got)
	}

	// Listing with prefix, delimiter and pages of one key.
	for _, k := range []string{"dir/a.txt", "dir/sub/b.txt", "top.txt"} {
		if _, err := sdk.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cli-bkt"), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	var list struct {
		Contents       []struct{ Key string }
		CommonPrefixes []struct{ Prefix string }
	}
	s.MustCLI(t, "s3api", "list-objects-v2", "--bucket", "cli-bkt", "--delimiter", "/").JSON(t, &list)
	if len(list.Contents) != 1 || list.Contents[0].Key != "top.txt" || len(list.CommonPrefixes) != 1 || list.CommonPrefixes[0].Prefix != "dir/" {
		t.Errorf("list with delimiter = %+v", list)
	}
	list.Contents, list.CommonPrefixes = nil, nil
	s.MustCLI(t, "s3api", "list-objects-v2", "--bucket", "cli-bkt", "--prefix", "dir/", "--page-size", "1").JSON(t, &list)
	var keys []string
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	if strings.Join(keys, ",") != "dir/a.txt,dir/hello world+1.txt,dir/sub/b.txt" {
		t.Errorf("paged list-objects-v2 = %v", keys)
	}
	list.Contents = nil
	s.MustCLI(t, "s3api", "list-objects", "--bucket", "cli-bkt", "--page-size", "2").JSON(t, &list)
	if len(list.Contents) != 4 {
		t.Errorf("paged list-objects (v1) returned %d keys; want 4", len(list.Contents))
	}

	// Copy with metadata directive.
	s.MustCLI(t, "s3api", "copy-object", "--bucket", "cli-bkt", "--key", "copy.txt",
		"--copy-source", "cli-bkt/dir/hello world+1.txt", "--metadata-directive", "REPLACE",
		"--metadata", "copied=yes", "--content-type", "text/x-copy")
	ch, err := sdk.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cli-bkt"), Key: aws.String("copy.txt")})
	if err != nil || aws.ToString(ch.ETag) != etag || aws.ToString(ch.ContentType) != "text/x-copy" || ch.Metadata["copied"] != "yes" || ch.Metadata["owner"] != "" {
		t.Errorf("copied object head = %+v, %v", ch, err)
	}

	// Errors.
	s.FailCLI(t, "NoSuchBucket", "s3api", "get-object", "--bucket", "no-such-bkt", "--key", "k", out)
	s.FailCLI(t, "NoSuchKey", "s3api", "get-object", "--bucket", "cli-bkt", "--key", "missing", out)
	s.FailCLI(t, "BadDigest", "s3api", "put-object", "--bucket", "cli-bkt", "--key", "bad", "--body", src,
		"--content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")
	s.FailCLI(t, "BucketNotEmpty", "s3api", "delete-bucket", "--bucket", "cli-bkt")
	status, _, errBody := s.Do(t, "GET", "/no-such-bkt/k", nil, nil)
	if status != 404 || !strings.Contains(string(errBody), "<Code>NoSuchBucket</Code>") || !strings.Contains(string(errBody), "<BucketName>no-such-bkt</BucketName>") {
		t.Errorf("raw GET on missing bucket: %d %s", status, errBody)
	}

	// Delete, then versioning.
	s.MustCLI(t, "s3api", "delete-object", "--bucket", "cli-bkt", "--key", "copy.txt")
	if _, err := sdk.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cli-bkt"), Key: aws.String("copy.txt")}); err == nil {
		t.Error("copy.txt is still there after delete-object")
	}
	s.MustCLI(t, "s3api", "put-bucket-versioning", "--bucket", "cli-bkt", "--versioning-configuration", "Status=Enabled")
	ver, err := sdk.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("cli-bkt")})
	if err != nil || ver.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning status = %+v, %v", ver, err)
	}
	var v1, v2 struct{ VersionId string }
	s.MustCLI(t, "s3api", "put-object", "--bucket", "cli-bkt", "--key", "v.txt", "--body", src).JSON(t, &v1)
	s.MustCLI(t, "s3api", "put-object", "--bucket", "cli-bkt", "--key", "v.txt", "--body", out).JSON(t, &v2)
	if v1.VersionId == "" || v1.VersionId == v2.VersionId {
		t.Errorf("version ids %q %q", v1.VersionId, v2.VersionId)
	}
	s.MustCLI(t, "s3api", "get-object", "--bucket", "cli-bkt", "--key", "v.txt", "--version-id", v1.VersionId, out)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, body) {
		t.Errorf("get-object of first version wrote %q", got)
	}
	s.MustCLI(t, "s3api", "delete-object", "--bucket", "cli-bkt", "--key", "v.txt")
	var versions struct {
		Versions      []struct{ VersionId string }
		DeleteMarkers []struct {
			VersionId string
			IsLatest  bool
		}
	}
	s.MustCLI(t, "s3api", "list-object-versions", "--bucket", "cli-bkt", "--prefix", "v.txt").JSON(t, &versions)
	if len(versions.Versions) != 2 || len(versions.DeleteMarkers) != 1 || !versions.DeleteMarkers[0].IsLatest {
		t.Errorf("list-object-versions = %+v", versions)
	}
}

func TestS3CLITransfer(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	data := randomBytes(t, 20<<20)
	src := writeFile(t, "big.bin", data)
	s.MustCLI(t, "s3", "mb", "s3://transfer")
	s.MustCLI(t, "s3", "cp", "--only-show-errors", src, "s3://transfer/data/big.bin")
	var head struct {
		ETag          string
		ContentLength int64
	}
	s.MustCLI(t, "s3api", "head-object", "--bucket", "transfer", "--key", "data/big.bin").JSON(t, &head)
	if head.ContentLength != int64(len(data)) || !strings.HasSuffix(head.ETag, `-3"`) {
		t.Errorf("multipart upload head = %+v; want %d bytes and a 3-part ETag", head, len(data))
	}
	dst := filepath.Join(t.TempDir(), "back.bin")
	s.MustCLI(t, "s3", "cp", "--only-show-errors", "s3://transfer/data/big.bin", dst)
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatalf("downloaded file differs (%d bytes)", len(got))
	}
	ls := s.MustCLI(t, "s3", "ls", "s3://transfer/data/")
	if !strings.Contains(ls.Stdout, "20971520 big.bin") {
		t.Errorf("aws s3 ls = %q", ls.Stdout)
	}
	presigned := strings.TrimSpace(s.MustCLI(t, "s3", "presign", "s3://transfer/data/big.bin").Stdout)
	status, _, got := s.Do(t, "GET", strings.TrimPrefix(presigned, s.URL), nil, nil)
	if status != 200 || !bytes.Equal(got, data) {
		t.Errorf("presigned GET %s: %d, %d bytes", presigned, status, len(got))
	}
	s.MustCLI(t, "s3", "rm", "--only-show-errors", "s3://transfer/data/big.bin")
	s.MustCLI(t, "s3", "rb", "s3://transfer")
}

func TestS3SDK(t *testing.T) {
	ctx := context.Background()
	s := startServer(t)
	c := s3Client(s)
	bkt := aws.String("sdk-bkt")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bkt}); err != nil {
		t.Fatal(err)
	}
	// The SDK sends header checksums over plain HTTP; each algorithm is verified.
	body := randomBytes(t, 300_000)
	for _, algo := range []s3types.ChecksumAlgorithm{"", s3types.ChecksumAlgorithmCrc32c, s3types.ChecksumAlgorithmSha256, s3types.ChecksumAlgorithmCrc64nvme} {
		key := aws.String("obj-" + string(algo))
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bkt, Key: key, Body: bytes.NewReader(body), ChecksumAlgorithm: algo}); err != nil {
			t.Fatalf("PutObject %s: %v", algo, err)
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bkt, Key: key, ChecksumMode: s3types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("GetObject %s: %d bytes, %v", algo, len(got), err)
		}
	}
	// Multipart through the SDK.
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bkt, Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := randomBytes(t, 5<<20), []byte("last")
	var parts []s3types.CompletedPart
	for i, p := range [][]byte{p1, p2} {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bkt, Key: aws.String("mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bkt, Key: aws.String("mp"),
		UploadId: up.UploadId, MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bkt, Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, append(p1, p2...)) {
		t.Fatalf("multipart object differs (%d bytes)", len(got))
	}
	// Paginated listing.
	for i := 0; i < 12; i++ {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bkt, Key: aws.String(fmt.Sprintf("p/%02d", i)), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: bkt, Prefix: aws.String("p/"), MaxKeys: aws.Int32(5)})
	n := 0
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Contents)
	}
	if n != 12 {
		t.Errorf("paginator listed %d keys; want 12", n)
	}
	// Virtual-host addressing.
	host := strings.TrimPrefix(s.URL, "http://")
	for _, h := range []string{"sdk-bkt.localhost", "sdk-bkt.s3.localhost", "sdk-bkt.s3.us-east-1.amazonaws.com"} {
		status, _, b := s.Do(t, "GET", "/p/03", map[string]string{"Host": h + ":" + strings.Split(host, ":")[1]}, nil)
		if status != 200 || string(b) != "x" {
			t.Errorf("GET with Host %s: %d %q", h, status, b)
		}
	}
	// Keys with characters that need encoding round-trip.
	for _, k := range []string{"a//b/", "sp ace+plus", "ünï/çødé?&=#", "%2F"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bkt, Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatalf("PutObject %q: %v", k, err)
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bkt, Key: aws.String(k)})
		if err != nil {
			t.Fatalf("GetObject %q: %v", k, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(got) != k {
			t.Errorf("GetObject %q = %q", k, got)
		}
	}
	l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bkt, Prefix: aws.String("ünï/"), EncodingType: s3types.EncodingTypeUrl})
	if err != nil || len(l.Contents) != 1 {
		t.Fatalf("list encoded: %+v %v", l, err)
	}
	if k, _ := url.QueryUnescape(aws.ToString(l.Contents[0].Key)); k != "ünï/çødé?&=#" {
		t.Errorf("url-encoded key %q decodes to %q", aws.ToString(l.Contents[0].Key), k)
	}
}

func TestS3Durable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	c := s3Client(s)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("durable")}); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 1<<20)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("durable"), Key: aws.String("k"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	small := []byte("kept in the store, not in a file")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("durable"), Key: aws.String("small"), Body: bytes.NewReader(small)}); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	s2 := startServer(t, "--data-dir", dir)
	for key, want := range map[string][]byte{"k": data, "small": small} {
		out, err := s3Client(s2).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("durable"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %s after kill -9: %v", key, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, want) {
			t.Fatalf("object %s after restart differs (%d bytes)", key, len(got))
		}
	}
}

// TestS3EventBridge sends object events of a bucket with EventBridge
// notifications through a rule to a CloudWatch Logs group.
func TestS3EventBridge(t *testing.T) {
	ctx := context.Background()
	s := startServer(t)
	c := s3Client(s)
	logsC := cloudwatchlogs.NewFromConfig(s.SDK())
	eb := eventbridge.NewFromConfig(s.SDK())
	if _, err := logsC.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/s3/events")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("uploads"),
		EventPattern: aws.String(`{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["inbox"]}}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("uploads"), Targets: []ebtypes.Target{{
		Id: aws.String("log"), Arn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/s3/events")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("inbox")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("inbox"),
		NotificationConfiguration: &s3types.NotificationConfiguration{EventBridgeConfiguration: &s3types.EventBridgeConfiguration{}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("inbox"), Key: aws.String("orders/1.json"), Body: strings.NewReader("{}")}); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	waitFor(t, 10*time.Second, "the S3 event in CloudWatch Logs", func() bool {
		out, err := logsC.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/s3/events")})
		if err != nil {
			return false
		}
		msgs = msgs[:0]
		for _, e := range out.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
		return len(msgs) > 0
	})
	if len(msgs) != 1 || !strings.Contains(msgs[0], `"key":"orders/1.json"`) || !strings.Contains(msgs[0], `"source":"aws.s3"`) {
		t.Errorf("logged events = %v", msgs)
	}
}

// TestS3LambdaNotification runs a function for each matching upload, with
// S3's event record.
func TestS3LambdaNotification(t *testing.T) {
	ctx := context.Background()
	s := startServer(t)
	c := s3Client(s)
	fns := lambda.NewFromConfig(s.SDK())
	logsC := cloudwatchlogs.NewFromConfig(s.SDK())
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("on-upload"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": pyApp})},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}); err != nil {
		t.Fatal(err)
	}
	notify := func() error {
		_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"),
			NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
				Id: aws.String("csv"), LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:on-upload"),
				Events: []s3types.Event{"s3:ObjectCreated:*"},
				Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
					{Name: s3types.FilterRuleNameSuffix, Value: aws.String(".csv")}}}},
			}}}})
		return err
	}
	// S3 checks that it may invoke the function, as AWS does.
	if err := notify(); err == nil || !strings.Contains(err.Error(), "Unable to validate the following destination configurations") {
		t.Fatalf("notification without permission: %v; want InvalidArgument", err)
	}
	if _, err := fns.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("on-upload"), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::uploads")}); err != nil {
		t.Fatal(err)
	}
	if err := notify(); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("uploads")})
	if err != nil || len(got.LambdaFunctionConfigurations) != 1 || aws.ToString(got.LambdaFunctionConfigurations[0].Id) != "csv" {
		t.Fatalf("GetBucketNotificationConfiguration = %+v, %v", got, err)
	}
	for _, k := range []string{"data/skip.txt", "data/a b.csv"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String(k), Body: strings.NewReader("x,y")}); err != nil {
			t.Fatal(err)
		}
	}
	var text string
	waitFor(t, 30*time.Second, "the function's log of the S3 event", func() bool {
		text = logText(t, logsC, "/aws/lambda/on-upload")
		return strings.Contains(text, `"key": "data/a+b.csv"`)
	})
	if !strings.Contains(text, `"eventName": "ObjectCreated:Put"`) || !strings.Contains(text, `"name": "uploads"`) || strings.Contains(text, "skip.txt") {
		t.Errorf("function log:\n%s", text)
	}
}
