package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"pagebot/bot"
	"pagebot/config"
	"pagebot/kb"
)

// knowledge is a loaded knowledge base: the FAQ, where it came from, the
// synonym list and the organism directory.
type knowledge struct {
	faq    *kb.FAQ
	source string
	syn    *kb.Synonyms
	dir    *kb.Directory
}

// importedFAQ is where `pagebot kb import` keeps the caisse's FAQ.
func importedFAQ(c config.Config) string { return filepath.Join(c.Data.Dir, "faq.yaml") }

// loadKnowledge loads the FAQ: faqFile if given; else the FAQ in service in
// the data directory (imported with `kb import` or edited in the console);
// else kb.file; else the organism's sample pack. kb.file and the pack seed
// the FAQ; once staff have imported or edited it, their version is the one
// in service.
func loadKnowledge(c config.Config, faqFile string) (*knowledge, error) {
	k := &knowledge{}
	var err error
	_, statErr := os.Stat(importedFAQ(c))
	switch {
	case faqFile != "":
		k.faq, err = kb.LoadFile(faqFile, c.KB.Organism)
		k.source = faqFile
	case statErr == nil:
		k.faq, err = kb.LoadFile(importedFAQ(c), c.KB.Organism)
		k.source = importedFAQ(c)
	case c.KB.File != "":
		k.faq, err = kb.LoadFile(c.KB.File, c.KB.Organism)
		k.source = c.KB.File
	default:
		k.faq, err = kb.Pack(c.KB.Organism)
		k.source = "pack " + c.KB.Organism + " (intégré)"
	}
	if err != nil {
		return nil, err
	}
	if k.faq.Organism == "" {
		k.faq.Organism = c.KB.Organism
	}
	if k.syn, err = kb.LoadSynonyms(c.KB.Synonyms); err != nil {
		return nil, err
	}
	if k.dir, err = kb.LoadDirectory(c.KB.Organisms); err != nil {
		return nil, err
	}
	return k, nil
}

// engineConfig maps the configuration onto the engine's settings.
func engineConfig(c config.Config, organism string) bot.Config {
	bc := bot.DefaultConfig()
	bc.Organism = organism
	bc.Threshold = c.Bot.Threshold
	bc.Gap = c.Bot.Gap
	bc.Candidates = c.Bot.Candidates
	bc.Courtesy = c.Bot.Courtesy
	if len(c.Bot.Model.Weights) > 0 {
		bc.Model = bot.Model{Bias: c.Bot.Model.Bias, Weights: c.Bot.Model.Weights}
	}
	w := &bc.Wording
	w.Signature = bot.DefaultSignature(organism)
	for _, o := range []struct {
		dst *string
		val string
	}{
		{&w.Signature, c.Reply.Signature}, {&w.CommentAnswer, c.Reply.CommentAnswer}, {&w.MessageAnswer, c.Reply.MessageAnswer},
		{&w.Redirect, c.Reply.Redirect}, {&w.CommentEscalate, c.Reply.CommentEscalate}, {&w.MessageEscalate, c.Reply.MessageEscalate},
		{&w.Courtesy, c.Reply.Courtesy}, {&w.Hidden, c.Reply.Hidden},
	} {
		if o.val != "" {
			*o.dst = o.val
		}
	}
	return bc
}

// newEngine opens an index of k (in memory when indexDir is "") and builds
// the decision engine on it.
func newEngine(c config.Config, k *knowledge, indexDir string) (*bot.Engine, *kb.Index, error) {
	idx, err := kb.Open(indexDir, k.faq, k.syn)
	if err != nil {
		return nil, nil, fmt.Errorf("open index: %w", err)
	}
	e, err := bot.New(idx, k.dir, newMasker(), engineConfig(c, k.faq.Organism))
	if err != nil {
		_ = idx.Close()
		return nil, nil, err
	}
	if c.Moderation.Enabled {
		live, err := newLiveModeration(c)
		if err != nil {
			_ = idx.Close()
			return nil, nil, err
		}
		e = e.WithModerator(live)
	}
	return e, idx, nil
}

// faqSaver keeps the FAQ edited in the console in the data directory, where
// `serve` and `ask` load it from at their next start.
type faqSaver struct{ c config.Config }

// SaveFAQ writes the FAQ atomically.
func (f faqSaver) SaveFAQ(faq *kb.FAQ) error { return writeFAQ(importedFAQ(f.c), faq) }

// writeFAQ writes faq as YAML to path through a temporary file and a rename,
// so that a crash never leaves half a FAQ.
func writeFAQ(path string, faq *kb.FAQ) error {
	var buf bytes.Buffer
	if err := kb.WriteYAML(&buf, faq); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("save faq: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o640); err != nil {
		return fmt.Errorf("save faq: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save faq: %w", err)
	}
	return nil
}
