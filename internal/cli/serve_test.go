package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"tenkai/internal/cli"
)

func TestServeRefusesBadTimeScale(t *testing.T) {
	for _, v := range []string{"0", "-2", "NaN", "+Inf"} {
		var out, errOut bytes.Buffer
		err := cli.Run(context.Background(), []string{"serve", "--port", "0", "--time-scale", v}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "--time-scale") {
			t.Errorf("serve --time-scale %s = %v; want a --time-scale error", v, err)
		}
	}
}
