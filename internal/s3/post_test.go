package s3_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// postForm sends a multipart form with fields (in order) and a file.
func postForm(t *testing.T, client *http.Client, url string, fields [][2]string, filename, content string) (int, http.Header, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.Close()
	resp, err := client.Post(url, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestPresignedPost(t *testing.T) {
	ctx := context.Background()
	_, srv := newServer(t, false)
	c := client(srv)
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("forms")}); err != nil {
		t.Fatal(err)
	}
	p, err := awss3.NewPresignClient(c).PresignPostObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("forms"), Key: aws.String("uploads/${filename}")},
		func(o *awss3.PresignPostOptions) {
			o.Conditions = []any{[]any{"content-length-range", 1, 10}, []any{"starts-with", "$key", "uploads/"}}
		})
	if err != nil {
		t.Fatal(err)
	}
	var fields [][2]string
	for k, v := range p.Values {
		fields = append(fields, [2]string{k, v})
	}
	st, h, b := postForm(t, srv.Client(), p.URL, fields, "photo.txt", "pixels")
	if st != 204 || h.Get("ETag") == "" {
		t.Fatalf("presigned POST = %d %s", st, b)
	}
	out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("forms"), Key: aws.String("uploads/photo.txt")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(got) != "pixels" {
		t.Errorf("posted object = %q", got)
	}
	st, _, b = postForm(t, srv.Client(), p.URL, fields, "big.txt", "more than ten bytes")
	if st != 400 || !strings.Contains(b, "EntityTooLarge") {
		t.Errorf("POST beyond content-length-range = %d %s", st, b)
	}
	if _, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("forms"), Key: aws.String("uploads/big.txt")}); err == nil {
		t.Error("rejected POST stored an object")
	}
}

func TestFormPost(t *testing.T) {
	_, srv := newServer(t, false)
	c := rawClient{t, srv}
	c.must("PUT", "/forms", nil, "", 200)
	policy := func(exp time.Time, conds string) string {
		return base64.StdEncoding.EncodeToString([]byte(`{"expiration":"` + exp.UTC().Format(time.RFC3339) + `","conditions":[` + conds + `]}`))
	}
	future, past := time.Now().Add(time.Hour), time.Now().Add(-time.Hour)
	tests := []struct {
		name   string
		fields [][2]string
		status int
		want   string
	}{
		{"no policy, 201", [][2]string{{"key", "a.txt"}, {"Content-Type", "text/plain"}, {"x-amz-meta-who", "me"}, {"success_action_status", "201"}}, 201, "<PostResponse>"},
		{"expired", [][2]string{{"key", "b.txt"}, {"policy", policy(past, `{"bucket":"forms"}`)}}, 403, "Policy expired."},
		{"eq fails", [][2]string{{"key", "c.txt"}, {"policy", policy(future, `["eq","$key","other.txt"]`)}}, 403, "Policy Condition failed"},
		{"bucket condition", [][2]string{{"key", "d.txt"}, {"policy", policy(future, `{"bucket":"forms"},["starts-with","$Content-Type","text/"]`)}, {"Content-Type", "text/csv"}}, 204, ""},
		{"bad policy", [][2]string{{"key", "e.txt"}, {"policy", "!!"}}, 400, "InvalidPolicyDocument"},
		{"missing key", [][2]string{{"acl", "private"}}, 400, "InvalidArgument"},
	}
	for _, tc := range tests {
		st, _, b := postForm(t, srv.Client(), srv.URL+"/forms", tc.fields, "f.txt", "data")
		if st != tc.status || !strings.Contains(b, tc.want) {
			t.Errorf("%s: POST = %d %s; want %d %q", tc.name, st, b, tc.status, tc.want)
		}
	}
	h, _ := c.must("HEAD", "/forms/a.txt", nil, "", 200)
	if h.Get("Content-Type") != "text/plain" || h.Get("x-amz-meta-who") != "me" {
		t.Errorf("posted object headers: %v", h)
	}
}
