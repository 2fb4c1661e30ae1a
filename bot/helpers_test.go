package bot

import (
	"os"
	"sync"
	"testing"

	"pagebot/kb"
)

var (
	packOnce  sync.Once
	packIndex map[string]*kb.Index
	packErr   error
)

// MustPackIndex returns the in-memory index of an embedded sample pack,
// built once for all tests of the package.
func MustPackIndex(tb testing.TB, organism string) *kb.Index {
	tb.Helper()
	packOnce.Do(func() {
		packIndex = map[string]*kb.Index{}
		syn, err := kb.DefaultSynonyms()
		if err != nil {
			packErr = err
			return
		}
		for _, name := range kb.Packs() {
			faq, err := kb.Pack(name)
			if err != nil {
				packErr = err
				return
			}
			idx, err := kb.Open("", faq, syn)
			if err != nil {
				packErr = err
				return
			}
			packIndex[name] = idx
		}
	})
	if packErr != nil {
		tb.Fatalf("build pack indexes: %v", packErr)
	}
	idx, ok := packIndex[organism]
	if !ok {
		tb.Fatalf("no pack %q", organism)
	}
	return idx
}

// MustEngine returns an engine on an embedded pack with the default settings.
func MustEngine(tb testing.TB, organism string, masker Masker) *Engine {
	tb.Helper()
	dir, err := kb.DefaultDirectory()
	if err != nil {
		tb.Fatalf("directory: %v", err)
	}
	cfg := DefaultConfig()
	cfg.Organism = organism
	cfg.Wording.Signature = DefaultSignature(organism)
	e, err := New(MustPackIndex(tb, organism), dir, masker, cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return e
}

// MustReadCases reads an evaluation set from testdata.
func MustReadCases(tb testing.TB, path string) []Case {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open cases: %v", err)
	}
	defer f.Close()
	cases, err := ReadCases(f)
	if err != nil {
		tb.Fatalf("read cases: %v", err)
	}
	return cases
}
