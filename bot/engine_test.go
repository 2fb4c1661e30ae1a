package bot

import (
	"strings"
	"testing"

	"pagebot"
	"pagebot/kb"
)

// fakeMasker masks a fixed value, to test what the engine does with masked
// text without depending on the detectors.
type fakeMasker struct{ value, kind string }

func (m fakeMasker) Mask(text string) (string, []string) {
	if m.value == "" || !strings.Contains(text, m.value) {
		return text, nil
	}
	return strings.ReplaceAll(text, m.value, "[téléphone masqué]"), []string{m.kind}
}

// TestDecide checks decisions on messages written for this test (not taken
// from the evaluation set).
func TestDecide(t *testing.T) {
	e := MustEngine(t, "caf", nil)
	tests := []struct {
		name    string
		channel pagebot.Channel
		text    string
		action  pagebot.Action
		faqID   string
		to      string
	}{
		{"thanks", "comment", "Merci beaucoup pour vos réponses 🙏", pagebot.ActionIgnore, "", ""},
		{"emoji only", "comment", "😍😍", pagebot.ActionIgnore, "", ""},
		{"empty", "message", "   ", pagebot.ActionIgnore, "", ""},
		{"tag a friend", "comment", "@Inès Moreau", pagebot.ActionIgnore, "", ""},
		{"apl date sms", "comment", "slt c kan ke l'apl est versé svp", pagebot.ActionAnswer, "apl-date-versement", ""},
		{"rsa quarterly declaration", "message", "comment faire ma declaration trimestrielle pour le rsa", pagebot.ActionAnswer, "rsa-declaration-trimestrielle", ""},
		{"scam sms", "comment", "j'ai reçu un SMS de la caf qui me demande mes coordonnées bancaires, c'est une arnaque ?", pagebot.ActionAnswer, "arnaque-sms-mail", ""},
		{"carte vitale is cpam", "comment", "bonjour comment je fais pour commander une nouvelle carte vitale", pagebot.ActionRedirect, "", "cpam"},
		{"unemployment is france travail", "comment", "comment m'actualiser sur france travail pour toucher le chomage", pagebot.ActionRedirect, "", "france-travail"},
		{"personal: money missing", "comment", "toujours pas reçu mon APL ce mois ci, c'est normal ??", pagebot.ActionEscalate, "", ""},
		{"personal: rights cut", "message", "pourquoi vous avez suspendu mon rsa sans prévenir", pagebot.ActionEscalate, "", ""},
		{"complaint", "comment", "service honteux, 2 heures d'attente au téléphone", pagebot.ActionEscalate, "", ""},
		{"personal: lowered this month", "comment", "mon APL a baissé ce mois-ci, pourquoi ?", pagebot.ActionEscalate, "", ""},
		{"personal: waiting since a date", "message", "j'ai envoyé mon dossier RSA et j'attends depuis le 3 mars", pagebot.ActionEscalate, "", ""},
		{"ASS is france travail", "comment", "l'ASS c'est versé quand ?", pagebot.ActionRedirect, "", "france-travail"},
		{"out of scope", "comment", "est-ce que la caf rembourse les lunettes de vue de mon fils", pagebot.ActionEscalate, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := e.Decide(Input{Channel: tc.channel, Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			if d.Action != tc.action {
				t.Fatalf("Decide(%q).Action = %v, want %v (faq %s, conf %.2f, reasons %v)", tc.text, d.Action, tc.action, d.FAQID, d.Confidence, d.Reasons)
			}
			if tc.faqID != "" && d.FAQID != tc.faqID {
				t.Errorf("Decide(%q).FAQID = %q, want %q", tc.text, d.FAQID, tc.faqID)
			}
			if d.RedirectTo != tc.to {
				t.Errorf("Decide(%q).RedirectTo = %q, want %q", tc.text, d.RedirectTo, tc.to)
			}
			if len(d.Reasons) == 0 {
				t.Errorf("Decide(%q) gave no reason", tc.text)
			}
			if d.Action != pagebot.ActionIgnore && !strings.Contains(d.Reply, "L'équipe de la Caf") {
				t.Errorf("Decide(%q).Reply = %q, want the signature", tc.text, d.Reply)
			}
		})
	}
}

func TestReplyWording(t *testing.T) {
	e := MustEngine(t, "caf", nil)
	comment, err := e.Decide(Input{Channel: pagebot.ChannelComment, Text: "quand est versée l'aide au logement ?"})
	if err != nil {
		t.Fatal(err)
	}
	message, err := e.Decide(Input{Channel: pagebot.ChannelMessage, Text: "quand est versée l'aide au logement ?"})
	if err != nil {
		t.Fatal(err)
	}
	if comment.Action != pagebot.ActionAnswer || message.Action != pagebot.ActionAnswer {
		t.Fatalf("actions = %v, %v, want answer", comment.Action, message.Action)
	}
	if !strings.Contains(comment.Reply, "message privé") {
		t.Errorf("comment reply %q does not invite a private message", comment.Reply)
	}
	if strings.Contains(message.Reply, "en commentaire") {
		t.Errorf("private reply %q talks about comments", message.Reply)
	}
	for _, r := range []string{comment.Reply, message.Reply} {
		if !strings.HasPrefix(r, "Bonjour") || !strings.Contains(r, "https://") {
			t.Errorf("reply %q: want a greeting and the official link", r)
		}
		if strings.Contains(r, " tu ") || strings.Contains(r, " ton ") {
			t.Errorf("reply %q is not formal", r)
		}
	}

	red, err := e.Decide(Input{Channel: pagebot.ChannelComment, Text: "mon relevé de carrière est faux, il manque des trimestres pour ma retraite"})
	if err != nil {
		t.Fatal(err)
	}
	if red.Action == pagebot.ActionRedirect {
		if !strings.Contains(red.Reply, "3960") || !strings.Contains(red.Reply, "lassuranceretraite.fr") {
			t.Errorf("redirect reply %q lacks the phone or website", red.Reply)
		}
	}

	esc, err := e.Decide(Input{Channel: pagebot.ChannelMessage, Text: "mon dossier est bloqué depuis 3 mois", When: "à partir de lundi 30 novembre à 8 h 30"})
	if err != nil {
		t.Fatal(err)
	}
	if esc.Action != pagebot.ActionEscalate || !strings.Contains(esc.Reply, "lundi 30 novembre") {
		t.Errorf("escalation = %v %q, want a holding reply that says when", esc.Action, esc.Reply)
	}
}

func TestRedirectWithoutPhone(t *testing.T) {
	e := MustEngine(t, "caf", nil)
	d, err := e.Decide(Input{Channel: pagebot.ChannelComment, Text: "je suis exploitant agricole, mes cotisations MSA ont augmenté, comment contester ?"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Action != pagebot.ActionRedirect || d.RedirectTo != "msa" {
		t.Fatalf("Decide = %v %q, want redirect msa", d.Action, d.RedirectTo)
	}
	if strings.Contains(d.Reply, "téléphone au .") || strings.Contains(d.Reply, "  ") {
		t.Errorf("reply %q has an empty phone or doubled spaces", d.Reply)
	}
}

func TestDecidePersonalData(t *testing.T) {
	e := MustEngine(t, "caf", fakeMasker{value: "06 11 22 33 44", kind: "phone"})
	text := "bonjour quand est versée l'aide au logement ? rappelez moi au 06 11 22 33 44"
	comment, err := e.Decide(Input{Channel: pagebot.ChannelComment, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if !comment.Hide || !comment.Private {
		t.Errorf("comment with a phone: Hide=%v Private=%v, want both true", comment.Hide, comment.Private)
	}
	if strings.Contains(comment.Masked, "06 11") || strings.Contains(comment.Reply, "06 11") {
		t.Errorf("phone leaked: masked %q reply %q", comment.Masked, comment.Reply)
	}
	if !strings.Contains(comment.Reply, "masqué votre commentaire") || !strings.Contains(comment.Reply, "numéro de téléphone") {
		t.Errorf("reply %q does not tell why the comment was hidden", comment.Reply)
	}
	if len(comment.PII) != 1 || comment.PII[0] != "phone" {
		t.Errorf("PII = %v, want [phone]", comment.PII)
	}
	message, err := e.Decide(Input{Channel: pagebot.ChannelMessage, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if message.Hide || message.Private {
		t.Errorf("private message with a phone: Hide=%v Private=%v, want false", message.Hide, message.Private)
	}
	if strings.Contains(message.Masked, "06 11") {
		t.Errorf("masked text %q keeps the phone", message.Masked)
	}
}

func TestCourtesy(t *testing.T) {
	dir, _ := kb.DefaultDirectory()
	cfg := DefaultConfig()
	cfg.Courtesy = true
	cfg.Wording.Courtesy = "Merci pour votre message ! {{.Signature}}"
	cfg.Wording.Signature = "La Caf du Nord"
	e, err := New(MustPackIndex(t, "caf"), dir, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(Input{Text: "merci !!"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Merci pour votre message ! La Caf du Nord"; d.Action != pagebot.ActionIgnore || d.Reply != want {
		t.Errorf("Decide(merci) = %v %q, want ignore %q", d.Action, d.Reply, want)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	idx := MustPackIndex(t, "caf")
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"threshold", func(c *Config) { c.Threshold = 1.5 }, "threshold"},
		{"gap", func(c *Config) { c.Gap = -1 }, "gap"},
		{"template", func(c *Config) { c.Wording.Redirect = "{{.Nope}}" }, "reply.redirect"},
		{"model", func(c *Config) { c.Model.Weights = map[string]float64{"nope": 1} }, "nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.edit(&cfg)
			_, err := New(idx, nil, nil, cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error = %v, want one naming %q", err, tc.want)
			}
		})
	}
	if _, err := New(nil, nil, nil, DefaultConfig()); err == nil {
		t.Error("New(nil searcher) succeeded")
	}
}

func TestFitSeparates(t *testing.T) {
	var samples []Sample
	for i := 0; i < 50; i++ {
		samples = append(samples, Sample{Features: kb.Features{Relative: 1, QueryCoverage: 0.9, EntryCoverage: 0.9, Cosine: 0.8}, Good: true})
		samples = append(samples, Sample{Features: kb.Features{Relative: 0.3, QueryCoverage: 0.2, EntryCoverage: 0.1, Cosine: 0.2}, Good: false})
	}
	m := Fit(samples, 0.001, 2000)
	good := m.Probability(samples[0].Features)
	bad := m.Probability(samples[1].Features)
	if good < 0.9 || bad > 0.1 {
		t.Errorf("fitted model gives %.3f to a good candidate and %.3f to a bad one", good, bad)
	}
}

func BenchmarkDecide(b *testing.B) {
	e := MustEngine(b, "caf", nil)
	msgs := []string{
		"bjr c quand ke l'apl tombe ce mois ci svp",
		"Bonjour, je voudrais savoir comment faire ma déclaration trimestrielle pour la prime d'activité, je n'arrive pas à trouver sur le site. Merci",
		"toujours pas reçu mon rsa c'est une honte",
		"merci beaucoup",
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Decide(Input{Channel: pagebot.ChannelComment, Text: msgs[i%len(msgs)]}); err != nil {
			b.Fatal(err)
		}
	}
}
