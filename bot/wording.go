package bot

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"pagebot"
)

// Wording holds the reply templates, so that each caisse sets its own
// signature and tone without touching code. Templates use Go's text/template
// syntax with the fields of replyData; they are written in formal French.
type Wording struct {
	// Signature ends every reply ("L'équipe de la Caf du Nord").
	Signature string `mapstructure:"signature"`
	// CommentAnswer and MessageAnswer wrap a FAQ answer.
	CommentAnswer string `mapstructure:"comment_answer"`
	MessageAnswer string `mapstructure:"message_answer"`
	// Redirect names another organisation and how to reach it.
	Redirect string `mapstructure:"redirect"`
	// CommentEscalate and MessageEscalate are the holding replies sent when a
	// human agent takes over.
	CommentEscalate string `mapstructure:"comment_escalate"`
	MessageEscalate string `mapstructure:"message_escalate"`
	// Courtesy is the optional reply to thanks and greetings ("" for none).
	Courtesy string `mapstructure:"courtesy"`
	// Hidden is the private reply to the writer of a comment hidden because
	// it exposed personal data.
	Hidden string `mapstructure:"hidden"`
}

// DefaultWording returns the shipped templates.
func DefaultWording() Wording {
	return Wording{
		Signature: "L'équipe de la Caf",
		CommentAnswer: "Bonjour, {{.Answer}}{{if .Link}} Plus d'informations : {{.Link}}{{end}} " +
			"Pour une question sur votre dossier, écrivez-nous en message privé, sans indiquer de données personnelles en commentaire. {{.Signature}}",
		MessageAnswer: "Bonjour,\n\n{{.Answer}}{{if .Link}}\n\nPlus d'informations : {{.Link}}{{end}}\n\n{{.Signature}}",
		Redirect: "Bonjour, votre question relève de {{.Organism.Name}}{{if .Organism.Handles}} ({{.Organism.Handles}}){{end}}. " +
			"Nous vous invitons à la contacter{{if .Organism.Website}} sur {{.Organism.Website}}{{end}}" +
			"{{if .Organism.Phone}} ou par téléphone au {{.Organism.Phone}}{{if .Organism.PhoneNote}} ({{.Organism.PhoneNote}}){{end}}{{end}}. {{.Signature}}",
		CommentEscalate: "Bonjour, merci pour votre message. Un conseiller va prendre le relais{{if .When}} {{.When}}{{end}}. " +
			"Pour toute question sur votre situation personnelle, écrivez-nous en message privé et ne publiez pas d'informations personnelles en commentaire. {{.Signature}}",
		MessageEscalate: "Bonjour, merci pour votre message. Un conseiller vous répondra dans cette conversation{{if .When}} {{.When}}{{end}}. {{.Signature}}",
		Courtesy:        "",
		Hidden: "Bonjour, nous avons masqué votre commentaire car il contenait des informations personnelles " +
			"({{.PII}}) : pour votre sécurité, ne les publiez jamais en commentaire. Nous poursuivons ici, en message privé. {{.Signature}}",
	}
}

// replyData is what templates can use.
type replyData struct {
	Answer    string
	Link      string
	Organism  OrganismInfo
	When      string
	PII       string
	Signature string
}

// OrganismInfo is the part of a directory entry a redirect names.
type OrganismInfo struct {
	ID, Name, Handles, Website, Phone, PhoneNote string
}

// templates is the parsed form of a Wording.
type templates struct {
	w                                        Wording
	commentAnswer, messageAnswer, redirect   *template.Template
	commentEscalate, messageEscalate, hidden *template.Template
	courtesy                                 *template.Template
}

func parseWording(w Wording) (*templates, error) {
	t := &templates{w: w}
	for _, p := range []struct {
		name string
		src  string
		dst  **template.Template
	}{
		{"comment_answer", w.CommentAnswer, &t.commentAnswer},
		{"message_answer", w.MessageAnswer, &t.messageAnswer},
		{"redirect", w.Redirect, &t.redirect},
		{"comment_escalate", w.CommentEscalate, &t.commentEscalate},
		{"message_escalate", w.MessageEscalate, &t.messageEscalate},
		{"courtesy", w.Courtesy, &t.courtesy},
		{"hidden", w.Hidden, &t.hidden},
	} {
		tpl, err := template.New(p.name).Option("missingkey=error").Parse(p.src)
		if err != nil {
			return nil, fmt.Errorf("reply.%s: %w", p.name, err)
		}
		// Render once with sample data so that a bad field name fails at start.
		if _, err := render(tpl, replyData{Answer: "x", Link: "https://x", Organism: OrganismInfo{Name: "x"}}); err != nil {
			return nil, fmt.Errorf("reply.%s: %w", p.name, err)
		}
		*p.dst = tpl
	}
	return t, nil
}

func render(t *template.Template, d replyData) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return tidy(b.String()), nil
}

// tidy removes doubled spaces and spaces before line breaks left by empty
// template parts.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func (t *templates) answer(ch pagebot.Channel, answer, link string) (string, error) {
	tpl := t.commentAnswer
	if ch == pagebot.ChannelMessage {
		tpl = t.messageAnswer
	}
	return render(tpl, replyData{Answer: strings.TrimSpace(answer), Link: link, Signature: t.w.Signature})
}

func (t *templates) redirectTo(o OrganismInfo) (string, error) {
	return render(t.redirect, replyData{Organism: o, Signature: t.w.Signature})
}

func (t *templates) escalate(ch pagebot.Channel, when string) (string, error) {
	tpl := t.commentEscalate
	if ch == pagebot.ChannelMessage {
		tpl = t.messageEscalate
	}
	return render(tpl, replyData{When: when, Signature: t.w.Signature})
}

func (t *templates) courtesyReply() (string, error) {
	return render(t.courtesy, replyData{Signature: t.w.Signature})
}

func (t *templates) hiddenReply(kinds string) (string, error) {
	return render(t.hidden, replyData{PII: kinds, Signature: t.w.Signature})
}

// DefaultSignature returns the usual signature of an organism's replies.
func DefaultSignature(organism string) string {
	switch organism {
	case "caf":
		return "L'équipe de la Caf"
	case "cpam":
		return "L'Assurance Maladie"
	case "retraite":
		return "L'Assurance retraite"
	case "msa":
		return "La MSA"
	case "urssaf":
		return "L'Urssaf"
	}
	return "L'équipe de la caisse"
}
