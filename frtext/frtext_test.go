package frtext_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"pagebot/frtext"
)

func TestFold(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"Empty", "", ""},
		{"OnlySpaces", "   \t\n ", ""},
		{"LowerCase", "Bonjour MADAME", "bonjour madame"},
		{"Accents", "À quelle date l'aide est-elle versée ? Très bien, ça marche.", "a quelle date l aide est elle versee tres bien ca marche"},
		{"UpperAccents", "ÉTÉ ÇA ÊTRE ÎLE ÔTER ÙÛÜ Ÿ", "ete ca etre ile oter uuu y"},
		{"LigatureOE", "Œuvre, cœur, sœur", "oeuvre coeur soeur"},
		{"LigatureAE", "Curriculum vitæ", "curriculum vitae"},
		{"SharpS", "Straße", "strasse"},
		{"CapitalSharpS", "STRAẞE", "strasse"},
		{"CurlyApostrophe", "l’APL d’été", "l apl d ete"},
		{"StraightApostrophe", "l'APL", "l apl"},
		{"Emoji", "merci 😀😀 la caf 👍", "merci la caf"},
		{"EmojiOnly", "🙏", ""},
		{"InvalidUTF8", "apl\xffrsa", "apl rsa"},
		{"InvalidUTF8Edges", "\xff\xfeapl\xff", "apl"},
		{"Digits", "Le 5/12 à 14h30, 250€", "le 5 12 a 14h30 250"},
		{"Punctuation", "...quand???!!! (svp)", "quand svp"},
		{"NoBreakSpace", "prime\u00a0d’activité", "prime d activite"},
		{"Tabs", "rsa\t\tapl\r\naah", "rsa apl aah"},
		{"DecomposedAccent", "e\u0301te\u0301 re\u0301gularisation", "ete regularisation"},
		{"NonFrenchLettersKept", "Łódź Ørsted", "łodź ørsted"},
		{"Hyphen", "est-ce que", "est ce que"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := frtext.Fold(tc.in); got != tc.want {
				t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"Empty", "", ""},
		{"NothingToExpand", "Quand est versée l'APL ?", "quand est versee l apl"},
		{"SMSQuestion", "slt c qd ke tombe l'apl", "salut c quand que tombe l apl"},
		{"Combien", "cb je vais toucher pr la prime", "combien je vais toucher pour la prime"},
		{"JAi", "g pa recu mon alloc", "j ai pas recu mon alloc"},
		{"JAiBeforeElision", "g l attestation", "j ai l attestation"},
		{"SpeltOutWordKept", "c o n n a r d", "c o n n a r d"},
		{"DottedWordKept", "c.o.n", "c o n"},
		{"JeNeSaisPas", "jsp cmt faire", "je ne sais pas comment faire"},
		{"Pourquoi", "PK mon RSA est suspendu ?!", "pourquoi mon rsa est suspendu"},
		{"SVPAtEnd", "aidez moi svp", "aidez moi s il vous plait"},
		{"MessagePrive", "envoyez moi un mp", "envoyez moi un message prive"},
		{"RDV", "prendre rdv", "prendre rendez vous"},
		{"Aujourdhui", "ajd", "aujourd hui"},
		{"KeyFoldedFirst", "QD ke", "quand que"},
		{"WholeWordsOnly", "gare cbien kdo", "gare combien kdo"},
		{"EmojiAndSMS", "mrc 🙏 bcp", "mrc beaucoup"},
		{"InvalidUTF8", "qd\xffapl", "quand apl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := frtext.Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"Empty", "", nil},
		{"One", "apl", []string{"apl"}},
		{"Several", "prime d activite", []string{"prime", "d", "activite"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, frtext.Words(tc.in)); diff != "" {
				t.Errorf("Words(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestContainsAndIndex(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		phrase string
		want   int
	}{
		{"Whole", "apl", "apl", 0},
		{"Start", "apl de mars", "apl", 0},
		{"Middle", "mon apl de mars", "apl", 4},
		{"End", "mon apl", "apl", 4},
		{"Phrase", "la prime d activite de mars", "prime d activite", 3},
		{"InsideWord", "mes rapls", "apl", -1},
		{"PrefixOfWord", "aplati", "apl", -1},
		{"SuffixOfWord", "reprime", "prime", -1},
		{"PhraseCutsWord", "la prime d activites", "prime d activite", -1},
		{"SecondOccurrence", "reprime prime", "prime", 8},
		{"AfterFalseStart", "aaa aa", "aa", 4},
		{"EmptyPhrase", "apl", "", -1},
		{"EmptyText", "", "apl", -1},
		{"Absent", "rsa", "apl", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := frtext.Index(tc.text, tc.phrase); got != tc.want {
				t.Errorf("Index(%q, %q) = %d, want %d", tc.text, tc.phrase, got, tc.want)
			}
			if got, want := frtext.Contains(tc.text, tc.phrase), tc.want >= 0; got != want {
				t.Errorf("Contains(%q, %q) = %v, want %v", tc.text, tc.phrase, got, want)
			}
		})
	}
}

// checkClean fails if s is not in the form Fold promises: no leading or
// trailing space and single spaces between words.
func checkClean(t *testing.T, fn, in, s string) {
	t.Helper()
	if strings.Contains(s, "  ") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		t.Errorf("%s(%q) = %q, want single spaces between words and none at the ends", fn, in, s)
	}
	if !utf8.ValidString(s) {
		t.Errorf("%s(%q) = %q, want valid UTF-8", fn, in, s)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", " ", "slt c qd ke tombe l'apl", "Œuvre ÉTÉ l’APL", "STRAẞE", "e\u0301te\u0301",
		"merci 😀", "apl\xffrsa", "\xff", "a  b\t\tc", "g jsp svp", "ǅ K Å",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fold := frtext.Fold(in)
		checkClean(t, "Fold", in, fold)
		if again := frtext.Fold(fold); again != fold {
			t.Errorf("Fold(Fold(%q)) = %q, want %q (Fold is idempotent)", in, again, fold)
		}
		if lower := strings.ToLower(fold); lower != fold {
			t.Errorf("Fold(%q) = %q, want lower case %q", in, fold, lower)
		}
		norm := frtext.Normalize(in)
		checkClean(t, "Normalize", in, norm)
		if again := frtext.Normalize(norm); again != norm {
			t.Errorf("Normalize(Normalize(%q)) = %q, want %q", in, again, norm)
		}
		for _, w := range frtext.Words(norm) {
			if !frtext.Contains(norm, w) {
				t.Errorf("Contains(%q, %q) = false for one of its own words", norm, w)
			}
		}
	})
}
