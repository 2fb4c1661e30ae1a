package pii

import (
	"regexp"
	"strings"
)

// addressDetector finds street addresses: a house number, a street type, a
// street name, then optional building parts and a postcode with its town.
// A postcode or a town alone, a département, and CEDEX addresses (which
// belong to organisations) are not personal and are left alone.
type addressDetector struct {
	start, extra, postcode, orgBefore *regexp.Regexp
}

// ambiguousStreet lists street types that are also ordinary words ("5
// cours de français", "2 place"); they need a capitalised name or a
// postcode to count as an address.
var ambiguousStreet = makeSet(`cours place pl route voie square sq mail parc villa domaine passage sentier hameau r ch lot res residence cite`)

var streetParticles = makeSet(`de du des la le les l d aux au sur sous en et saint sainte st ste`)

func newAddressDetector() *addressDetector {
	return &addressDetector{
		start: regexp.MustCompile(`^\d{1,4}(?:\s*(?:bis|ter|quater|[abt])\b)?\s*,?\s*` +
			`((?:rue|avenue|av|boulevard|bd|blvd|allee|impasse|imp|chemin|place|route|rte|quai|cours|cite|residence|lotissement|` +
			`lieu-dit|lieu\s+dit|square|voie|chaussee|faubourg|fbg|passage|hameau|sentier|domaine|parc|villa|mail|ch|pl|res|lot|r|all|sq)\b\.?)`),
		extra:     regexp.MustCompile(`^\s*[,\-]?\s*(?:bat(?:iment)?\.?|appt\.?|apt\.?|appart(?:ement)?\.?|etage|esc(?:alier)?\.?|porte|entree|residence|res\.)\s*(?:n[o.]?\s*)?[a-z0-9]{1,4}\b`),
		postcode:  regexp.MustCompile(`^\s*[,\-]?\s*((?:\d{5}|\d{2}\s\d{3})\s+[a-z][a-z'\-]*(?:\s+[a-z][a-z'\-]*){0,3})`),
		orgBefore: regexp.MustCompile(`(?:caf|cpam|msa|urssaf|carsat|agence|mairie|antenne|accueil|siege|bureau|ccas|poste|prefecture)\b[^.\n]{0,20}(?:est|se\s+trouve|situee?|sont|a\s+demenage)\s*(?:au|a|:)?\s*$`),
	}
}

func (d *addressDetector) find(f *folded, out []cand) []cand {
	s := f.s
	if !hasDigitByte(s) {
		return out
	}
	for pos := 0; pos < len(s); pos++ {
		if !isDigit(s[pos]) || pos > 0 && isAlnum(s[pos-1]) {
			continue
		}
		if !streetTypeAfter(s, pos) {
			continue
		}
		m := d.start.FindStringSubmatchIndex(s[pos:min(len(s), pos+40)])
		if m == nil {
			continue
		}
		for k := range m {
			if m[k] >= 0 {
				m[k] += pos
			}
		}
		typ := strings.TrimSuffix(s[m[2]:m[3]], ".")
		// Street name words.
		p := m[1]
		nameEnd, named, upper := -1, 0, false
		firstWord := true
		for words := 0; words < 6; words++ {
			j := p
			for j < len(s) && s[j] == ' ' {
				j++
			}
			k := j
			for k < len(s) && (isLower(s[k]) || s[k] == '-' || s[k] == '\'') {
				k++
			}
			if k == j {
				break
			}
			w := strings.TrimRight(s[j:k], "-'")
			base := w
			if a := strings.IndexByte(w, '\''); a >= 0 {
				base = w[a+1:]
			}
			if !streetParticles[w] && !streetParticles[strings.TrimRight(w, "'")] {
				if stopwords[base] && !f.isUpperAt(j) || base == "" {
					break
				}
				if firstWord && !f.isUpperAt(j) && participle(f, j, j+len(w)) {
					break
				}
				named++
				upper = upper || f.isUpperAt(j)
			}
			firstWord = false
			nameEnd, p = j+len(w), j+len(w)
			if p >= len(s) || s[p] != ' ' {
				break
			}
		}
		if named == 0 {
			continue
		}
		// Trim trailing particles ("rue de").
		end := nameEnd
		for {
			i := strings.LastIndexByte(s[m[1]:end], ' ')
			if i < 0 {
				break
			}
			last := s[m[1]+i+1 : end]
			if !streetParticles[last] {
				break
			}
			end = m[1] + i
		}
		for {
			loc := d.extra.FindStringIndex(s[end:min(len(s), end+40)])
			if loc == nil {
				break
			}
			end += loc[1]
		}
		hasPostcode := false
		if loc := d.postcode.FindStringSubmatchIndex(s[end:min(len(s), end+80)]); loc != nil {
			town := s[end+loc[2] : end+loc[3]]
			if strings.Contains(town, "cedex") {
				continue // an organisation's address
			}
			pcEnd := end + loc[2] + 5
			if s[end+loc[2]+2] == ' ' {
				pcEnd++
			}
			end = trimTown(f, pcEnd, end+loc[3])
			hasPostcode = true
		}
		if ambiguousStreet[typ] && !hasPostcode && !upper {
			continue
		}
		if d.orgBefore.MatchString(s[max(0, m[0]-50):m[0]]) {
			continue
		}
		out = append(out, cand{kind: KindAddress, start: m[0], end: end})
	}
	return out
}

// trimTown keeps the town words after a postcode, stopping at a stopword
// (except a leading article, as in "Le Havre").
func trimTown(f *folded, from, to int) int {
	s := f.s
	end := from
	p := from
	for i := 0; p < to; i++ {
		j := p
		for j < to && s[j] == ' ' {
			j++
		}
		k := j
		for k < to && s[k] != ' ' {
			k++
		}
		if k == j {
			break
		}
		w := s[j:k]
		if stopwords[w] && !(i == 0 && (w == "le" || w == "la" || w == "les")) && !f.isUpperAt(j) {
			break
		}
		end, p = k, k
	}
	return end
}

// participle reports whether the original word ends with é, ée, és or ées.
func participle(f *folded, j, k int) bool {
	o := f.orig[f.origStart(j):f.origEnd(k)]
	o = strings.TrimSuffix(strings.TrimSuffix(o, "s"), "e")
	return strings.HasSuffix(o, "é")
}

func hasDigitByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

var streetTypes = makeSet(`rue avenue av boulevard bd blvd allee impasse imp chemin place route rte quai cours cite residence
lotissement lieu-dit lieu square voie chaussee faubourg fbg passage hameau sentier domaine parc villa mail ch pl res lot r all sq`)

// streetTypeAfter is a cheap check, before the regexp, that the number at
// pos is followed (after bis/ter and a comma) by a street type.
func streetTypeAfter(s string, pos int) bool {
	i := pos
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	for w := 0; w < 2; w++ {
		for i < len(s) && (s[i] == ' ' || s[i] == ',') {
			i++
		}
		j := i
		for j < len(s) && (isLower(s[j]) || s[j] == '-') {
			j++
		}
		word := s[i:j]
		if streetTypes[word] {
			return true
		}
		switch word {
		case "bis", "ter", "quater", "a", "b", "t":
			i = j
			continue
		}
		if j == i && w == 0 && i > pos {
			// "4b": letter glued to the number.
			return false
		}
		return false
	}
	return false
}
