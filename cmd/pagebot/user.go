package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"pagebot"
)

func newUserCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Gérer les comptes de la console (agents, rédacteurs, administrateurs)",
	}
	cmd.AddCommand(newUserAddCmd(g), newUserPasswdCmd(g), newUserDisableCmd(g), newUserListCmd(g))
	return cmd
}

// readPassword reads one line of standard input: the password, never given
// as an argument (it would show in the process list and the shell history).
func (g *globals) readPassword() (string, error) {
	if f, ok := g.stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprintf(g.stderr, "Mot de passe (%d caractères au moins ; il s'affiche, videz l'écran ensuite) : ", pagebot.MinPasswordLen)
		}
	}
	line, err := bufio.NewReader(g.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("mot de passe attendu sur l'entrée standard (une ligne)")
	}
	return line, nil
}

// staffError turns a store error meant for staff into its French message.
func staffError(err error) error {
	var e *pagebot.Error
	if errors.As(err, &e) {
		return errors.New(e.Message)
	}
	return err
}

// withStore opens the configured store, runs fn and closes it.
func (g *globals) withStore(fn func(db store) error) error {
	c, _, err := g.load()
	if err != nil {
		return err
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	return errors.Join(fn(db.store), db.Close())
}

func newUserAddCmd(g *globals) *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "add NOM --role agent|editor|admin",
		Short: "Crée un compte ; le mot de passe est lu sur l'entrée standard",
		Example: "  printf '%s\\n' \"$MOT_DE_PASSE\" | pagebot user add marie.dupont --role editor\n" +
			"  pagebot user add marie.dupont --role agent < fichier-du-mot-de-passe",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if role == "" {
				return errors.New("--role requis : agent, editor ou admin")
			}
			password, err := g.readPassword()
			if err != nil {
				return err
			}
			return g.withStore(func(db store) error {
				u, err := db.CreateUser(cmd.Context(), args[0], role, password)
				if err != nil {
					return staffError(err)
				}
				if err := db.AddAudit(cmd.Context(), pagebot.AuditEntry{Actor: "cli", Action: "user.create",
					Subject: "user:" + u.Name, Detail: "rôle " + u.Role}); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "Compte %q créé (rôle %s).\n", u.Name, u.Role)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "rôle : agent (escalades, essai), editor (+ FAQ) ou admin (+ comptes)")
	return cmd
}

func newUserPasswdCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "passwd NOM",
		Short: "Change le mot de passe d'un compte (lu sur l'entrée standard) et ferme ses sessions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, err := g.readPassword()
			if err != nil {
				return err
			}
			return g.withStore(func(db store) error {
				if err := db.SetPassword(cmd.Context(), args[0], password); err != nil {
					return staffError(err)
				}
				if err := db.AddAudit(cmd.Context(), pagebot.AuditEntry{Actor: "cli", Action: "user.password",
					Subject: "user:" + args[0]}); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "Mot de passe de %q changé.\n", args[0])
				return nil
			})
		},
	}
}

func newUserDisableCmd(g *globals) *cobra.Command {
	var enable bool
	cmd := &cobra.Command{
		Use:   "disable NOM",
		Short: "Désactive un compte (ou le réactive avec --enable)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withStore(func(db store) error {
				if err := db.DisableUser(cmd.Context(), args[0], !enable); err != nil {
					return staffError(err)
				}
				action, msg := "user.disable", "Compte %q désactivé.\n"
				if enable {
					action, msg = "user.enable", "Compte %q réactivé.\n"
				}
				if err := db.AddAudit(cmd.Context(), pagebot.AuditEntry{Actor: "cli", Action: action,
					Subject: "user:" + args[0]}); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, msg, args[0])
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&enable, "enable", false, "réactive le compte")
	return cmd
}

func newUserListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Liste les comptes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withStore(func(db store) error {
				users, err := db.Users(cmd.Context())
				if err != nil {
					return err
				}
				for _, u := range users {
					state := "actif"
					if u.Disabled {
						state = "désactivé"
					}
					fmt.Fprintf(g.stdout, "%s\t%s\t%s\t%s\n", u.Name, u.Role, state, u.CreatedAt.Format("2006-01-02"))
				}
				return nil
			})
		},
	}
}
