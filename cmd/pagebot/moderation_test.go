package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"pagebot"
	"pagebot/config"
)

func TestLiveModeration(t *testing.T) {
	c := config.Default()
	c.Data.Dir = filepath.Join(t.TempDir(), "data")
	l, err := newLiveModeration(c)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := l.Moderate("la caf c'est des incapables"); v != "ok" {
		t.Fatalf("criticism = %s, want ok", v)
	}
	const word = "zorglubesque"
	if v, _ := l.Moderate("vous êtes " + word); v != "ok" {
		t.Fatalf("unknown insult = %s, want ok before the edit", v)
	}
	// Add the word to the first category's patterns.
	yaml := l.RulesYAML()
	i := bytes.Index(yaml, []byte("    patterns:\n"))
	if i < 0 {
		t.Fatal("no patterns list in the shipped rules")
	}
	i += len("    patterns:\n")
	edited := append(append(append([]byte{}, yaml[:i]...), []byte("      - "+word+"\n")...), yaml[i:]...)
	if err := l.SetRulesYAML(edited); err != nil {
		t.Fatalf("SetRulesYAML: %v", err)
	}
	if v, rule := l.Moderate("vous êtes " + word); v == "ok" || !strings.Contains(rule, word) {
		t.Errorf("after the edit: %s %s, want the new rule to fire", v, rule)
	}
	if err := l.SetRulesYAML([]byte("version: 1\ncategories:\n  - name: x\n    verdict: maybe\n")); pagebot.ErrorCode(err) != pagebot.EINVALID {
		t.Errorf("invalid rules: err = %v, want EINVALID", err)
	}
	if v, _ := l.Moderate("vous êtes " + word); v == "ok" {
		t.Error("a refused edit replaced the rules in service")
	}
	// The edit survives a restart.
	again, err := newLiveModeration(c)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := again.Moderate("vous êtes " + word); v == "ok" {
		t.Error("edited rules not reloaded from the data directory")
	}
}
