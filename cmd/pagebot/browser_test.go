package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pagebot"
	"pagebot/graph/graphtest"
	"pagebot/postgres/pgtest"
)

// Browser tests drive the staff console in headless Chromium against a
// running pagebot (webhook, worker, fake Graph server), as an agent would.
//
//	go test -run TestBrowserConsole -v ./cmd/pagebot
//
// They are skipped when Chromium is absent, unless PAGEBOT_BROWSER_TESTS=1
// (set in CI after installing it), which makes its absence a failure.
// PAGEBOT_SCREENSHOTS=1 also rewrites docs/screenshots/*.png.

// chromiumPath returns the Chromium to drive, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	path := "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		path, err = exec.LookPath("chromium")
		if err != nil {
			if os.Getenv("PAGEBOT_BROWSER_TESTS") == "1" {
				t.Fatal("PAGEBOT_BROWSER_TESTS=1 but no chromium at /usr/bin/chromium nor in PATH")
			}
			t.Skip("no chromium: install Debian's chromium (apt-get install chromium) to run the browser tests")
		}
	}
	return path
}

// browser is a headless Chromium tab with a bounded deadline.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string // http://127.0.0.1:port
	shot bool   // write docs/screenshots
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	// Registered after TempDir: the cleanups run first, so Chromium has
	// exited before its profile directory is removed.
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancelTab)
	// Start the browser on the tab's own context (a deadline there would
	// be the browser's lifetime), then bound every step to 60 s in all.
	// The window's frame takes part of --window-size: set the viewport.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTime)
	return &browser{t: t, ctx: ctx, base: base, shot: os.Getenv("PAGEBOT_SCREENSHOTS") == "1"}
}

// run runs actions, failing the test with step in the message.
func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// text returns the visible text of the first element matching sel, with
// runs of white space (line breaks between blocks) made one space.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// location returns the current URL's path and query.
func (b *browser) location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// screenshot writes docs/screenshots/name.png, the whole page, when
// PAGEBOT_SCREENSHOTS=1. (FullScreenshot gives a PNG only at quality 100;
// below, a JPEG.)
func (b *browser) screenshot(name string) {
	b.t.Helper()
	if !b.shot {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func TestBrowserConsole(t *testing.T) {
	chromiumPath(t) // skip before starting a server
	t.Run("sqlite", func(t *testing.T) { browserConsole(t, "", true) })
	// The same walk on PostgreSQL: sessions, accounts, the FAQ (through the
	// shared store and its index sync), cases and the report come from it.
	t.Run("postgres", func(t *testing.T) { browserConsole(t, pgtest.Schema(t), false) })
}

// browserConsole walks through the console on the store dsn; shots says
// whether it may write the README's screenshots.
func browserConsole(t *testing.T, dsn string, shots bool) {
	e := mustStartE2E(t, dsn)
	base := strings.TrimSuffix(e.url, "/webhook")
	ctx := context.Background()
	const user, password = "claire.martin", "correct-horse-battery-7"
	if _, err := e.srv.store.CreateUser(ctx, user, "editor", password); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, base)
	b.shot = b.shot && shots

	// Log in: the console sends an anonymous visitor to the login form.
	b.run("open console", chromedp.Navigate(base+"/console/"), chromedp.WaitVisible(chromedp.ID("#name")))
	if loc := b.location(); !strings.HasPrefix(loc, "/console/login") {
		t.Fatalf("anonymous /console/ went to %s, want the login form", loc)
	}
	b.screenshot("login")
	b.run("log in",
		chromedp.SendKeys(chromedp.ID("#name"), user),
		chromedp.SendKeys(chromedp.ID("#password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/console/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("ul.cards")))
	if loc := b.location(); loc != "/console/" {
		t.Fatalf("after login at %s, want /console/", loc)
	}
	if body := b.text("body"); !strings.Contains(body, user) {
		t.Errorf("dashboard does not name the user %q:\n%s", user, body)
	}

	// Create a FAQ entry through the form.
	const id = "accueil-garage-velos"
	b.run("new FAQ entry form", chromedp.Navigate(base+"/console/faq/new"), chromedp.WaitVisible(chromedp.ID("#f-id")))
	b.run("fill FAQ entry",
		chromedp.SendKeys(chromedp.ID("#f-id"), id),
		chromedp.SendKeys(chromedp.ID("#f-question"), "Peut-on garer son vélo devant l'accueil de la Caf ?"),
		chromedp.SendKeys(chromedp.ID("#f-variants"), "Y a-t-il un parking à vélos à l'accueil ?\nOù attacher mon vélo quand je viens à la Caf ?"),
		chromedp.SendKeys(chromedp.ID("#f-answer"), "Oui : un abri à vélos fermé se trouve à droite de l'entrée de chaque accueil de la Caf. "+
			"Pensez à votre antivol ; les trottinettes y sont aussi acceptées."),
		chromedp.SendKeys(chromedp.ID("#f-links"), "https://www.caf.fr/allocataires/caf-du-rhone/points-d-accueil"),
		chromedp.SendKeys(chromedp.ID("#f-tags"), "accueil, velo"),
		chromedp.Click(chromedp.CSS(`form.entry button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if loc := b.location(); loc != "/console/faq/"+id+"/edit" {
		t.Fatalf("after creating the entry at %s (%s), want its edit page", loc, b.text("main"))
	}
	if flash := b.text("p.flash"); !strings.Contains(flash, id) || !strings.Contains(flash, "créée") {
		t.Errorf("flash = %q, want the entry created", flash)
	}

	// The FAQ list, filtered on the new tag, shows it.
	b.run("FAQ list", chromedp.Navigate(base+"/console/faq?tag=velo"), chromedp.WaitVisible(chromedp.CSS("ul.entries")))
	if list := b.text("ul.entries"); !strings.Contains(list, id) || !strings.Contains(list, "Peut-on garer son vélo") {
		t.Errorf("FAQ list filtered on velo:\n%s\nwant the new entry", list)
	}
	b.screenshot("faq")

	// Try a paraphrase: the bot answers with the new entry.
	b.run("try a question",
		chromedp.Navigate(base+"/console/try"),
		chromedp.WaitVisible(chromedp.ID("#text")),
		chromedp.SendKeys(chromedp.ID("#text"), "bonjour, est-ce qu'il y a un endroit pour attacher les vélos à l'accueil ?"),
		chromedp.Click(chromedp.CSS(`form[action="/console/try"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("#decision")))
	decision := b.text("section.decision")
	if !strings.Contains(decision, "Décision : Répondre avec la FAQ") || !strings.Contains(decision, id) ||
		!strings.Contains(decision, "abri à vélos") {
		t.Errorf("try page decision:\n%s\nwant an answer from %s", decision, id)
	}
	b.screenshot("try")

	// A Messenger message that needs a person: the worker escalates it.
	const complaint = "mon dossier est bloqué depuis 3 mois, personne ne répond"
	e.post(complaint, true, false)
	escalated := e.waitCalls(3)
	if len(escalated) < 3 || !strings.HasSuffix(escalated[len(escalated)-1].Path, "/pass_thread_control") {
		t.Fatalf("calls after the message = %v, want seen, holding message, pass to inbox", callNames(escalated))
	}
	b.run("escalations", chromedp.Navigate(base+"/console/cases"), chromedp.WaitVisible(chromedp.CSS("ul.cases")))
	if cases := b.text("ul.cases"); !strings.Contains(cases, complaint) || !strings.Contains(cases, "Message privé") {
		t.Fatalf("escalations page:\n%s\nwant the Messenger message", cases)
	}
	if status := b.text("main p[role=status]"); !strings.HasPrefix(status, "1 escalade(s)") {
		t.Errorf("escalations status = %q, want 1 open", status)
	}
	b.screenshot("escalations")

	// Reply through the form: the worker sends it with the HUMAN_AGENT tag.
	const reply = "Bonjour, je regarde votre dossier aujourd'hui et je reviens vers vous. Claire, conseillère Caf"
	before := len(e.graph.Calls())
	b.run("reply",
		chromedp.SendKeys(chromedp.CSS(`form.reply textarea[name=text]`), reply),
		chromedp.Click(chromedp.CSS(`form.reply button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if flash := b.text("p.flash"); !strings.Contains(flash, "programmée") {
		t.Errorf("flash after reply = %q, want the reply queued", flash)
	}
	calls := e.waitCalls(before + 1)
	var sent *graphtest.Call
	for i := before; i < len(calls); i++ {
		if calls[i].Method == "POST" && strings.HasSuffix(calls[i].Path, "/messages") {
			sent = &calls[i]
		}
	}
	if sent == nil {
		t.Fatalf("calls after the reply = %v, want a send_message", callNames(calls[before:]))
	}
	var msg map[string]string
	if err := sent.JSON("message", &msg); err != nil || msg["text"] != reply {
		t.Errorf("sent message = %v %v, want the agent's text", msg, err)
	}
	var to map[string]string
	if err := sent.JSON("recipient", &to); err != nil || to["id"] != "2000000000002" {
		t.Errorf("recipient = %v %v, want the user's PSID", to, err)
	}
	if sent.Params.Get("tag") != "HUMAN_AGENT" || !sent.HasProof {
		t.Errorf("send_message tag %q proof %v, want HUMAN_AGENT and an appsecret_proof", sent.Params.Get("tag"), sent.HasProof)
	}

	// The worker records the action done just after Graph answered: the
	// dashboard counts the agent's reply from then on.
	deadline := time.Now().Add(10 * time.Second)
	for {
		acts, err := e.srv.store.Actions(context.Background(), pagebot.ActionFilter{Status: pagebot.OutboxDone})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(acts, func(a pagebot.OutboxAction) bool { return a.Kind == pagebot.OutboxSendMessage && a.HumanAgent }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the agent's reply is not recorded done 10 s after Graph received it")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The dashboard shows the figures: one open case, the FAQ size, one
	// escalation answered by a person, the bot's decisions.
	b.run("dashboard", chromedp.Navigate(base+"/console/"), chromedp.WaitVisible(chromedp.CSS("ul.figures")))
	cards := b.text("ul.cards")
	if !strings.Contains(cards, "1 escalade(s) ouverte(s)") {
		t.Errorf("dashboard cards:\n%s\nwant 1 open escalation", cards)
	}
	entries := fmt.Sprintf("%d entrée(s) dans la FAQ", e.srv.index.DocCount())
	if !strings.Contains(cards, entries) {
		t.Errorf("dashboard cards:\n%s\nwant %q", cards, entries)
	}
	figures := b.text("ul.figures")
	for _, want := range []string{"Première réponse d'un conseiller", "1 escalade(s) traitée(s)", "Escalades en retard"} {
		if !strings.Contains(figures, want) {
			t.Errorf("dashboard figures:\n%s\nwant %q", figures, want)
		}
	}
	if body := b.text("main"); !strings.Contains(body, "Sur 1 décision(s).") || !strings.Contains(body, "Messages privés (1)") {
		t.Errorf("dashboard:\n%s\nwant 1 decision and 1 private message", body)
	}
	b.screenshot("dashboard")
}
