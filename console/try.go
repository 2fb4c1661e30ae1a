package console

import (
	"net/http"
	"strings"

	"pagebot"
	"pagebot/bot"
	"pagebot/kb"
)

// maxTryText bounds the message tried (a long Messenger message).
const maxTryText = 5000

// shownCandidates is how many candidates the try page lists.
const shownCandidates = 5

// featureLabels name the candidate features for staff.
var featureLabels = map[string]string{
	"relative": "score relatif", "margin": "marge sur la suivante", "query_coverage": "mots du message couverts",
	"entry_coverage": "mots de l'entrée couverts", "cosine": "ressemblance des lettres",
	"benefit_match": "même prestation", "benefit_conflict": "autre prestation", "intent_match": "même type de question",
	"intent_conflict": "autre type de question", "unknown": "mots inconnus de la FAQ", "concepts": "notions communes",
}

type feature struct {
	Name  string
	Value float64
}

type candidate struct {
	bot.Scored
	Features []feature
}

// tryData is the content of the try page.
type tryData struct {
	Text       string
	Channel    string
	Error      string
	Decision   *bot.Decision
	Candidates []candidate
}

// tryForm shows an empty try page.
func (h *handler) tryForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "try", h.page(r, "Essayer une question", "try", tryData{Channel: string(pagebot.ChannelComment)}))
}

// try shows what the bot would do with a message, and why. Nothing is sent,
// stored or logged: the message may hold personal data.
func (h *handler) try(w http.ResponseWriter, r *http.Request) {
	d := tryData{Text: r.PostFormValue("text"), Channel: r.PostFormValue("channel")}
	ch, err := pagebot.ParseChannel(d.Channel)
	switch {
	case err != nil:
		d.Error = pagebot.ErrorMessage(err)
	case strings.TrimSpace(d.Text) == "":
		d.Error = "Écrivez une question."
	case len([]rune(d.Text)) > maxTryText:
		d.Error = "Message trop long (5 000 caractères au plus)."
	}
	if d.Error != "" {
		h.render(w, r, http.StatusUnprocessableEntity, "try", h.page(r, "Essayer une question", "try", d))
		return
	}
	dec, err := h.decider.Decide(bot.Input{Channel: ch, Text: d.Text})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d.Channel = string(ch)
	d.Decision = &dec
	for i, c := range dec.Candidates {
		if i == shownCandidates {
			break
		}
		v := c.Features.Vector()
		fs := make([]feature, len(kb.FeatureNames))
		for j, n := range kb.FeatureNames {
			label := featureLabels[n]
			if label == "" {
				label = n
			}
			fs[j] = feature{label, v[j]}
		}
		d.Candidates = append(d.Candidates, candidate{c, fs})
	}
	h.render(w, r, http.StatusOK, "try", h.page(r, "Essayer une question", "try", d))
}
