package kb_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pagebot/frtext"
	"pagebot/kb"
)

// MustSynonyms loads the shipped synonym list.
func MustSynonyms(tb testing.TB) *kb.Synonyms {
	tb.Helper()
	s, err := kb.DefaultSynonyms()
	if err != nil {
		tb.Fatalf("DefaultSynonyms: %v", err)
	}
	return s
}

func benefit(name string) kb.Concept { return kb.Concept{Name: name, Kind: kb.KindBenefit} }
func intent(name string) kb.Concept  { return kb.Concept{Name: name, Kind: kb.KindIntent} }
func term(name string) kb.Concept    { return kb.Concept{Name: name, Kind: kb.KindTerm} }

func TestConcepts(t *testing.T) {
	s := MustSynonyms(t)
	tests := []struct {
		name string
		text string
		want []kb.Concept
	}{
		{"SMSDateOfAPL", "c quand ke tombe l'apl", []kb.Concept{intent("i_date"), benefit("aide_logement")}},
		{"SMSAbbreviations", "slt qd tombe l apl stp", []kb.Concept{intent("i_date"), benefit("aide_logement")}},
		{"LongestPhraseWins", "prime d'activité", []kb.Concept{benefit("prime_activite")}},
		{"LongestPhraseNotAllocation", "allocation logement", []kb.Concept{benefit("aide_logement")}},
		{"LongestPhraseRentree", "allocation de rentrée scolaire", []kb.Concept{benefit("ars")}},
		{"LongestPhraseDate", "date de paiement", []kb.Concept{intent("i_date")}},
		{"Plural", "allocations familiales", []kb.Concept{benefit("allocations_familiales")}},
		{"Singular", "allocation familiale", []kb.Concept{benefit("allocations_familiales")}},
		{"PluralOfSingularPhrase", "les aides au logement", []kb.Concept{benefit("aide_logement")}},
		{"AccentsAndCase", "PRIME D’ACTIVITÉ", []kb.Concept{benefit("prime_activite")}},
		{"AccentsAndCaseLongForm", "Revenu de Solidarité Active", []kb.Concept{benefit("rsa")}},
		{"CarteVitale", "j'ai perdu ma Carte Vitale", []kb.Concept{intent("i_perte"), benefit("carte_vitale")}},
		{"EachConceptOnce", "apl apl aide au logement quand quand", []kb.Concept{benefit("aide_logement"), intent("i_date")}},
		{"OrderOfAppearance", "montant du rsa et de l'apl", []kb.Concept{intent("i_montant"), benefit("rsa"), benefit("aide_logement")}},
		{"Term", "mon numéro allocataire", []kb.Concept{term("t_numero_allocataire")}},
		{"MicroIsNotMicroCreche", "je suis en micro, quand déclarer mon CA", []kb.Concept{benefit("micro_entrepreneur"), intent("i_date"), intent("i_declaration"), benefit("chiffre_affaires")}},
		{"MicroCreche", "place en micro-crèche", []kb.Concept{benefit("cmg")}},
		{"CaIsNotCa", "ça fait longtemps", nil},
		{"VigilanceIsNotDroits", "attestation de vigilance urssaf", []kb.Concept{benefit("attestation_vigilance"), term("t_urssaf")}},
		{"DroitsIsNotVigilance", "attestation de droits", []kb.Concept{benefit("attestation")}},
		{"CotisationsNotPensionDeductions", "cotisations sociales et CSG", []kb.Concept{benefit("cotisations"), benefit("prelevements_sociaux")}},
		{"RetirementDurationNotContribution", "durée de cotisation", []kb.Concept{benefit("trimestres")}},
		{"LatePenalty", "majorations de retard", []kb.Concept{benefit("majorations_retard")}},
		{"VatFranchiseNotHealth", "franchise en base de TVA", []kb.Concept{term("t_tva")}},
		{"SelfEmployedAccountNotOnlineAccount", "je me suis mis à mon compte", []kb.Concept{benefit("creation_activite")}},
		{"FarmWorker", "salarié agricole à la MSA", []kb.Concept{benefit("salarie_agricole"), term("t_msa")}},
		{"WholeWordsOnly", "rsaaa aplomb", nil},
		{"Nothing", "bonjour madame", nil},
		{"Empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Concepts(frtext.Normalize(tc.text))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Concepts(%q) mismatch (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestConceptsNil(t *testing.T) {
	var s *kb.Synonyms
	if got := s.Concepts("apl"); got != nil {
		t.Errorf("(*Synonyms)(nil).Concepts(apl) = %v, want nil", got)
	}
}

func TestReadSynonyms(t *testing.T) {
	const src = `benefits:
  - name: aide_logement
    phrases: [apl, aide au logement]
intents:
  - name: i_date
    phrases: [quand, date de versement]
terms:
  - name: t_alloc
    phrases: [alloc]
`
	s, err := kb.ReadSynonyms(strings.NewReader(src), "test")
	if err != nil {
		t.Fatalf("ReadSynonyms: %v", err)
	}
	got := s.Concepts(frtext.Normalize("Quand l'alloc : Aides au Logement"))
	want := []kb.Concept{intent("i_date"), term("t_alloc"), benefit("aide_logement")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Concepts mismatch (-want +got):\n%s", diff)
	}
}

func TestReadSynonymsRefuses(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // substring of the error
	}{
		{"NameWithSpace", "benefits:\n  - name: aide logement\n    phrases: [apl]\n", `"aide logement"`},
		{"NameWithTab", "benefits:\n  - name: \"aide\\tlogement\"\n    phrases: [apl]\n", "one word required"},
		{"EmptyName", "benefits:\n  - name: \"\"\n    phrases: [apl]\n", "one word required"},
		{"DuplicateInSameList", "benefits:\n  - name: rsa\n    phrases: [rsa]\n  - name: rsa\n    phrases: [rmi]\n", `"rsa" defined twice`},
		{"DuplicateAcrossLists", "benefits:\n  - name: rsa\n    phrases: [rsa]\nterms:\n  - name: rsa\n    phrases: [revenu]\n", `"rsa" defined twice`},
		{"EmptyPhrase", "intents:\n  - name: i_date\n    phrases: [quand, \"?!\"]\n", `empty phrase "?!"`},
		{"UnknownField", "benefits:\n  - name: rsa\n    phrase: [rsa]\n", "phrase"},
		{"UnknownSection", "benefit:\n  - name: rsa\n    phrases: [rsa]\n", "benefit"},
		{"Syntax", "benefits: [\n", "test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := kb.ReadSynonyms(strings.NewReader(tc.src), "test")
			if err == nil {
				t.Fatalf("ReadSynonyms = %+v, nil error; want an error containing %q", s, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadSynonyms error = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadSynonymsFile(t *testing.T) {
	if _, err := kb.LoadSynonyms("testdata/absent.yaml"); err == nil {
		t.Errorf("LoadSynonyms(absent) = nil error, want an error")
	}
}
