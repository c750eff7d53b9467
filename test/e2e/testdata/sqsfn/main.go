// Command sqsfn is the provided.al2023 function of the Lambda SQS end-to-end
// tests. It prints each record it receives on one log line ("SQS <record>").
// A record whose body starts with "fail" fails: with MODE=report it is
// reported in batchItemFailures, otherwise the whole invocation returns an
// error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

type itemFailure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

type response struct {
	BatchItemFailures []itemFailure `json:"batchItemFailures"`
}

func handle(ctx context.Context, ev struct {
	Records []json.RawMessage `json:"Records"`
}) (*response, error) {
	out := &response{BatchItemFailures: []itemFailure{}}
	for _, raw := range ev.Records {
		fmt.Printf("SQS %s\n", raw)
		var r struct {
			MessageID string `json:"messageId"`
			Body      string `json:"body"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(r.Body, "fail") {
			continue
		}
		if os.Getenv("MODE") != "report" {
			return nil, errors.New("message failed on purpose")
		}
		out.BatchItemFailures = append(out.BatchItemFailures, itemFailure{ItemIdentifier: r.MessageID})
	}
	return out, nil
}

func main() { lambda.Start(handle) }
