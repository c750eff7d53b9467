package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"tenkai/internal/webhooks"
)

func webhooksCmd(stdout io.Writer) *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{Use: "webhooks", Short: "Read the webhook calls a running tenkai recorded at /_tenkai/webhooks/NAME"}
	cmd.PersistentFlags().StringVar(&endpoint, "endpoint", defaultEndpoint(), "tenkai endpoint (TENKAI_ENDPOINT, AWS_ENDPOINT_URL)")
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List webhook names with their call counts and last call",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			recs, err := fetchWebhooks(cmd.Context(), endpoint, "", 0, 0)
			if err != nil {
				return err
			}
			type sum struct {
				n    int
				last time.Time
			}
			by := map[string]*sum{}
			for _, r := range recs {
				if by[r.Name] == nil {
					by[r.Name] = &sum{}
				}
				by[r.Name].n++
				by[r.Name].last = r.Time
			}
			names := make([]string, 0, len(by))
			for n := range by {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(stdout, "%-30s %4d calls  last %s\n", n, by[n].n, by[n].last.Format(time.RFC3339))
			}
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME",
		Short: "Print every call a webhook received, rendered as text",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			recs, err := fetchWebhooks(cmd.Context(), endpoint, args[0], 0, 0)
			if err != nil {
				return err
			}
			for _, r := range recs {
				printWebhook(stdout, r)
			}
			return nil
		},
	})
	var follow bool
	tailCmd := &cobra.Command{
		Use:   "tail [NAME]",
		Short: "Print webhook calls (all names, or one), and with --follow new ones as they arrive",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			ctx := cmd.Context()
			if follow {
				var stop context.CancelFunc
				ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
				defer stop()
			}
			var after uint64
			for {
				wait := time.Duration(0)
				if follow {
					wait = 20 * time.Second
				}
				recs, err := fetchWebhooks(ctx, endpoint, name, after, wait)
				if err != nil {
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
				for _, r := range recs {
					printWebhook(stdout, r)
					after = r.Seq
				}
				if !follow {
					return nil
				}
			}
		},
	}
	tailCmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new calls until interrupted")
	cmd.AddCommand(tailCmd)
	return cmd
}

func printWebhook(w io.Writer, r webhooks.Record) {
	fmt.Fprintf(w, "%s %s %s %s\n", r.Time.Format(time.RFC3339), r.Name, r.Method, r.Path)
	for _, line := range strings.Split(r.Text, "\n") {
		fmt.Fprintf(w, "    %s\n", line)
	}
}

func fetchWebhooks(ctx context.Context, endpoint, name string, after uint64, wait time.Duration) ([]webhooks.Record, error) {
	u := strings.TrimRight(endpoint, "/") + "/_tenkai/api/webhooks"
	if name != "" {
		u += "/" + url.PathEscape(name)
	}
	q := url.Values{}
	q.Set("after", fmt.Sprint(after))
	if wait > 0 {
		q.Set("wait", wait.String())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach tenkai at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return nil, fmt.Errorf("tenkai answered %s: %s", resp.Status, b)
	}
	var out struct {
		Webhooks []webhooks.Record `json:"webhooks"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode webhooks: %w", err)
	}
	return out.Webhooks, nil
}
