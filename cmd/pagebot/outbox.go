package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"pagebot"
)

func newOutboxCmd(g *globals) *cobra.Command {
	var (
		status string
		limit  int
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "outbox [--status STATUT] [--limit N] [--json]",
		Short: "Liste les appels Graph faits, prévus ou, en simulation (dry-run), enregistrés au lieu d'être envoyés",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := g.load()
			if err != nil {
				return err
			}
			db, err := openStore(c)
			if err != nil {
				return err
			}
			defer db.Close()
			acts, err := db.Actions(cmd.Context(), pagebot.ActionFilter{Status: pagebot.OutboxStatus(status), Limit: limit})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(g.stdout)
				enc.SetEscapeHTML(false)
				for _, a := range acts {
					if err := enc.Encode(a); err != nil {
						return err
					}
				}
				return nil
			}
			if c.DryRun() {
				fmt.Fprintln(g.stdout, "Mode simulation (pas de facebook.page_token) : ces appels ont été enregistrés, pas envoyés.")
			}
			tw := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tÉVÉNEMENT\tACTION\tCIBLE\tÉTAT\tESSAIS\tRÉSULTAT\tTEXTE")
			for _, a := range acts {
				text := strings.ReplaceAll(a.Text, "\n", " ")
				if r := []rune(text); len(r) > 60 {
					text = string(r[:60]) + "…"
				}
				res := a.Result
				if a.Error != "" {
					res = "erreur : " + a.Error
				}
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\n", a.ID, a.EventID, a.Kind, a.Target, a.Status, a.Attempts, res, text)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "pending, done, failed, dropped ou draft (défaut : tous)")
	cmd.Flags().IntVar(&limit, "limit", 50, "nombre maximal de lignes")
	cmd.Flags().BoolVar(&asJSON, "json", false, "une ligne JSON par action")
	return cmd
}
