package pii

import "testing"

func BenchmarkMaskTypical(b *testing.B) {
	d := New()
	text := "Bonjour, j'ai envoyé mon dossier le 12/03 et depuis rien. Mon APL est passée de 245,32 € à 198 €, j'ai appelé le 3230 sans réponse. Merci !"
	b.ReportAllocs()
	for b.Loop() {
		d.Mask(text)
	}
}

func BenchmarkMaskWithPII(b *testing.B) {
	d := New()
	text := "Bonjour, nouvel IBAN FR14 2004 1010 0505 0001 3M02 606, sécu 1 85 05 78 006 084 91, rappelez-moi au 06 12 34 56 78 svp"
	b.ReportAllocs()
	for b.Loop() {
		d.Mask(text)
	}
}
