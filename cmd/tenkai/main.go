// Command tenkai runs AWS serverless applications locally.
package main

import (
	"context"
	"fmt"
	"os"

	"tenkai/internal/cli"
)

func main() {
	if err := cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tenkai:", err)
		os.Exit(1)
	}
}
