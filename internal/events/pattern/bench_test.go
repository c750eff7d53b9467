package pattern_test

import (
	"fmt"
	"runtime"
	"testing"

	"tenkai/internal/events/pattern"
)

// Realistic events: an EC2 state change, an S3 object creation, a
// CloudTrail API call and an application event.
var benchEvents = []string{
	`{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2024-11-02T18:43:48Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-abcd1111","state":"running"}}`,
	`{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created","source":"aws.s3","account":"111122223333","time":"2024-11-12T00:00:00Z","region":"ca-central-1","resources":["arn:aws:s3:::example-bucket"],"detail":{"version":"0","bucket":{"name":"example-bucket"},"object":{"key":"uploads/2024/photos/IMG_0042.PNG","size":5242880,"etag":"b1946ac92492d2347c6235b4d2611184","version-id":"IYV3p45BT0ac8hjHg1houSdS1a.Mro8e","sequencer":"00617F08299329D189"},"request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","source-ip-address":"10.0.12.34","reason":"PutObject"}}`,
	`{"version":"0","id":"36eb8523-97d0-4518-b33d-ee3579ff19f0","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"123456789012","time":"2024-11-04T06:18:02Z","region":"us-east-1","resources":[],"detail":{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::123456789012:user/Alice","accountId":"123456789012","userName":"Alice"},"eventTime":"2024-11-04T06:18:02Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.15","userAgent":"aws-cli/2.13.0","requestParameters":{"userName":"Bob"},"responseElements":null,"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012"}}`,
	`{"version":"0","id":"a7c3f1e2-0000-4c1b-9d7e-3f1f2a3b4c5d","detail-type":"OrderPlaced","source":"com.example.orders","account":"123456789012","time":"2024-11-05T10:00:00Z","region":"eu-west-1","resources":[],"detail":{"orderId":"ord-10042","customer":{"id":"c-77","tier":"gold","country":"UK"},"total":149.95,"currency":"GBP","items":[{"sku":"SKU-1","qty":2,"price":49.99},{"sku":"SKU-9","qty":1,"price":49.97}],"paymentMethod":"credit-card","channel":"web"}}`,
}

// benchRules returns n rules mixing every operator. The first 100 are
// variations on the benchmark events, several matching each; the rest have
// the same shapes with values of other applications, as on a busy bus, and
// match nothing.
func benchRules(n int) []string {
	// The cidr template's third byte must stay below 256.
	templates := []string{
		`{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["%s"]}}`,
		`{"source":[{"prefix":"aws.%s"}]}`,
		`{"source":["com.example.orders"],"detail":{"total":[{"numeric":[">",%d,"<=",1000]}]}}`,
		`{"source":["aws.ec2"],"detail":{"state":[{"anything-but":["pending","%s"]}]}}`,
		`{"source":["aws.s3"],"detail":{"object":{"etag":[{"exists":true}]},"reason":["%s"]}}`,
		`{"detail":{"object":{"key":[{"wildcard":"uploads/*/%s/*"}]}}}`,
		`{"detail":{"sourceIPAddress":[{"cidr":"192.0.%d.0/24"}]}}`,
		`{"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["%s","DeleteAccessKey"],"readOnly":[false]}}`,
		`{"detail":{"customer":{"tier":[{"equals-ignore-case":"%s"}]},"currency":["GBP","EUR"]}}`,
		`{"region":[{"anything-but":{"prefix":"%s"}}],"detail":{"items":{"sku":[{"prefix":"SKU-"}],"qty":[{"numeric":[">=",2]}]}}}`,
		`{"source":["aws.s3"],"$or":[{"detail":{"object":{"size":[{"numeric":[">",%d]}]}}},{"detail":{"reason":["CopyObject"]}}]}`,
		`{"detail":{"object":{"key":[{"suffix":{"equals-ignore-case":".%s"}}]}}}`,
	}
	words := []string{"running", "ec2", "stopped", "photos", "PutObject", "CreateAccessKey", "GOLD", "us-", "png", "s3", "iam", "silver", "docs", "jpg", "terminated"}
	rules := make([]string, 0, n)
	for i := 0; len(rules) < n; i++ {
		tpl := templates[i%len(templates)]
		numeric := tpl == templates[2] || tpl == templates[6] || tpl == templates[10]
		var arg any = words[(i/len(templates))%len(words)]
		switch {
		case i < 100 && numeric:
			arg = (i / len(templates)) * 37 % 250
		case numeric:
			arg = 251 + i%4 // ranges, sizes and networks no event falls in
			if tpl == templates[10] {
				arg = 1_000_000_000 + i
			}
		case i >= 100:
			arg = fmt.Sprintf("w%06d", i)
		}
		rule := fmt.Sprintf(tpl, arg)
		if i >= 100 {
			rule = fmt.Sprintf(`{"account":["%012d"],`, i) + rule[1:]
		}
		rules = append(rules, rule)
	}
	return rules
}

// cpuTimer reports CPU nanoseconds per operation next to wall time: the
// machine these run on is shared, and wall time then overstates the cost.
type cpuTimer struct {
	b     *testing.B
	start int64
	ok    bool
}

func startCPU(b *testing.B) *cpuTimer {
	runtime.LockOSThread()
	t := &cpuTimer{b: b}
	d, ok := threadCPU()
	t.start, t.ok = int64(d), ok
	b.ResetTimer()
	return t
}

func (t *cpuTimer) stop() {
	t.b.StopTimer()
	d, ok := threadCPU()
	runtime.UnlockOSThread()
	if t.ok && ok && t.b.N > 0 {
		t.b.ReportMetric(float64(int64(d)-t.start)/float64(t.b.N), "cpu-ns/op")
	}
}

func benchSet(b *testing.B, n int) *pattern.Set {
	var s pattern.Set
	for i, src := range benchRules(n) {
		p, err := pattern.Compile([]byte(src))
		if err != nil {
			b.Fatalf("Compile(%s): %v", src, err)
		}
		s.Add(fmt.Sprintf("rule-%05d", i), p)
	}
	return &s
}

func parsedEvents(b *testing.B) []*pattern.Event {
	evs := make([]*pattern.Event, len(benchEvents))
	for i, src := range benchEvents {
		ev, err := pattern.ParseEvent([]byte(src))
		if err != nil {
			b.Fatal(err)
		}
		evs[i] = ev
	}
	return evs
}

// BenchmarkSetMatch measures one pre-parsed event against a Set; ns/op is
// the time per event.
func BenchmarkSetMatch(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			s := benchSet(b, n)
			evs := parsedEvents(b)
			dst := make([]string, 0, 1024)
			matched := 0
			for i := range evs {
				matched += len(s.MatchEvent(evs[i], dst[:0]))
			}
			b.ReportAllocs()
			t := startCPU(b)
			for i := 0; i < b.N; i++ {
				dst = s.MatchEvent(evs[i%len(evs)], dst[:0])
			}
			t.stop()
			b.ReportMetric(float64(matched)/float64(len(evs)), "matches/event")
		})
	}
}

// BenchmarkSetParseAndMatch includes parsing the event JSON.
func BenchmarkSetParseAndMatch(b *testing.B) {
	s := benchSet(b, 100)
	srcs := make([][]byte, len(benchEvents))
	for i, e := range benchEvents {
		srcs[i] = []byte(e)
	}
	var ev pattern.Event
	dst := make([]string, 0, 128)
	b.ReportAllocs()
	t := startCPU(b)
	for i := 0; i < b.N; i++ {
		if err := ev.Parse(srcs[i%len(srcs)]); err != nil {
			b.Fatal(err)
		}
		dst = s.MatchEvent(&ev, dst[:0])
	}
	t.stop()
}

func BenchmarkParseEvent(b *testing.B) {
	srcs := make([][]byte, len(benchEvents))
	size := 0
	for i, e := range benchEvents {
		srcs[i] = []byte(e)
		size += len(e)
	}
	var ev pattern.Event
	b.SetBytes(int64(size / len(srcs)))
	b.ReportAllocs()
	t := startCPU(b)
	for i := 0; i < b.N; i++ {
		if err := ev.Parse(srcs[i%len(srcs)]); err != nil {
			b.Fatal(err)
		}
	}
	t.stop()
}

// BenchmarkPatternMatch is one pattern against one pre-parsed event.
func BenchmarkPatternMatch(b *testing.B) {
	p := pattern.MustCompile(`{"source":["com.example.orders"],"detail":{"total":[{"numeric":[">",100,"<=",1000]}],"customer":{"tier":[{"anything-but":"bronze"}]},"items":{"sku":[{"prefix":"SKU-"}],"qty":[{"numeric":[">=",2]}]}}}`)
	ev := parsedEvents(b)[3]
	if !p.MatchEvent(ev) {
		b.Fatal("pattern does not match the event")
	}
	b.ReportAllocs()
	t := startCPU(b)
	for i := 0; i < b.N; i++ {
		p.MatchEvent(ev)
	}
	t.stop()
}

func BenchmarkCompile(b *testing.B) {
	src := []byte(benchRules(12)[9])
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := pattern.Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}
