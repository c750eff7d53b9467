package cli

import (
	"io"

	"github.com/spf13/cobra"
)

func logsCmd(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "logs", Short: "Read CloudWatch Logs of a running tenkai"}
	return cmd
}
