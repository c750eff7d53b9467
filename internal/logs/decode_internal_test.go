package logs

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestScanPut(t *testing.T) {
	tests := []struct {
		body   string
		wantOK bool
	}{
		{`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"a"}]}`, true},
		{` { "logGroupName" : "g" , "logEvents" : [ ] , "extra": 1.5e3, "flag": true } `, true},
		{`{"logGroupName":"g","logEvents":[{"timestamp":1,"message":"say \"hi\"\n\u00e9"}]}`, true},
		{`{"logGroupName":"g\u00e9","logEvents":[{"message":"caf` + "\xc3\xa9" + `","timestamp":-5}]}`, true},
		{`{"logGroupName":"g","logEvents":[{"timestamp":1.5,"message":"a"}]}`, false},
		{`{"logGroupName":"g","logEvents":[{"timestamp":null,"message":"a"}]}`, false},
		{`{"LOGGROUPNAME":"g"}`, false},
		{`{"entity":{"keyAttributes":{}}}`, false},
		{`{"logGroupName":"g"`, false},
		{`{"logGroupName":"g"} x`, false},
		{"{\"logGroupName\":\"a\x01\"}", false},
	}
	for _, tc := range tests {
		got, ok := scanPut([]byte(tc.body))
		if ok != tc.wantOK {
			t.Errorf("scanPut(%s) ok = %v; want %v", tc.body, ok, tc.wantOK)
			continue
		}
		if ok {
			want := &putLogEventsInput{}
			if err := json.Unmarshal([]byte(tc.body), want); err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", tc.body, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("scanPut(%s) = %+v; want %+v", tc.body, got, want)
			}
		}
	}
}

// FuzzDecodePut checks that whenever the fast scanner accepts a body, it
// reads exactly what encoding/json reads.
func FuzzDecodePut(f *testing.F) {
	f.Add(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"a"}]}`)
	f.Add(`{"logGroupName":"g","logEvents":[{"timestamp":1,"message":"say \"hi\"\n\u00e9"}],"sequenceToken":"1"}`)
	f.Add(`{"logEvents":[{"message":"x","timestamp":123,"other":false}],"n":-1}`)
	f.Fuzz(func(t *testing.T, body string) {
		got, ok := scanPut([]byte(body))
		if !ok {
			return
		}
		want := &putLogEventsInput{}
		if err := json.Unmarshal([]byte(body), want); err != nil {
			t.Fatalf("scanPut accepted %q, which encoding/json rejects: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("scanPut(%q) = %+v; encoding/json gives %+v", body, got, want)
		}
	})
}
