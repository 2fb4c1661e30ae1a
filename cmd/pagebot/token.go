package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"pagebot"
)

func newTokenCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Gérer les jetons d'accès à l'API (/api/) des intégrations",
		Long: `Gérer les jetons d'accès à l'API JSON (/api/) : scripts et applications de la caisse
les envoient dans l'en-tête « Authorization: Bearer <jeton> ». Seule une empreinte
(SHA-256) du jeton est gardée : il ne s'affiche qu'une fois, à sa création.`,
	}
	cmd.AddCommand(newTokenCreateCmd(g), newTokenListCmd(g), newTokenRevokeCmd(g))
	return cmd
}

func newTokenCreateCmd(g *globals) *cobra.Command {
	var role, name string
	cmd := &cobra.Command{
		Use:   "create --role agent|editor|admin [--name NOM]",
		Short: "Crée un jeton et l'écrit, seul, sur la sortie standard (une seule fois)",
		Example: "  pagebot token create --role editor --name synchro-cms\n" +
			"  JETON=$(pagebot token create --role agent --name tableau-de-bord)",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if role == "" {
				return errors.New("--role requis : agent, editor ou admin")
			}
			if name == "" {
				name = "jeton-" + strings.ToLower(rand.Text()[:8])
			}
			return g.withStore(func(db store) error {
				token, err := db.CreateAPIToken(cmd.Context(), name, role, "cli")
				if err != nil {
					return staffError(err)
				}
				if err := db.AddAudit(cmd.Context(), pagebot.AuditEntry{Actor: "cli", Action: "token.create",
					Subject: "token:" + name, Detail: "rôle " + role}); err != nil {
					return err
				}
				// The token alone on stdout, for scripts; the advice on stderr.
				fmt.Fprintln(g.stdout, token)
				fmt.Fprintf(g.stderr, "Jeton %q créé (rôle %s). Copiez-le maintenant : il ne sera plus affiché. "+
					"Révocation : pagebot token revoke %s\n", name, role, name)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "rôle : agent (lecture de la FAQ, ask, escalades), editor (+ modification de la FAQ) ou admin")
	cmd.Flags().StringVar(&name, "name", "", "nom du jeton (lettres minuscules, chiffres, . _ -) ; tiré au hasard si absent")
	return cmd
}

// apiTokenInfo describes a token, never its secret.
type apiTokenInfo = pagebot.APITokenInfo

// listTokens lists the API tokens, revoked ones included.
func listTokens(ctx context.Context, db store) ([]apiTokenInfo, error) {
	return db.APITokens(ctx)
}

func newTokenListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Liste les jetons (nom, rôle, état, création), jamais leur valeur",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withStore(func(db store) error {
				ts, err := listTokens(cmd.Context(), db)
				if err != nil {
					return err
				}
				for _, t := range ts {
					state := "actif"
					if !t.RevokedAt.IsZero() {
						state = "révoqué le " + t.RevokedAt.Format("2006-01-02")
					}
					fmt.Fprintf(g.stdout, "%s\t%s\t%s\tcréé le %s par %s\n", t.Name, t.Role, state, t.CreatedAt.Format("2006-01-02"), t.CreatedBy)
				}
				return nil
			})
		},
	}
}

func newTokenRevokeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke NOM",
		Short: "Révoque un jeton : l'API le refuse dès la requête suivante",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withStore(func(db store) error {
				if err := db.RevokeAPIToken(cmd.Context(), args[0]); err != nil {
					return staffError(err)
				}
				if err := db.AddAudit(cmd.Context(), pagebot.AuditEntry{Actor: "cli", Action: "token.revoke",
					Subject: "token:" + args[0]}); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "Jeton %q révoqué.\n", args[0])
				return nil
			})
		},
	}
}
