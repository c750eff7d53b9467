package sfn

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

func tenPass() string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"P0","States":{`)
	for i := 0; i < 10; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"P%d":{"Type":"Pass","Result":%d,"ResultPath":"$.p%d",`, i, i, i)
		if i == 9 {
			b.WriteString(`"End":true}`)
		} else {
			fmt.Fprintf(&b, `"Next":"P%d"}`, i+1)
		}
	}
	b.WriteString(`}}`)
	return b.String()
}

func benchService(b *testing.B, typ string) (*Service, context.Context, string) {
	s := New(Config{Store: store.NewMem()})
	ctx := edge.WithMeta(context.Background(), &edge.Meta{Account: "000000000000", Region: "us-east-1"})
	out, err := s.createStateMachine(ctx, &createStateMachineIn{Name: "b", Definition: tenPass(), RoleArn: "arn:aws:iam::000000000000:role/r", Type: typ})
	if err != nil {
		b.Fatal(err)
	}
	return s, ctx, out.StateMachineArn
}

// BenchmarkStandardTenPass measures StartExecution to the stored end of a
// 10-Pass STANDARD execution.
func BenchmarkStandardTenPass(b *testing.B) {
	s, ctx, arn := benchService(b, typeStandard)
	in := `{"a":1}`
	b.ReportAllocs()
	for b.Loop() {
		rec, _, err := s.start(ctx, arn, "", &in, "")
		if err != nil {
			b.Fatal(err)
		}
		if rn := s.liveRun(rec.ARN); rn != nil {
			<-rn.done
		}
	}
}

// BenchmarkExpressTenPass measures StartSyncExecution of a 10-Pass machine.
func BenchmarkExpressTenPass(b *testing.B) {
	s, ctx, arn := benchService(b, typeExpress)
	in := `{"a":1}`
	b.ReportAllocs()
	for b.Loop() {
		out, err := s.startSyncExecution(ctx, &startExecutionIn{StateMachineArn: arn, Input: &in})
		if err != nil || out.Status != "SUCCEEDED" {
			b.Fatal(err, out)
		}
	}
}
