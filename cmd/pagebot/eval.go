package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"pagebot/bot"
)

func newEvalCmd(g *globals) *cobra.Command {
	var (
		faqFile, casesFile, organism        string
		minAccuracy, maxWrong, minEscRecall float64
		minAnswerRate                       float64
		worst, folds                        int
		fit                                 bool
	)
	cmd := &cobra.Command{
		Use:   "eval --cases FILE [--faq FILE]",
		Short: "Mesure les décisions sur un jeu de messages étiquetés",
		Long: `Mesure les décisions de pagebot sur un jeu de messages étiquetés (lignes JSON
{"text": ..., "channel": ..., "expect": {"action": "answer", "faq_id": "..."}}).
Affiche la précision par action, le taux de mauvaises réponses, le taux d'escalade des
questions répondables et les pires erreurs ; sort en erreur sous les seuils demandés.
À lancer avant de publier une modification de la FAQ.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := g.load()
			if err != nil {
				return err
			}
			if organism != "" {
				c.KB.Organism = organism
			}
			k, err := knowledgeInService(c, faqFile)
			if err != nil {
				return err
			}
			f, err := os.Open(casesFile)
			if err != nil {
				return fmt.Errorf("cas : %w", err)
			}
			cases, err := bot.ReadCases(f)
			f.Close()
			if err != nil {
				return err
			}
			e, idx, err := newEngine(c, k, "")
			if err != nil {
				return err
			}
			defer idx.Close()
			if fit {
				samples, err := bot.Samples(e, cases)
				if err != nil {
					return err
				}
				m := bot.Fit(samples, 0.001, 3000)
				fmt.Fprintf(g.stderr, "modèle ajusté sur %d candidats de %d cas ; à mettre dans pagebot.yaml :\n", len(samples), len(cases))
				out, _ := yaml.Marshal(map[string]any{"bot": map[string]any{"model": m}})
				_, err = g.stdout.Write(out)
				return err
			}
			if folds > 1 {
				r, err := bot.CrossValidate(e, cases, folds)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "validation croisée en %d parts (modèle ajusté sur les autres parts à chaque fois) :\n", folds)
				r.Write(g.stdout, worst)
				return nil
			}
			r, err := bot.Evaluate(e, cases)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "FAQ : %s (%d entrées)\n", k.source, len(k.faq.Entries))
			r.Write(g.stdout, worst)
			var failed []string
			check := func(name string, got, limit float64, min bool) {
				if limit < 0 {
					return
				}
				if (min && got < limit) || (!min && got > limit) {
					failed = append(failed, fmt.Sprintf("%s %.2f %% (limite %.2f %%)", name, 100*got, 100*limit))
				}
			}
			check("précision des réponses", r.AnswerAccuracy(), minAccuracy, true)
			check("mauvaises réponses", r.WrongAnswerRate(), maxWrong, false)
			check("rappel des escalades", r.EscalationRecall(), minEscRecall, true)
			check("questions traitées automatiquement", r.AnswerRate(), minAnswerRate, true)
			if len(failed) > 0 {
				fmt.Fprintln(g.stdout)
				for _, f := range failed {
					fmt.Fprintln(g.stdout, "SOUS LE SEUIL :", f)
				}
				return exitError(1)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&faqFile, "faq", "", "fichier FAQ (YAML ou CSV) ; défaut : celui de la configuration")
	cmd.Flags().StringVar(&casesFile, "cases", "", "jeu de cas étiquetés (lignes JSON)")
	cmd.Flags().StringVar(&organism, "organism", "", "organisme (caf, cpam, retraite…)")
	cmd.Flags().Float64Var(&minAccuracy, "min-accuracy", -1, "précision minimale des réponses (0 à 1)")
	cmd.Flags().Float64Var(&maxWrong, "max-wrong", -1, "taux maximal de mauvaises réponses sur tous les cas (0 à 1)")
	cmd.Flags().Float64Var(&minEscRecall, "min-escalation-recall", -1, "rappel minimal des escalades attendues (0 à 1)")
	cmd.Flags().Float64Var(&minAnswerRate, "min-answer-rate", -1, "part minimale des questions répondables traitées automatiquement (0 à 1)")
	cmd.Flags().IntVar(&worst, "worst", 15, "nombre de pires erreurs affichées")
	cmd.Flags().IntVar(&folds, "folds", 0, "validation croisée en N parts (ajuste le modèle sur N-1 parts, mesure sur la dernière)")
	cmd.Flags().BoolVar(&fit, "fit", false, "ajuste le modèle de confiance sur les cas et l'affiche en YAML")
	_ = cmd.MarkFlagRequired("cases")
	return cmd
}
