package pii

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var testDetector = New()

type found struct {
	Kind  Kind
	Value string
}

func detectValues(text string) []found {
	var out []found
	for _, s := range testDetector.Detect(text) {
		out = append(out, found{s.Kind, text[s.Start:s.End]})
	}
	return out
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []found
	}{
		{"nir printed", "mon num de secu c 1 85 05 78 006 084 91 merci", []found{{KindNIR, "1 85 05 78 006 084 91"}}},
		{"nir compact no cue", "voici 185057800608491", []found{{KindNIR, "185057800608491"}}},
		{"nir dots", "1.85.05.78.006.084.91", []found{{KindNIR, "1.85.05.78.006.084.91"}}},
		{"nir corsica lower case", "sécu 1 85 05 2a 006 084 35", []found{{KindNIR, "1 85 05 2a 006 084 35"}}},
		{"nir overseas", "2 88 03 971 20 012 75", []found{{KindNIR, "2 88 03 971 20 012 75"}}},
		{"nir without key with cue", "Mon numéro de sécurité sociale 1 85 05 78 006 084", []found{{KindNIR, "1 85 05 78 006 084"}}},
		{"nir wrong key with cue", "carte vitale 1 85 05 78 006 084 12", []found{{KindNIR, "1 85 05 78 006 084 12"}}},
		{"iban groups", "mn iban c FR14 2004 1010 0505 0001 3M02 606", []found{{KindIBAN, "FR14 2004 1010 0505 0001 3M02 606"}}},
		{"iban lower compact", "fr1420041010050500013m02606", []found{{KindIBAN, "fr1420041010050500013m02606"}}},
		{"iban across line break", "IBAN FR14 2004 1010\n0505 0001 3M02 606", []found{{KindIBAN, "FR14 2004 1010\n0505 0001 3M02 606"}}},
		{"iban foreign", "compte GB82 WEST 1234 5698 7654 32 merci", []found{{KindIBAN, "GB82 WEST 1234 5698 7654 32"}}},
		{"iban mistyped with cue", "mon iban FR14 2004 1010 0505 0001 3M02 607", []found{{KindIBAN, "FR14 2004 1010 0505 0001 3M02 607"}}},
		{"rib with cue", "rib 20041 01005 0500013M026 06", []found{{KindIBAN, "20041 01005 0500013M026 06"}}},
		{"card with expiry", "ma cb 4111 1111 1111 1111 exp 09/27 cvv 123 merci", []found{{KindCardNumber, "4111 1111 1111 1111 exp 09/27 cvv 123"}}},
		{"card dashes", "4111-1111-1111-1111", []found{{KindCardNumber, "4111-1111-1111-1111"}}},
		{"phone spaced", "tel 06 12 34 56 78", []found{{KindPhone, "06 12 34 56 78"}}},
		{"phone plus", "mon tel: +33 6 12 34 56 78", []found{{KindPhone, "+33 6 12 34 56 78"}}},
		{"phone plus trunk zero", "+33 (0)6 12 34 56 78", []found{{KindPhone, "+33 (0)6 12 34 56 78"}}},
		{"phone 0033", "0033 6 12 34 56 78", []found{{KindPhone, "0033 6 12 34 56 78"}}},
		{"phone odd grouping", "0612 345 678", []found{{KindPhone, "0612 345 678"}}},
		{"phone letter O", "O6 12 34 56 78", []found{{KindPhone, "O6 12 34 56 78"}}},
		{"phone foreign", "je suis en Belgique +32 470 12 34 56", []found{{KindPhone, "+32 470 12 34 56"}}},
		{"email", "écrivez à Jean.Dupont+caf@gmail.com svp", []found{{KindEmail, "Jean.Dupont+caf@gmail.com"}}},
		{"email arobase", "jean.dupont arobase gmail point com", []found{{KindEmail, "jean.dupont arobase gmail point com"}}},
		{"caf number", "mon n° allocataire est le 12 34 567", []found{{KindCAFNumber, "12 34 567"}}},
		{"tax number with cue", "numéro fiscal 01 23 456 789 211", []found{{KindTaxNumber, "01 23 456 789 211"}}},
		{"tax number checksum and tax cue", "sur mon avis d'impôt : 0123456789211", []found{{KindTaxNumber, "0123456789211"}}},
		{"passport", "passeport n° 12AB34567", []found{{KindPassport, "12AB34567"}}},
		{"id card", "ma CNI 123456789012", []found{{KindIDCard, "123456789012"}}},
		{"titre de sejour", "titre de séjour n° 7501234567", []found{{KindIDCard, "7501234567"}}},
		{"birth date numeric", "je suis née le 03/04/1985", []found{{KindBirthDate, "03/04/1985"}}},
		{"birth date words", "mon fils né le 1er mai 2019", []found{{KindBirthDate, "1er mai 2019"}}},
		{"birth date ddn", "DDN 3/4/85", []found{{KindBirthDate, "3/4/85"}}},
		{"address full", "J'habite au 12 bis rue de la Paix, 75002 Paris depuis mars", []found{{KindAddress, "12 bis rue de la Paix, 75002 Paris"}}},
		{"address street only", "envoyez au 4 impasse des Lilas", []found{{KindAddress, "4 impasse des Lilas"}}},
		{"name je m'appelle", "Bonjour je m'appelle Jean Dupont et j'attends", []found{{KindName, "Jean Dupont"}}},
		{"name lower case", "je m appelle kevin martin", []found{{KindName, "kevin martin"}}},
		{"name civility", "Mme Benali a appelé", []found{{KindName, "Benali"}}},
		{"name signature", "Merci.\nCordialement, Marie L.", []found{{KindName, "Marie L."}}},
		{"name relative", "ma fille Léa a 4 ans", []found{{KindName, "Léa"}}},
		{"card eight-digit groups", "ma CB 41111111 11111111", []found{{KindCardNumber, "41111111 11111111"}}},
		{"phone slashes", "tel 06/12/34/56/78", []found{{KindPhone, "06/12/34/56/78"}}},
		{"phone after short date", "rdv le 05/06 sinon 06 12 34 56 78", []found{{KindPhone, "06 12 34 56 78"}}},
		{"email arrobase double r", "jean.dupont arrobase gmail point com", []found{{KindEmail, "jean.dupont arrobase gmail point com"}}},
		{"caf number glued to n°", "alloc n°1234567", []found{{KindCAFNumber, "n°1234567"}}},
		{"id card glued to n°", "carte d identite n°123456789012", []found{{KindIDCard, "n°123456789012"}}},
		{"birth date abbreviated cue", "date de naiss. 03/04/1985", []found{{KindBirthDate, "03/04/1985"}}},
		{"name birth name label", "Nom de naissance : MARTIN", []found{{KindName, "MARTIN"}}},
		{"name maiden name", "nom de jeune fille Martin", []found{{KindName, "Martin"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := detectValues(tc.text)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Detect(%q) mismatch (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

// TestHardNegatives lists number-heavy text that must never be altered.
func TestHardNegatives(t *testing.T) {
	tests := []struct{ name, text string }{
		{"amount with comma", "j'ai reçu 245,32 € ce mois"},
		{"amount with thousands space", "mon APL est de 1 245,80 €"},
		{"amount with dot", "loyer 1.200€ et 1200 euros de salaire"},
		{"payment day", "le versement arrive le 5 du mois"},
		{"short dates", "paiement le 12/09 ou le 05/06 ?"},
		{"payment date without birth cue", "le virement du 05/12/2026 n'est pas arrivé"},
		{"year", "né en 1985, depuis 2019"},
		{"age", "j'ai 34 ans et 3 enfants"},
		{"durations", "48 h d'attente, 6 semaines"},
		{"counts", "172 trimestres validés"},
		{"percentages", "remboursé à 70 % puis 100 %"},
		{"legal article", "article L. 553-2 du code de la sécurité sociale"},
		{"decree", "le décret n° 2023-436 du 5 juin"},
		{"law", "la loi n° 2023-270"},
		{"cerfa", "le cerfa 13750*05 ou le S3705"},
		{"caf departement", "CAF 59 ou dans le 93"},
		{"overseas postcode", "je suis à 97400"},
		{"caf short number", "appelez le 3230"},
		{"cpam short number", "le 3646 ne répond pas"},
		{"carsat short number", "le 39 60 pour la retraite"},
		{"other short numbers", "3949, 3919 et 33700"},
		{"special rate 0811", "0 811 300 974"},
		{"special rate 0810", "0 810 103 646"},
		{"special rate 0820", "0 820 222 555"},
		{"free number 0800", "0 800 123 456"},
		{"service line 0969", "09 69 32 15 15"},
		{"3646 from abroad", "+33 1 84 90 36 46"},
		{"emergency numbers", "le 15, le 17, le 18, le 112, le 115, le 119"},
		{"keywords without values", "il faut donner son numéro de sécu et son IBAN"},
		{"caf url", "https://www.caf.fr/allocataires/aides-et-demarches/droits-et-prestations"},
		{"ameli url with numbers", "https://www.ameli.fr/assure/remboursements/2024/123456789"},
		{"app version", "version 4.12.3 de l'appli"},
		{"ticket without cue", "ticket 2024-118754"},
		{"reference without cue", "référence 0024 5567 81"},
		{"cedex address", "TSA 12345, 75948 Paris Cedex 19"},
		{"cs address", "CS 90000 59863 Lille Cedex 9"},
		{"bic alone", "le BIC est BNPAFRPPXXX"},
		{"revenu fiscal de reference", "revenu fiscal de référence 23 456 €"},
		{"madame monsieur", "Madame, Monsieur, je vous écris"},
		{"monsieur le directeur", "Monsieur le directeur, je conteste"},
		{"relative without name", "ma fille est malade et mon fils a 18 ans"},
		{"moi c'est pareil", "Moi c'est pareil, 3 mois sans rien"},
		{"birth without date", "la prime de naissance de 1 066,36 €"},
		{"placeholder text", "[n° de sécurité sociale masqué] 1 234 567"},
		{"slashed dates", "payé le 05/06/2024 puis le 06/07/2024, rdv le 01/02"},
		{"maiden name label without name", "le nom de naissance est différent, nom de jeune fille de ma mère"},
		{"alloc without number", "mon alloc de 245,32 € et la caf 59"},
		{"passport word with n°", "passeport n° en cours, perdu en 2019"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testDetector.Mask(tc.text); got.Masked != tc.text {
				t.Errorf("Mask(%q) = %q, want the text unchanged", tc.text, got.Masked)
			}
		})
	}
}

func TestValidators(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"nir valid", ValidNIR, "185057800608491", true},
		{"nir bad key", ValidNIR, "185057800608492", false},
		{"nir corsica", ValidNIR, "185052A00608435", true},
		{"nir corsica lower", ValidNIR, "185052a00608435", true},
		{"nir bad month", ValidNIR, "185157800608491", false},
		{"nir bad sex", ValidNIR, "585057800608491", false},
		{"iban fr", ValidIBAN, "FR1420041010050500013M02606", true},
		{"iban fr lower", ValidIBAN, "fr1420041010050500013m02606", true},
		{"iban bad check", ValidIBAN, "FR1420041010050500013M02607", false},
		{"iban gb", ValidIBAN, "GB82WEST12345698765432", true},
		{"iban wrong length", ValidIBAN, "GB82WEST1234569876543", false},
		{"rib valid", ValidRIB, "20041010050500013M02606", true},
		{"rib bad key", ValidRIB, "20041010050500013M02607", false},
		{"luhn valid", Luhn, "4111111111111111", true},
		{"luhn invalid", Luhn, "4111111111111112", false},
		{"luhn non digit", Luhn, "41111111a1111111", false},
		{"tax valid", ValidTaxNumber, "0123456789211", true},
		{"tax bad check", ValidTaxNumber, "0123456789212", false},
		{"tax bad first digit", ValidTaxNumber, "4123456789211", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.fn(tc.in); got != tc.want {
				t.Errorf("validator(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	text := "Mme Dupont, sécu 1 85 05 78 006 084 91, tel 06 12 34 56 78, mail a.b@free.fr"
	got := testDetector.Mask(text)
	want := "Mme [nom masqué], sécu [n° de sécurité sociale masqué], tel [téléphone masqué], mail [e-mail masqué]"
	if got.Masked != want {
		t.Errorf("Mask(%q).Masked = %q, want %q", text, got.Masked, want)
	}
	if diff := cmp.Diff([]Kind{KindNIR, KindPhone, KindEmail, KindName}, got.Kinds); diff != "" {
		t.Errorf("Mask(%q).Kinds mismatch (-want +got):\n%s", text, diff)
	}
	if again := testDetector.Mask(got.Masked); again.Masked != got.Masked {
		t.Errorf("Mask(Mask(x)) = %q, want %q", again.Masked, got.Masked)
	}
}

func TestPlaceholderNeverDetected(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			p := Placeholder(k)
			if !strings.HasPrefix(p, "[") || !strings.HasSuffix(p, "]") {
				t.Errorf("Placeholder(%s) = %q, want a bracketed text", k, p)
			}
			if got := testDetector.Detect("voici " + p + " merci"); len(got) != 0 {
				t.Errorf("Detect(placeholder %q) = %v, want none", p, got)
			}
		})
	}
}

func TestHugeAndInvalidInput(t *testing.T) {
	tests := []struct{ name, text string }{
		{"invalid utf8", "sécu \xff\xfe 1 85 05 78 006 084 91 \xc3"},
		{"huge", strings.Repeat("tel 06 12 34 56 78, 245,32 € le 05/06. ", 5000)},
		{"huge digits", strings.Repeat("1 2 3 4 5 6 7 8 9 0 ", 20000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testDetector.Mask(tc.text)
			checkSpans(t, tc.text, r.Spans)
		})
	}
}

func checkSpans(tb testing.TB, text string, spans []Span) {
	tb.Helper()
	prev := 0
	for i, s := range spans {
		if s.Start < prev || s.End <= s.Start || s.End > len(text) {
			tb.Fatalf("span %d = %+v out of order or range (prev end %d, len %d)", i, s, prev, len(text))
		}
		prev = s.End
	}
}
