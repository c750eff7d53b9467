package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The lean client must send what an SDK sends: its signature matches the
// SDK's signer for the same request.
func TestWireSignatureMatchesSDK(t *testing.T) {
	w := newWire(&server{url: "http://127.0.0.1:4566"})
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	amzDate := now.Format("20060102T150405Z")
	for _, tc := range []struct {
		service, method, path string
		h                     [][2]string
		body                  string
	}{
		{"dynamodb", http.MethodPost, "/", [][2]string{{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "DynamoDB_20120810.GetItem"}}, `{"TableName":"bench"}`},
		{"s3", http.MethodPut, "/bench/w1/k2", [][2]string{{"Content-Type", "application/octet-stream"}}, "hello"},
		{"s3", http.MethodGet, "/bench/obj-1", nil, ""},
	} {
		payload := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		if tc.body != "" {
			payload = sha256hex(tc.body)
		}
		h := append(tc.h, [2]string{"X-Amz-Date", amzDate}, [2]string{"X-Amz-Content-Sha256", payload})
		got := w.authorization(tc.service, tc.method, tc.path, h, len(tc.body), payload, amzDate)

		req, _ := http.NewRequest(tc.method, "http://127.0.0.1:4566"+tc.path, strings.NewReader(tc.body))
		if tc.body == "" {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		for _, kv := range tc.h {
			req.Header.Set(kv[0], kv[1])
		}
		req.Header.Set("X-Amz-Content-Sha256", payload)
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: wireKey, SecretAccessKey: wireSecret},
			req, payload, tc.service, wireRegion, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := req.Header.Get("Authorization"); got != want {
			t.Errorf("%s %s %s:\n got %s\nwant %s", tc.service, tc.method, tc.path, got, want)
		}
	}
}

func TestCheckQuery(t *testing.T) {
	var good, spaced, swapped strings.Builder
	good.WriteString(`{"Count":100,"Items":[`)
	spaced.WriteString(`{"Items": [`)
	swapped.WriteString(`{"Count":100,"Items":[`)
	for j := 0; j < 100; j++ {
		if j > 0 {
			good.WriteByte(',')
			spaced.WriteString(", ")
			swapped.WriteByte(',')
		}
		fmt.Fprintf(&good, `{"pk":{"S":"p3"},"sk":{"N":"%d"}}`, j)
		fmt.Fprintf(&spaced, `{"sk": {"N": "%d"}, "pk": {"S": "p3"}}`, j)
		k := j
		if j == 41 || j == 42 {
			k = 83 - j
		}
		fmt.Fprintf(&swapped, `{"sk":{"N":"%d"}}`, k)
	}
	good.WriteString(`],"ScannedCount":100}`)
	spaced.WriteString(`], "Count": 100, "ScannedCount": 100}`)
	swapped.WriteString(`]}`)
	if err := checkQuery([]byte(good.String()), 3); err != nil {
		t.Errorf("good answer: %v", err)
	}
	if err := checkQuery([]byte(spaced.String()), 3); err != nil {
		t.Errorf("answer with spaces: %v", err)
	}
	if err := checkQuery([]byte(swapped.String()), 3); err == nil || !strings.Contains(err.Error(), "item 41") {
		t.Errorf("swapped items: got %v; want an error at item 41", err)
	}
	short := strings.Replace(good.String(), `,{"pk":{"S":"p3"},"sk":{"N":"99"}}`, "", 1)
	if err := checkQuery([]byte(short), 3); err == nil || !strings.Contains(err.Error(), "99 items") {
		t.Errorf("99 items: got %v", err)
	}
	if err := checkQuery([]byte(`{"Count":0,"Items":[]}`), 3); err == nil {
		t.Error("empty answer passed")
	}
}
