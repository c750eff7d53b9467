package codedeploy

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

func TestParseAppSpec(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // summary or "error: substring"
	}{
		{"lambda yaml", "version: 0.0\nResources:\n  - f:\n      Type: AWS::Lambda::Function\n      Properties: {Name: fn, Alias: live, CurrentVersion: 1, TargetVersion: 2}\nHooks:\n  - BeforeAllowTraffic: pre\n",
			"lambda fn live 1 2 hooks [{BeforeAllowTraffic pre}]"},
		{"ecs json", `{"version":0.0,"Resources":[{"S":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"td:1","LoadBalancerInfo":{"ContainerName":"web","ContainerPort":8080}}}}],"Hooks":[{"AfterAllowTestTraffic":"h"}]}`,
			"ecs td:1 web 8080 hooks [{AfterAllowTestTraffic h}]"},
		{"missing version", "Resources: []", "error: version is missing"},
		{"no resources", "version: 0.0", "error: Resources"},
		{"missing alias", "version: 0.0\nResources:\n  - f:\n      Type: AWS::Lambda::Function\n      Properties: {Name: fn, CurrentVersion: 1, TargetVersion: 2}\n", "error: Properties.Alias"},
		{"bad type", "version: 0.0\nResources:\n  - f:\n      Type: AWS::S3::Bucket\n", "error: unsupported Type"},
		{"not yaml", "version: [", "error: appspec"},
		{"empty", "", "error: empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := ParseAppSpec([]byte(tc.in))
			var got string
			switch {
			case err != nil:
				got = "error: " + err.Error()
			case spec.Lambda != nil:
				l := spec.Lambda
				got = "lambda " + l.Name + " " + l.Alias + " " + l.CurrentVersion + " " + l.TargetVersion + " hooks " + hooksString(spec.Hooks)
			case spec.ECS != nil:
				got = "ecs " + spec.ECS.TaskDefinition + " " + spec.ECS.ContainerName + " " + itoa(spec.ECS.ContainerPort) + " hooks " + hooksString(spec.Hooks)
			}
			if strings.HasPrefix(tc.want, "error: ") {
				if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) {
					t.Errorf("ParseAppSpec(%q) = %s; want %s", tc.in, got, tc.want)
				}
				return
			}
			if got != tc.want {
				t.Errorf("ParseAppSpec(%q) = %s; want %s", tc.in, got, tc.want)
			}
		})
	}
}

func hooksString(hs []Hook) string {
	var b strings.Builder
	b.WriteString("[")
	for i, h := range hs {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("{" + h.Event + " " + h.Function + "}")
	}
	return b.String() + "]"
}

func TestAppSpecCheck(t *testing.T) {
	spec, err := ParseAppSpec([]byte("version: 0.0\nResources:\n  - f:\n      Type: AWS::Lambda::Function\n      Properties: {Name: fn, Alias: a, CurrentVersion: 1, TargetVersion: 2}\nHooks:\n  - AfterAllowTestTraffic: h\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.check(platformLambda); err == nil || !strings.Contains(err.Error(), "AfterAllowTestTraffic") {
		t.Errorf("check(Lambda) = %v; want an error naming AfterAllowTestTraffic", err)
	}
	if err := spec.check(platformECS); err == nil {
		t.Errorf("check(ECS) of a Lambda spec = nil; want an error")
	}
}

func TestRoutingNext(t *testing.T) {
	tests := []struct {
		r    routing
		cur  float64
		want float64
	}{
		{routing{Type: "AllAtOnce"}, 0, 100},
		{routing{Type: "TimeBasedCanary", Percent: 10, Interval: 5}, 0, 10},
		{routing{Type: "TimeBasedCanary", Percent: 10, Interval: 5}, 10, 100},
		{routing{Type: "TimeBasedLinear", Percent: 10, Interval: 1}, 80, 90},
		{routing{Type: "TimeBasedLinear", Percent: 10, Interval: 1}, 90, 100},
		{routing{Type: "TimeBasedLinear", Percent: 40, Interval: 1}, 80, 100},
	}
	for _, tc := range tests {
		if got := tc.r.next(tc.cur); got != tc.want {
			t.Errorf("%+v.next(%v) = %v; want %v", tc.r, tc.cur, got, tc.want)
		}
	}
}

func FuzzParseAppSpec(f *testing.F) {
	f.Add("version: 0.0\nResources:\n  - f:\n      Type: AWS::Lambda::Function\n      Properties: {Name: fn, Alias: live, CurrentVersion: 1, TargetVersion: 2}\n")
	f.Add(`{"version":0.0,"Resources":[{"S":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"td"}}}],"Hooks":[{"AfterInstall":"h"}]}`)
	f.Add("version: 1\nResources: [x]\nHooks: 3")
	f.Fuzz(func(t *testing.T, in string) {
		spec, err := ParseAppSpec([]byte(in))
		if err == nil && spec.Lambda == nil && spec.ECS == nil {
			t.Fatalf("ParseAppSpec(%q) accepted a spec without a resource", in)
		}
	})
}

func BenchmarkParseAppSpec(b *testing.B) {
	in := []byte("version: 0.0\nResources:\n  - f:\n      Type: AWS::Lambda::Function\n      Properties: {Name: fn, Alias: live, CurrentVersion: 1, TargetVersion: 2}\nHooks:\n  - BeforeAllowTraffic: pre\n  - AfterAllowTraffic: post\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAppSpec(in); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzAppSpecFromZip(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("appspec.yml")
	w.Write([]byte("version: 0.0\n"))
	zw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04 not a zip"))
	f.Fuzz(func(t *testing.T, b []byte) {
		spec, err := appSpecFromZip(b)
		if err == nil && len(spec) > 1<<20 {
			t.Fatalf("appSpecFromZip returned %d bytes; the limit is 1 MiB", len(spec))
		}
	})
}
