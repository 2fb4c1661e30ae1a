package kb

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed packs/*.yaml synonyms.yaml organisms.yaml
var embedded embed.FS

// Packs returns the names of the sample FAQ packs embedded in the binary
// (caf, cpam, retraite).
func Packs() []string {
	ents, _ := embedded.ReadDir("packs")
	var out []string
	for _, e := range ents {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Pack loads the embedded sample FAQ of an organism.
func Pack(organism string) (*FAQ, error) {
	data, err := embedded.ReadFile("packs/" + organism + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no sample FAQ for organism %q (available: %s)", organism, strings.Join(Packs(), ", "))
	}
	return ReadYAML(bytes.NewReader(data), "pack "+organism)
}

// LoadFile reads a FAQ file, YAML (.yaml, .yml) or CSV (.csv). For CSV,
// which has no organism line, organism is used.
func LoadFile(path, organism string) (*FAQ, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load faq: %w", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		f, err := ReadCSV(bytes.NewReader(data), path)
		if err != nil {
			return nil, err
		}
		f.Organism = organism
		return f, nil
	case ".yaml", ".yml":
		return ReadYAML(bytes.NewReader(data), path)
	}
	return nil, fmt.Errorf("load faq %s: unknown format (use .yaml, .yml or .csv)", path)
}

// DefaultSynonyms returns the synonym list shipped with pagebot.
func DefaultSynonyms() (*Synonyms, error) {
	data, err := embedded.ReadFile("synonyms.yaml")
	if err != nil {
		return nil, fmt.Errorf("read embedded synonyms: %w", err)
	}
	return ReadSynonyms(bytes.NewReader(data), "synonyms.yaml (embedded)")
}

// LoadSynonyms reads a synonym file, or the shipped list when path is "".
func LoadSynonyms(path string) (*Synonyms, error) {
	if path == "" {
		return DefaultSynonyms()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load synonyms: %w", err)
	}
	return ReadSynonyms(bytes.NewReader(data), path)
}

// DefaultSynonymsYAML returns the shipped synonym file, for staff to copy and edit.
func DefaultSynonymsYAML() []byte {
	data, _ := embedded.ReadFile("synonyms.yaml")
	return data
}
