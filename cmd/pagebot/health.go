package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// newHealthCmd checks a running pagebot through /readyz. Container images
// without a shell (the distroless one of the Dockerfile) have no curl:
// their HEALTHCHECK, or compose's, runs `pagebot health`.
func newHealthCmd(g *globals) *cobra.Command {
	var url string
	cmd := &cobra.Command{
		Use:   "health [--url URL]",
		Short: "Vérifie qu'un pagebot en service est prêt (/readyz) ; code de sortie 0 si oui, 1 sinon",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if url == "" {
				c, _, err := g.load()
				if err != nil {
					return err
				}
				url = "http://" + localAddr(c.HTTP.Listen) + "/readyz"
			}
			client := &http.Client{Timeout: 5 * time.Second}
			res, err := client.Get(url)
			if err != nil {
				fmt.Fprintf(g.stderr, "pagebot injoignable : %v\n", err)
				return exitError(1)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
			fmt.Fprintf(g.stdout, "%d %s\n", res.StatusCode, strings.TrimSpace(string(body)))
			if res.StatusCode != http.StatusOK {
				return exitError(1)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "adresse de /readyz (défaut : celle de http.listen, en local)")
	return cmd
}

// localAddr turns a listen address into one to dial from the same machine:
// an unspecified host (0.0.0.0, ::, empty) becomes the loopback.
func localAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
