package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"pagebot"
)

// ModerationRules are the live moderation rules of public comments, as the
// YAML file staff read and edit.
type ModerationRules interface {
	// RulesYAML returns the rules file in use.
	RulesYAML() []byte
	// SetRulesYAML validates data, saves it and makes it the rules in use at
	// once. A file refused by validation is an error with code EINVALID whose
	// message (pagebot.ErrorMessage) lists every problem, one a line, with
	// its line number, as moderation.Parse reports them; the rules in use
	// then stay as they were. Any other error is internal.
	SetRulesYAML(data []byte) error
}

// ModerationChecker tries a comment against the rules in use, for the
// "Tester un commentaire" form. A ModerationRules that also implements it
// gets the form.
type ModerationChecker interface {
	// Check returns the verdict ("ok", "review" or "hide"), the deciding
	// rule and its category, and every rule that fired.
	Check(text string) (verdict, rule, category string, reasons []string)
}

// moderationRules serves the moderation page's dependency; nil when
// moderation is off.
type moderationRules struct {
	rules   ModerationRules
	checker ModerationChecker // nil when rules cannot check a comment
	// edits serialises the console's changes: compare versions, then set.
	edits sync.Mutex
}

func newModerationRules(m ModerationRules) *moderationRules {
	if m == nil {
		return nil
	}
	c, _ := m.(ModerationChecker)
	return &moderationRules{rules: m, checker: c}
}

// rulesProblem is one problem of a refused rules file.
type rulesProblem struct {
	Line    int // 0 when unknown
	Message string
}

// moderationData is the content of the moderation page.
type moderationData struct {
	// Off is set when the console has no moderation rules.
	Off bool
	// Rules is the file shown: the rules in use, or the text submitted
	// when it was refused.
	Rules string
	Lines int
	// Version identifies the rules in use when the form was shown, so that
	// an edit does not silently overwrite someone else's.
	Version  string
	Problems []rulesProblem
	// CanTest is set when the rules can check a comment.
	CanTest bool
	Test    moderationTest
}

// moderationTest is the "Tester un commentaire" form and its result.
type moderationTest struct {
	Text   string
	Error  string
	Result *moderationResult
}

type moderationResult struct {
	Verdict, Rule, Category string
	Reasons                 []string
}

// VerdictLabel says in French what happens to the comment.
func (r moderationResult) VerdictLabel() string {
	switch r.Verdict {
	case "hide":
		return "Masqué"
	case "review":
		return "Reste visible, à relire par l'équipe"
	case "ok":
		if r.Category == "ignore" {
			return "Rien à modérer ni à répondre (mentions ou émojis seulement)"
		}
		return "Reste visible"
	}
	return r.Verdict
}

// rulesVersion is a short hash of a rules file.
func rulesVersion(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func countLines(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// problemLineRe finds the line of a problem: "name:12: message" from the
// rules' checks, or "line 12: message" from the YAML parser.
var (
	problemLineRe = regexp.MustCompile(`^[^\n]*?:(\d+): (.*)$`)
	yamlLineRe    = regexp.MustCompile(`\bline (\d+): (.*)$`)
)

// rulesProblems splits a validation message into its problems, one a line.
func rulesProblems(msg string) []rulesProblem {
	var out []rulesProblem
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		p := rulesProblem{Message: l}
		if m := problemLineRe.FindStringSubmatch(l); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[2]
		} else if m := yamlLineRe.FindStringSubmatch(l); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[2]
		}
		out = append(out, p)
	}
	return out
}

// moderationPage returns the page's content for the rules in use.
func (h *handler) moderationPage() moderationData {
	m := h.moderation
	if m == nil {
		return moderationData{Off: true}
	}
	b := m.rules.RulesYAML()
	return moderationData{Rules: string(b), Lines: countLines(b), Version: rulesVersion(b), CanTest: m.checker != nil}
}

func (h *handler) renderModeration(w http.ResponseWriter, r *http.Request, status int, d moderationData) {
	h.render(w, r, status, "moderation", h.page(r, "Règles de modération", "moderation", d))
}

// moderationOff refuses a change when the console has no moderation rules.
func (h *handler) moderationOff(w http.ResponseWriter, r *http.Request) bool {
	if h.moderation == nil {
		h.renderError(w, r, http.StatusNotFound, "La modération des commentaires n'est pas activée : il n'y a pas de règles à modifier ni à tester.")
		return true
	}
	return false
}

// moderationView shows the rules: read-only for agents, in a form for
// editors.
func (h *handler) moderationView(w http.ResponseWriter, r *http.Request) {
	h.renderModeration(w, r, http.StatusOK, h.moderationPage())
}

// moderationUpdate replaces the rules with the submitted file, unless it is
// invalid or someone changed the rules since the form was shown. Editors may
// do it, as they edit the FAQ: both are what the Page says and leaves
// visible, every change is validated before it is live and is audited.
func (h *handler) moderationUpdate(w http.ResponseWriter, r *http.Request) {
	if h.moderationOff(w, r) {
		return
	}
	m := h.moderation
	text := strings.ReplaceAll(r.PostFormValue("rules"), "\r\n", "\n")
	data := []byte(text)
	m.edits.Lock()
	defer m.edits.Unlock()

	d := h.moderationPage()
	old := m.rules.RulesYAML()
	d.Rules, d.Lines = text, countLines(data)
	switch {
	case r.PostFormValue("version") != rulesVersion(old):
		d.Version = r.PostFormValue("version") // saving again must conflict again
		d.Problems = []rulesProblem{{Message: "Les règles ont été modifiées par quelqu'un d'autre depuis l'ouverture de la page. " +
			"Copiez vos changements, rechargez la page et reportez-les sur la version actuelle."}}
		h.renderModeration(w, r, http.StatusConflict, d)
		return
	case strings.TrimSpace(text) == "":
		d.Problems = []rulesProblem{{Message: "Le fichier est vide."}}
		h.renderModeration(w, r, http.StatusUnprocessableEntity, d)
		return
	case bytes.Equal(data, old):
		h.flash(r, "Aucune modification : les règles n'ont pas changé.")
		http.Redirect(w, r, Prefix+"/moderation", http.StatusSeeOther)
		return
	}
	if err := m.rules.SetRulesYAML(data); err != nil {
		if pagebot.ErrorCode(err) == pagebot.EINVALID {
			d.Problems = rulesProblems(pagebot.ErrorMessage(err))
			h.renderModeration(w, r, http.StatusUnprocessableEntity, d)
			return
		}
		// Keep the text typed: it may be long work.
		h.log.WithError(err).WithFields(map[string]any{"method": r.Method, "path": r.URL.Path}).Error("console")
		d.Problems = []rulesProblem{{Message: "Erreur interne : les règles n'ont pas été enregistrées. " +
			"Copiez vos changements et réessayez ; si l'erreur persiste, prévenez l'administrateur."}}
		h.renderModeration(w, r, http.StatusInternalServerError, d)
		return
	}
	h.audit(r, "moderation.rules", "moderation:rules", fmt.Sprintf("%d octets, %d lignes (version %s, avant %s)",
		len(data), countLines(data), rulesVersion(data), rulesVersion(old)))
	h.flash(r, "Règles de modération enregistrées")
	http.Redirect(w, r, Prefix+"/moderation", http.StatusSeeOther)
}

// moderationTry shows the verdict of the rules in use on a comment. Nothing
// is stored or logged: the comment may hold personal data.
func (h *handler) moderationTry(w http.ResponseWriter, r *http.Request) {
	if h.moderationOff(w, r) {
		return
	}
	d := h.moderationPage()
	if !d.CanTest {
		h.renderError(w, r, http.StatusNotFound, "Ces règles ne permettent pas de tester un commentaire.")
		return
	}
	d.Test.Text = r.PostFormValue("text")
	switch {
	case strings.TrimSpace(d.Test.Text) == "":
		d.Test.Error = "Écrivez un commentaire."
	case len([]rune(d.Test.Text)) > maxTryText:
		d.Test.Error = "Commentaire trop long (5 000 caractères au plus)."
	}
	if d.Test.Error != "" {
		h.renderModeration(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	v, rule, cat, reasons := h.moderation.checker.Check(d.Test.Text)
	d.Test.Result = &moderationResult{Verdict: v, Rule: rule, Category: cat, Reasons: reasons}
	h.renderModeration(w, r, http.StatusOK, d)
}
