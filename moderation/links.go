package moderation

import "strings"

// tlds are the endings accepted for a bare address ("arnaque.xyz") without
// "http" or "www.": common ones only, so that a missing space after a full
// stop ("réglé.de plus") is not read as an address. "gouv" is not one:
// "impots.gouv" is how people name the official impots.gouv.fr.
var tlds = plainSet(`fr com net org info xyz online shop site top club io ly gl gd cc biz eu
	ch uk us tk ml ga cf gq ru cn live app link click store website space pw icu vip
	buzz cloud pro life world today news email support page help services`)

// findLinks appends the web addresses of s to links and returns their byte
// spans.
func findLinks(s string, links *[]link) [][2]int {
	var spans [][2]int
	for i := 1; i+1 < len(s); i++ {
		if s[i] != '.' || !isHostByte(s[i-1]) || !isAlpha(s[i+1]) {
			continue
		}
		start := i
		for start > 0 && (isHostByte(s[start-1]) || s[start-1] == '.') {
			start--
		}
		end := i
		for end < len(s) && (isHostByte(s[end]) || s[end] == '.') {
			end++
		}
		host := strings.ToLower(strings.Trim(s[start:end], ".-"))
		scheme := strings.HasSuffix(strings.ToLower(s[:start]), "://")
		if scheme {
			start -= 3
			for start > 0 && isAlpha(s[start-1]) {
				start--
			}
		}
		labels := strings.Split(host, ".")
		tld := labels[len(labels)-1]
		ok := len(labels) >= 2 && allAlpha(tld) && len(tld) >= 2
		for _, l := range labels {
			if l == "" {
				ok = false
			}
		}
		host = strings.TrimPrefix(host, "www.")
		if !ok || !(scheme || strings.HasPrefix(strings.ToLower(s[start:end]), "www.") || tlds[tld] || knownShortHost(host)) {
			i = end
			continue
		}
		for end < len(s) && s[end] != ' ' && s[end] != '\n' && s[end] != '\t' {
			end++
		}
		*links = append(*links, link{host: host})
		spans = append(spans, [2]int{start, end})
		i = end
	}
	return spans
}

// knownShortHost accepts the few shorteners whose ending is not in tlds.
func knownShortHost(h string) bool { return h == "t.co" || h == "ow.ly" || h == "rb.gy" }

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isHostByte(c byte) bool {
	return isAlpha(c) || c >= '0' && c <= '9' || c == '-'
}

func allAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) {
			return false
		}
	}
	return true
}

// linkKind classifies a host against the link rules.
type linkKind int

const (
	linkOther     linkKind = iota // an ordinary site: a newspaper, a shop
	linkOfficial                  // an allowed domain or one of its subdomains
	linkShortener                 // hides where it leads
	linkLookalike                 // borrows an official brand on another domain
)

func (r *Rules) classify(host string) (linkKind, string) {
	for _, d := range r.allowed {
		if host == d || strings.HasSuffix(host, "."+d) {
			return linkOfficial, d
		}
	}
	if r.shorteners[host] {
		return linkShortener, host
	}
	for _, label := range strings.Split(host, ".") {
		joined := strings.ReplaceAll(label, "-", "")
		for _, b := range r.brands {
			if joined == b || len(b) >= 8 && strings.Contains(joined, b) {
				return linkLookalike, b
			}
			for _, part := range strings.Split(label, "-") {
				if part == b {
					return linkLookalike, b
				}
			}
		}
	}
	return linkOther, host
}

func plainSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
