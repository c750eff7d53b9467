package logs

import "tenkai/internal/edge"

// decodePut decodes a PutLogEvents body.
func decodePut(body []byte) (*putLogEventsInput, error) {
	in := &putLogEventsInput{}
	if err := edge.DecodeJSON(body, in); err != nil {
		return nil, err
	}
	return in, nil
}
