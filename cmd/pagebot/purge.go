package main

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"time"

	"github.com/spf13/cobra"
)

func newPurgeCmd(g *globals) *cobra.Command {
	var (
		sender string
		days   int
	)
	cmd := &cobra.Command{
		Use:   "purge (--sender ID | --older-than-days N)",
		Short: "Supprime tout ce qui est conservé sur une personne (demande d'effacement), ou ce qui dépasse la durée de conservation",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (sender == "") == (days == 0) {
				return errors.New("indiquez soit --sender ID, soit --older-than-days N")
			}
			return g.withStore(func(db store) error {
				return purge(cmd.Context(), g, db, sender, days)
			})
		},
	}
	cmd.Flags().StringVar(&sender, "sender", "", "identifiant Facebook de la personne (PSID ou auteur du commentaire)")
	cmd.Flags().IntVar(&days, "older-than-days", 0, "supprime les événements traités de plus de N jours")
	return cmd
}

func purge(ctx context.Context, g *globals, db store, sender string, days int) error {
	if sender != "" {
		actor := "cli"
		if u, err := user.Current(); err == nil {
			actor = "cli:" + u.Username
		}
		n, err := db.PurgeSender(ctx, sender, actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "%d événement(s) supprimé(s), avec les décisions, actions, dossiers et reprises en main associés.\n", n)
		return nil
	}
	n, err := db.Purge(ctx, time.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "%d événement(s) de plus de %d jours supprimé(s).\n", n, days)
	return nil
}
