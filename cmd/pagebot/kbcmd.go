package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"pagebot/kb"
)

func newKBCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kb",
		Short: "Vérifier, importer et exporter la FAQ",
	}
	cmd.AddCommand(newKBCheckCmd(g), newKBImportCmd(g), newKBExportCmd(g))
	return cmd
}

// printProblems writes a FAQ validation error for staff and returns exit 1.
func printProblems(w io.Writer, err error) error {
	var ve *kb.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintln(w, ve.Error())
		return exitError(1)
	}
	return err
}

func newKBCheckCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "check [FICHIER]",
		Short: "Vérifie un fichier FAQ (YAML ou CSV) et signale chaque problème avec sa ligne",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := g.load()
			if err != nil {
				return err
			}
			file := ""
			if len(args) == 1 {
				file = args[0]
			}
			k, err := loadKnowledge(c, file)
			if err != nil {
				return printProblems(g.stdout, err)
			}
			fmt.Fprintf(g.stdout, "%s : %d entrées, aucun problème.\n", k.source, len(k.faq.Entries))
			return nil
		},
	}
}

func newKBImportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import FICHIER",
		Short: "Importe la FAQ de la caisse (YAML ou CSV) dans le dossier de données, ou dans la base PostgreSQL partagée par les instances",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := g.load()
			if err != nil {
				return err
			}
			faq, err := kb.LoadFile(args[0], c.KB.Organism)
			if err != nil {
				return printProblems(g.stdout, err)
			}
			if faq.Organism == "" {
				faq.Organism = c.KB.Organism
			}
			if isPostgres(storeDSN(c)) {
				b, err := openStore(c)
				if err != nil {
					return err
				}
				defer b.Close()
				rev, err := importShared(cmd.Context(), b.faq, faq)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "%d entrées importées dans la base de données (révision %d) ; les instances en service les prennent en compte aussitôt.\n", len(faq.Entries), rev)
				return nil
			}
			dst := importedFAQ(c)
			if err := writeFAQ(dst, faq); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%d entrées importées dans %s ; c'est désormais la FAQ en service (redémarrez pagebot serve).\n", len(faq.Entries), dst)
			return nil
		},
	}
}

func newKBExportCmd(g *globals) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export [--format yaml|csv] [--out FICHIER]",
		Short: "Exporte la FAQ en service (YAML ou CSV)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := g.load()
			if err != nil {
				return err
			}
			k, err := knowledgeInService(c, "")
			if err != nil {
				return printProblems(g.stdout, err)
			}
			if format == "" && out != "" {
				format = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
			}
			var buf bytes.Buffer
			switch format {
			case "", "yaml", "yml":
				err = kb.WriteYAML(&buf, k.faq)
			case "csv":
				err = kb.WriteCSV(&buf, k.faq)
			default:
				return fmt.Errorf("format %q inconnu : yaml ou csv", format)
			}
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = g.stdout.Write(buf.Bytes())
				return err
			}
			return os.WriteFile(out, buf.Bytes(), 0o640)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "yaml (défaut) ou csv")
	cmd.Flags().StringVar(&out, "out", "", "fichier de sortie (défaut : sortie standard)")
	return cmd
}
