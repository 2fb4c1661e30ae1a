package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"pagebot"
	"pagebot/bot"
	"pagebot/console"
)

func newAskCmd(g *globals) *cobra.Command {
	var (
		faqFile, organism string
		asJSON, verbose   bool
		channel           string
	)
	cmd := &cobra.Command{
		Use:   "ask [--faq FILE] [--organism NAME] [--json] [TEXTE…]",
		Short: "Décide pour chaque TEXTE, ou pour chaque ligne de l'entrée standard",
		Long: `Décide pour chaque TEXTE, ou pour chaque ligne de l'entrée standard, ce que pagebot ferait.
Avec --json, chaque ligne d'entrée est soit un objet {"text": "...", "channel": "comment"|"message"},
soit du texte brut (un commentaire), et chaque ligne de sortie est un objet JSON, dans l'ordre.`,
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
			e, idx, err := newEngine(c, k, "")
			if err != nil {
				return err
			}
			defer idx.Close()
			ch, err := pagebot.ParseChannel(channel)
			if err != nil {
				return err
			}
			out := bufio.NewWriter(g.stdout)
			defer out.Flush()
			decide := func(in bot.Input) error {
				d, err := e.Decide(in)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSONDecision(out, d, verbose)
				}
				writeTextDecision(out, d, verbose)
				return nil
			}
			if len(args) > 0 {
				for _, a := range args {
					if err := decide(bot.Input{Channel: ch, Text: a}); err != nil {
						return err
					}
				}
				return nil
			}
			return eachLine(g.stdin, func(line string, n int) error {
				in := bot.Input{Channel: ch, Text: line}
				if asJSON {
					var err error
					if in, err = parseJSONInput(line, ch); err != nil {
						return fmt.Errorf("ligne %d : %w", n, err)
					}
				}
				if err := decide(in); err != nil {
					return err
				}
				return out.Flush() // one answer per line, as it comes, for streaming
			})
		},
	}
	cmd.Flags().StringVar(&faqFile, "faq", "", "fichier FAQ (YAML ou CSV) à la place de celui de la configuration")
	cmd.Flags().StringVar(&organism, "organism", "", "organisme (caf, cpam, retraite…) : pack d'exemple et organisme de la caisse")
	cmd.Flags().BoolVar(&asJSON, "json", false, "entrée et sortie en lignes JSON")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "ajouter les raisons et les meilleures entrées candidates")
	cmd.Flags().StringVar(&channel, "channel", "comment", "canal par défaut : comment ou message")
	return cmd
}

// parseJSONInput reads one --json input line: an object or plain text.
func parseJSONInput(line string, def pagebot.Channel) (bot.Input, error) {
	t := strings.TrimSpace(line)
	if !strings.HasPrefix(t, "{") {
		return bot.Input{Channel: def, Text: line}, nil
	}
	var v struct {
		Text    string `json:"text"`
		Channel string `json:"channel"`
	}
	if err := json.Unmarshal([]byte(t), &v); err != nil {
		return bot.Input{}, fmt.Errorf("JSON illisible : %w", err)
	}
	ch := def
	if v.Channel != "" {
		var err error
		if ch, err = pagebot.ParseChannel(v.Channel); err != nil {
			return bot.Input{}, err
		}
	}
	return bot.Input{Channel: ch, Text: v.Text}, nil
}

// eachLine calls fn for each line of r (numbered from 1), skipping nothing:
// an empty line gets a decision too, so output lines match input lines.
func eachLine(r io.Reader, fn func(line string, n int) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		if err := fn(sc.Text(), n); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("lecture de l'entrée : %w", err)
	}
	return nil
}

// jsonDecision is the output line of `ask --json`: the same object as the
// API's /api/ask, plus reasons and candidates with -v.
type jsonDecision struct {
	console.AskResponse
	Reasons    []string     `json:"reasons,omitempty"`
	Candidates []bot.Scored `json:"candidates,omitempty"`
}

func writeJSONDecision(w io.Writer, d bot.Decision, verbose bool) error {
	j := jsonDecision{AskResponse: console.NewAskResponse(d)}
	if verbose {
		j.Reasons = d.Reasons
		j.Candidates = d.Candidates
		if len(j.Candidates) > 5 {
			j.Candidates = j.Candidates[:5]
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(j)
}

func writeTextDecision(w io.Writer, d bot.Decision, verbose bool) {
	head := string(d.Action)
	switch d.Action {
	case pagebot.ActionAnswer:
		head += " " + d.FAQID
	case pagebot.ActionRedirect:
		head += " " + d.RedirectTo
	}
	fmt.Fprintf(w, "%s (confiance %.2f)", head, d.Confidence)
	if d.Hide {
		fmt.Fprintf(w, " — commentaire à masquer (%s)", strings.Join(d.PII, ", "))
	}
	fmt.Fprintln(w)
	if verbose {
		for _, r := range d.Reasons {
			fmt.Fprintf(w, "  raison : %s\n", r)
		}
		for i, c := range d.Candidates {
			if i == 5 {
				break
			}
			fmt.Fprintf(w, "  %d. %-40s %.2f\n", i+1, c.ID, c.Confidence)
		}
	}
	if d.Reply != "" {
		fmt.Fprintf(w, "  réponse : %s\n", strings.ReplaceAll(d.Reply, "\n", "\n            "))
	}
}
