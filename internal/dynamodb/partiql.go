package dynamodb

import (
	"context"
	"encoding/json"
)

func (s *Service) executeStatement(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	return nil, validation("not implemented")
}

func (s *Service) batchExecuteStatement(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	return nil, validation("not implemented")
}
