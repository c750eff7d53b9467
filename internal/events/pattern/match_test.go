package pattern_test

import (
	"testing"

	"tenkai/internal/events/pattern"
)

// ec2Event is the sample event of the EventBridge and Event Ruler docs.
const ec2Event = `{
  "version": "0",
  "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "012345679012",
  "time": "2017-10-02T16:24:49Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    "state": "running"
  }
}`

// nullEvent is the docs' example for null values and empty strings.
const nullEvent = `{
  "version": "0",
  "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
  "detail-type": "EC2 Instance Launch Successful",
  "source": "aws.autoscaling",
  "account": "123456789012",
  "time": "2015-11-11T21:31:47Z",
  "region": "us-east-1",
  "resources": [],
  "detail": {"eventVersion": "", "responseElements": null}
}`

const employees = `{"employees":[
  {"firstName":"John","lastName":"Doe"},
  {"firstName":"Anna","lastName":"Smith"},
  {"firstName":"Peter","lastName":"Jones"}]}`

var matchCases = []struct {
	name    string
	pattern string
	event   string
	want    bool
}{
	// Exact values, AND across fields, OR within arrays.
	{"docs simple match", `{"detail-type":["EC2 Instance State-change Notification"],"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],"detail":{"state":["initializing","running"]}}`, ec2Event, true},
	{"exact mismatch", `{"source":["aws.s3"]}`, ec2Event, false},
	{"or within array", `{"source":["aws.s3","aws.ec2"]}`, ec2Event, true},
	{"and across fields fails on one", `{"source":["aws.ec2"],"region":["eu-west-1"]}`, ec2Event, false},
	{"case sensitive", `{"source":["AWS.EC2"]}`, ec2Event, false},
	{"missing field", `{"detail":{"nothere":["x"]}}`, ec2Event, false},
	{"nested structure must match", `{"state":["running"]}`, ec2Event, false},
	{"field order does not matter", `{"detail":{"state":["running"],"c-count":[5]},"source":["aws.ec2"]}`, `{"detail":{"c-count":5,"state":"running"},"source":"aws.ec2"}`, true},
	{"string does not match number", `{"detail":{"c-count":["5"]}}`, ec2Event, false},
	{"number does not match string", `{"account":[12345679012]}`, ec2Event, false},
	{"number exact", `{"detail":{"c-count":[5]}}`, ec2Event, true},
	{"number by value 1e2", `{"n":[1e2]}`, `{"n":100}`, true},
	{"number by value 300 vs 3.0e2", `{"n":[300]}`, `{"n":3.0e2}`, true},
	{"number by value 5.0", `{"n":[5]}`, `{"n":5.000}`, true},
	{"number other value", `{"n":[5]}`, `{"n":5.1}`, false},
	{"large number literal", `{"account":[123456789012]}`, `{"account":123456789012}`, true},
	{"large number other literal", `{"account":[123456789012]}`, `{"account":123456789013}`, false},
	{"true", `{"b":[true]}`, `{"b":true}`, true},
	{"true vs string", `{"b":[true]}`, `{"b":"true"}`, false},
	{"false vs true", `{"b":[false]}`, `{"b":true}`, false},
	{"null", `{"detail":{"responseElements":[null]}}`, nullEvent, true},
	{"empty string", `{"detail":{"eventVersion":[""]}}`, nullEvent, true},
	{"empty string is not null", `{"detail":{"responseElements":[""]}}`, nullEvent, false},
	{"null is not empty string", `{"detail":{"eventVersion":[null]}}`, nullEvent, false},
	{"null is not missing", `{"detail":{"other":[null]}}`, nullEvent, false},
	{"docs field matching null", `{"source":["aws.autoscaling"],"detail-type":["EC2 Instance Launch Successful"],"detail":{"responseElements":[null]}}`, nullEvent, true},
	{"unicode exact", `{"s":["héllo ✓"]}`, `{"s":"h\u00e9llo \u2713"}`, true},
	{"escaped key", `{"a\"b":["x"]}`, `{"a\"b":"x"}`, true},

	// Arrays in events.
	{"docs arrays intersection", `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f","arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}`, `{"resources":["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate","arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`, true},
	{"arrays no intersection", `{"resources":["a","b"]}`, `{"resources":["c","d"]}`, false},
	{"empty array never matches a value", `{"resources":["a"]}`, nullEvent, false},
	{"array of objects", `{"employees":{"firstName":["Anna"]}}`, employees, true},
	{"array of objects same element", `{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}`, employees, true},
	{"array of objects different elements", `{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}`, employees, false},
	{"nested arrays", `{"employees":{"firstName":["Peter"]}}`, `{"employees":[[{"firstName":"John"}],[{"firstName":"Peter"}]]}`, true},
	{"nested arrays different elements", `{"employees":{"firstName":["John"],"lastName":["Jones"]}}`, `{"employees":[[{"firstName":"John","lastName":"Doe"}],[{"firstName":"Peter","lastName":"Jones"}]]}`, false},
	{"array element and outside field", `{"source":["x"],"employees":{"firstName":["Peter"]}}`, `{"source":"x","employees":[{"firstName":"John"},{"firstName":"Peter"}]}`, true},
	{"array of numbers numeric", `{"n":[{"numeric":[">",10]}]}`, `{"n":[1,2,30]}`, true},

	// Prefix and suffix.
	{"docs prefix", `{"time":[{"prefix":"2017-10-02"}]}`, ec2Event, true},
	{"prefix mismatch", `{"time":[{"prefix":"2017-10-03"}]}`, ec2Event, false},
	{"prefix not on numbers", `{"n":[{"prefix":"1"}]}`, `{"n":123}`, false},
	{"empty prefix matches any string", `{"s":[{"prefix":""}]}`, `{"s":"abc"}`, true},
	{"prefix equals-ignore-case", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"eventbridge"}}`, true},
	{"prefix equals-ignore-case upper", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"EVENTBRIDGE"}}`, true},
	{"prefix equals-ignore-case mismatch", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"Event"}}`, false},
	{"docs suffix", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.png"}`, true},
	{"suffix mismatch", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.PNG"}`, false},
	{"suffix equals-ignore-case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"IMAGE.PnG"}}`, true},
	{"suffix equals-ignore-case mismatch", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"image.jpg"}}`, false},
	{"suffix ec2", `{"source":[{"suffix":"ec2"}]}`, ec2Event, true},

	// Equals-ignore-case.
	{"equals-ignore-case", `{"source":[{"equals-ignore-case":"AWS.EC2"}]}`, ec2Event, true},
	{"equals-ignore-case docs alice", `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"Alice"}`, true},
	{"equals-ignore-case mismatch", `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"Alicia"}`, false},
	{"equals-ignore-case unicode", `{"Name":[{"equals-ignore-case":"ÉCOLE"}]}`, `{"Name":"école"}`, true},
	{"equals-ignore-case not numbers", `{"n":[{"equals-ignore-case":"5"}]}`, `{"n":5}`, false},

	// Anything-but.
	{"docs anything-but string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, ec2Event, true},
	{"anything-but string excluded", `{"detail":{"state":[{"anything-but":"running"}]}}`, ec2Event, false},
	{"docs anything-but number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, ec2Event, true},
	{"anything-but number excluded by value", `{"detail":{"x-limit":[{"anything-but":3.018e2}]}}`, ec2Event, false},
	{"docs anything-but list of strings", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, ec2Event, true},
	{"anything-but list excludes", `{"detail":{"state":[{"anything-but":["stopped","running"]}]}}`, ec2Event, false},
	{"docs anything-but list of numbers", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, ec2Event, true},
	{"anything-but list of numbers excludes", `{"n":[{"anything-but":[100,200,300]}]}`, `{"n":200}`, false},
	{"anything-but number matches string", `{"n":[{"anything-but":[100]}]}`, `{"n":"100"}`, true},
	{"anything-but string matches number", `{"n":[{"anything-but":"100"}]}`, `{"n":100}`, true},
	{"anything-but matches null", `{"n":[{"anything-but":"x"}]}`, `{"n":null}`, true},
	{"anything-but missing field", `{"n":[{"anything-but":"x"}]}`, `{"m":"y"}`, false},
	{"anything-but array any element", `{"n":[{"anything-but":"x"}]}`, `{"n":["x","y"]}`, true},
	{"anything-but array all excluded", `{"n":[{"anything-but":"x"}]}`, `{"n":["x","x"]}`, false},
	{"docs anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, ec2Event, true},
	{"anything-but prefix excluded", `{"detail":{"state":[{"anything-but":{"prefix":"run"}}]}}`, ec2Event, false},
	{"docs anything-but prefix region", `{"Region":[{"anything-but":{"prefix":"us-"}}]}`, `{"Region":"eu-west-1"}`, true},
	{"anything-but prefix region us", `{"Region":[{"anything-but":{"prefix":"us-"}}]}`, `{"Region":"us-east-1"}`, false},
	{"docs anything-but suffix", `{"FileName":[{"anything-but":{"suffix":".png"}}]}`, `{"FileName":"a.jpg"}`, true},
	{"anything-but suffix excluded", `{"FileName":[{"anything-but":{"suffix":".png"}}]}`, `{"FileName":"a.png"}`, false},
	{"docs anything-but ignore case", `{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}`, `{"state":"INITIALIZING"}`, false},
	{"anything-but ignore case other", `{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}`, `{"state":"running"}`, true},
	{"anything-but ignore case list", `{"state":[{"anything-but":{"equals-ignore-case":["a","B"]}}]}`, `{"state":"b"}`, false},
	{"docs anything-but wildcard", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/bin/x"}`, true},
	{"anything-but wildcard excluded", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/lib/x"}`, false},
	{"anything-but wildcard list", `{"FilePath":[{"anything-but":{"wildcard":["*/lib/*","*.jar"]}}]}`, `{"FilePath":"/bin/a.jar"}`, false},

	// Numeric.
	{"docs numeric all", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, ec2Event, true},
	{"numeric range upper exclusive", `{"n":[{"numeric":[">",0,"<",5]}]}`, `{"n":5}`, false},
	{"numeric range upper inclusive", `{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":5}`, true},
	{"numeric range lower exclusive", `{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":0}`, false},
	{"numeric range lower inclusive", `{"n":[{"numeric":[">=",0,"<=",5]}]}`, `{"n":0}`, true},
	{"numeric <", `{"n":[{"numeric":["<",10]}]}`, `{"n":-3.5}`, true},
	{"numeric <=", `{"n":[{"numeric":["<=",10]}]}`, `{"n":10.0}`, true},
	{"numeric >", `{"n":[{"numeric":[">",10]}]}`, `{"n":1e1}`, false},
	{"numeric >=", `{"n":[{"numeric":[">=",10]}]}`, `{"n":1e1}`, true},
	{"numeric = exponent", `{"n":[{"numeric":["=",300]}]}`, `{"n":3.0e2}`, true},
	{"numeric = other", `{"n":[{"numeric":["=",300]}]}`, `{"n":300.5}`, false},
	{"numeric six decimals", `{"n":[{"numeric":["=",0.000001]}]}`, `{"n":1e-6}`, true},
	{"numeric not strings", `{"n":[{"numeric":[">",0]}]}`, `{"n":"5"}`, false},
	{"numeric event out of range", `{"n":[{"numeric":[">",0]}]}`, `{"n":6e9}`, false},
	{"numeric negative", `{"n":[{"numeric":[">",-10,"<",-5]}]}`, `{"n":-7}`, true},

	// Exists.
	{"exists true", `{"detail":{"c-count":[{"exists":true}]}}`, ec2Event, true},
	{"exists true missing", `{"detail":{"nothere":[{"exists":true}]}}`, ec2Event, false},
	{"exists true null", `{"detail":{"responseElements":[{"exists":true}]}}`, nullEvent, true},
	{"exists true empty array", `{"resources":[{"exists":true}]}`, nullEvent, false},
	{"docs exists false", `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail-type":["EC2 Instance State-change Notification"],"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],"detail":{"state":["initializing","running"]}}`, true},
	{"docs exists false object is not a leaf", `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail":{"state":["initializing","running"],"c-count":{"c1":100}}}`, true},
	{"exists true object is not a leaf", `{"detail":{"c-count":[{"exists":true}]}}`, `{"detail":{"c-count":{"c1":100}}}`, false},
	{"exists false present", `{"detail":{"c-count":[{"exists":false}]}}`, ec2Event, false},
	{"exists false null present", `{"detail":{"responseElements":[{"exists":false}]}}`, nullEvent, false},
	{"exists false empty array", `{"resources":[{"exists":false}]}`, nullEvent, true},
	{"exists false missing parent", `{"detail":{"a":{"b":[{"exists":false}]}}}`, `{"source":"x"}`, true},
	{"exists false or value", `{"s":["x",{"exists":false}]}`, `{"t":1}`, true},
	{"exists false or value present other", `{"s":["x",{"exists":false}]}`, `{"s":"y"}`, false},
	{"exists false or value present same", `{"s":["x",{"exists":false}]}`, `{"s":"x"}`, true},
	{"exists false with another field", `{"source":["aws.ec2"],"detail":{"nothere":[{"exists":false}]}}`, ec2Event, true},

	// CIDR.
	{"docs cidr", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}}`, ec2Event, true},
	{"cidr outside", `{"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}}`, ec2Event, false},
	{"cidr /8", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/8"}]}}`, ec2Event, true},
	{"cidr not an ip", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"hello"}`, false},
	{"cidr ipv6", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db8:0:0:1::1"}`, true},
	{"cidr ipv6 outside", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db9::1"}`, false},
	{"cidr v4 does not match v6", `{"ip":[{"cidr":"0.0.0.0/0"}]}`, `{"ip":"::1"}`, false},
	{"exact ip matches other spelling", `{"ip":["2001:db8::1"]}`, `{"ip":"2001:0db8:0:0:0:0:0:1"}`, true},

	// Wildcard.
	{"wildcard", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleQueueService"}`, true},
	{"wildcard empty run", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleService"}`, true},
	{"wildcard mismatch", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleQueue"}`, false},
	{"wildcard docs path", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, true},
	{"wildcard star", `{"s":[{"wildcard":"*"}]}`, `{"s":""}`, true},
	{"wildcard escaped star", `{"s":[{"wildcard":"a\\*b"}]}`, `{"s":"a*b"}`, true},
	{"wildcard escaped star literal only", `{"s":[{"wildcard":"a\\*b"}]}`, `{"s":"axb"}`, false},
	{"wildcard escaped backslash", `{"s":[{"wildcard":"a\\\\*"}]}`, `{"s":"a\\zz"}`, true},
	{"wildcard many", `{"s":[{"wildcard":"*a*b*c*"}]}`, `{"s":"xxaxxbxxcxx"}`, true},
	{"wildcard many order", `{"s":[{"wildcard":"*a*b*c*"}]}`, `{"s":"cba"}`, false},
	{"wildcard not numbers", `{"s":[{"wildcard":"1*"}]}`, `{"s":123}`, false},

	// $or.
	{"or first", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`, `{"source":"aws.cloudwatch","metricName":"ReadLatency"}`, true},
	{"or second", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`, `{"source":"aws.cloudwatch","namespace":"AWS/ES"}`, true},
	{"or neither", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`, `{"source":"aws.cloudwatch","namespace":"AWS/S3"}`, false},
	{"or and outside fails", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`, `{"source":"aws.ec2","namespace":"AWS/EC2"}`, false},
	{"or field after", `{"$or":[{"a":["1"]},{"b":["2"]}],"c":["3"]}`, `{"b":"2","c":"3"}`, true},
	{"or field after missing", `{"$or":[{"a":["1"]},{"b":["2"]}],"c":["3"]}`, `{"b":"2"}`, false},
	{"parallel or", `{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}],"detail":{"$or":[{"source":["aws.cloudwatch"]},{"detail-type":["CloudWatch Alarm State Change"]}]}}`, `{"namespace":"AWS/EC2","detail":{"detail-type":"CloudWatch Alarm State Change"}}`, true},
	{"parallel or one side", `{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}],"detail":{"$or":[{"source":["aws.cloudwatch"]},{"detail-type":["CloudWatch Alarm State Change"]}]}}`, `{"namespace":"AWS/EC2","detail":{"detail-type":"x"}}`, false},
	{"or with and inside", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"]},{"scope":["Service"]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/EC2"}`, true},
	{"or with and inside partial", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"]},{"scope":["Service"]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType"}`, false},
	{"nested or", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]},{"scope":["Service"]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/EC2","spaceId":1000}`, true},
	{"nested or inner fails", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]},{"scope":["Service"]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/EC2","spaceId":1}`, false},
	{"or as a field name", `{"$or":{"a":["1"]}}`, `{"$or":{"a":"1"}}`, true},
	{"or as a field name mismatch", `{"$or":{"a":["1"]}}`, `{"a":"1"}`, false},
	{"or as a field name with operator", `{"$or":[{"prefix":"ab"}]}`, `{"$or":"abc"}`, true},
	{"or nested path", `{"detail":{"$or":[{"a":{"b":["1"]}},{"c":["2"]}]}}`, `{"detail":{"a":{"b":"1"}}}`, true},

	// Dotted keys are the same path as nested ones, as in the engine.
	{"dotted key in event", `{"detail":{"state":{"status":["running"]}}}`, `{"detail":{"state.status":"running"}}`, true},

	// Complex docs example.
	{"docs complex", `{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}],"source-ip":[{"cidr":"10.0.0.0/8"}]}}`, ec2Event, true},
	{"mixed alternatives", `{"detail":{"state":["stopped",{"prefix":"run"}]}}`, ec2Event, true},
}

func TestMatch(t *testing.T) {
	for _, tc := range matchCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := pattern.Compile([]byte(tc.pattern))
			if err != nil {
				t.Fatalf("Compile(%s): %v", tc.pattern, err)
			}
			if got := p.Match([]byte(tc.event)); got != tc.want {
				t.Errorf("Compile(%s).Match(%s) = %v; want %v", tc.pattern, tc.event, got, tc.want)
			}
			// The same answer from a Set holding the pattern among others.
			var s pattern.Set
			s.Add("r", p)
			s.Add("other", pattern.MustCompile(`{"zzz":["never"]}`))
			got, err := s.Match([]byte(tc.event))
			if err != nil {
				t.Fatalf("Set.Match(%s): %v", tc.event, err)
			}
			if (len(got) == 1 && got[0] == "r") != tc.want || len(got) > 1 {
				t.Errorf("Set.Match(%s) = %v; want r matched = %v", tc.event, got, tc.want)
			}
		})
	}
}
