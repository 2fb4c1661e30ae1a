package bot

import (
	"regexp"
	"strings"

	"pagebot/frtext"
)

// cue is a phrase (normalised, whole words) that tells something about a
// message, with how much it weighs.
type cue struct {
	phrase string
	weight float64
}

// personalCues signal a personal-dossier problem or a complaint: something
// went wrong with the writer's own file, money is missing, a decision is
// contested, or the writer is angry. Only an agent can answer these; a FAQ
// answer would read as a brush-off. A message escalates when the weights of
// the cues it contains add up to escalateCueScore.
var personalCues = []cue{
	// Money or a reply that did not come.
	{"pas recu", 1}, {"pas encore recu", 1}, {"toujours pas", 1}, {"toujours rien", 1}, {"rien recu", 1}, {"jamais recu", 1},
	{"rien touche", 1}, {"plus rien", 0.8}, {"touche plus", 1}, {"recois plus", 1}, {"recoit rien", 1}, {"recois rien", 1}, {"plus d", 0.4},
	{"pas ete verse", 1}, {"pas ete versee", 1}, {"pas ete paye", 1}, {"pas ete payee", 1}, {"pas ete vire", 1}, {"n est plus verse", 1},
	{"plus verse", 0.8}, {"plus versee", 0.8}, {"pas arrive", 1}, {"pas arrivee", 1}, {"pas tombe", 1}, {"pas tombee", 1},
	{"aucune reponse", 1}, {"aucune nouvelle", 1}, {"pas de reponse", 1}, {"sans reponse", 1}, {"sans nouvelle", 1}, {"silence", 0.6},
	{"personne ne", 1}, {"personne repond", 1}, {"personne decroche", 1}, {"ne repond", 0.8}, {"raccroche", 0.8},
	// A file stuck or lost.
	{"bloque", 0.7}, {"bloquee", 0.7}, {"en attente", 0.7}, {"en cours de traitement", 0.6}, {"toujours en cours", 1}, {"perdu mon dossier", 1},
	{"dossier a ete perdu", 1}, {"a ete perdu", 0.8}, {"redemande", 0.8}, {"redemandent", 0.8}, {"manque des pieces", 0.8}, {"il manque", 0.6},
	// Rights cut, lowered or refused.
	{"vous m avez", 1}, {"on m a", 0.5}, {"la caf m a", 0.8}, {"m a coupe", 1}, {"coupe", 0.7}, {"coupee", 0.7}, {"supprime", 0.7}, {"supprimee", 0.7},
	{"suspendu", 0.8}, {"suspendue", 0.8}, {"arretee", 0.6}, {"a ete arrete", 0.8}, {"retire", 0.6}, {"baisse", 0.8}, {"diminue", 0.8},
	{"recalcule", 0.6}, {"recalculee", 0.6}, {"de moins", 0.8}, {"passe de", 0.6}, {"refuse", 0.7}, {"refusee", 0.7}, {"refus", 0.6},
	{"fin de droit", 0.8}, {"fin de droits", 0.8}, {"plus droit", 0.7}, {"radie", 0.8},
	// Something wrong.
	{"erreur", 0.6}, {"c est faux", 1}, {"pas normal", 0.8}, {"pas logique", 0.8}, {"comprends pas", 0.6}, {"comprends rien", 0.8},
	{"comprend pas", 0.6}, {"on me reclame", 1}, {"me reclame", 0.8}, {"me demande de rembourser", 0.8}, {"dois rembourser", 0.6},
	{"huissier", 1}, {"en fraude", 0.8}, {"accuse", 0.6}, {"prelevez", 0.6}, {"preleve", 0.5}, {"continue de", 0.5}, {"continuent de", 0.5},
	{"sans prevenir", 0.8}, {"sans explication", 0.8}, {"sans aucune explication", 1}, {"sans courrier", 0.6},
	{"verse deux fois", 0.8}, {"2 fois", 0.4}, {"deux fois", 0.4}, {"3 fois", 0.6}, {"plusieurs fois", 0.6},
	// Anger and complaints.
	{"honte", 1}, {"honteux", 1}, {"honteuse", 1}, {"scandale", 1}, {"scandaleux", 1}, {"inadmissible", 1}, {"inacceptable", 1},
	{"lamentable", 1}, {"incompetent", 1}, {"incompetents", 1}, {"voleur", 1}, {"voleurs", 1}, {"nul", 0.6}, {"nuls", 0.8},
	{"une blague", 0.8}, {"inhumain", 1}, {"bravo la caf", 1}, {"merci la caf pour rien", 1}, {"plainte", 1}, {"la presse", 0.8},
	{"marre", 0.8}, {"ras le bol", 1}, {"degoute", 0.8}, {"desagreable", 0.8}, {"mepris", 0.8}, {"injuste", 0.6},
	{"annule", 0.4}, {"annulee", 0.4},
	// Distress.
	{"a la rue", 1}, {"urgent", 0.5}, {"urgence", 0.5}, {"peur", 0.5}, {"plus payer", 0.6}, {"plus les moyens", 0.5}, {"rien a manger", 1},
	// The writer's own file, explicitly.
	{"mon dossier", 0.4}, {"ma situation", 0.4}, {"mes droits", 0.3}, {"pouvez vous regarder", 0.8}, {"pouvez vous verifier", 0.8},
	{"merci de verifier", 0.8}, {"quelqu un peut regarder", 0.8}, {"rappelez moi", 0.8}, {"alors que", 0.5}, {"pourtant", 0.4},
	{"mon voisin", 0.4}, {"tout le monde l a", 0.6}, {"mes collegues", 0.4},
	// Money gone to the wrong place, an account taken over.
	{"ancien compte", 0.8}, {"ou est l argent", 1}, {"ou est passe", 0.8}, {"jamais recue", 1}, {"jamais recus", 1},
	{"pirate", 1}, {"piratee", 1}, {"quelqu un a change", 1}, {"sans que je", 0.8}, {"on me dit", 0.5}, {"on m a dit", 0.5},
	{"bravo", 0.6}, {"toujours sur", 0.4},
	// What a late or missing payment cost the writer.
	{"pas l avoir recu", 1}, {"pas avoir recu", 1}, {"pas les avoir recus", 1}, {"l ont pas recu", 1}, {"pas ete recu", 1},
	{"sanction", 0.6}, {"penalite", 0.6}, {"vous dites", 0.5},
	{"agios", 1}, {"frais bancaires", 0.8}, {"frais de rejet", 0.8}, {"a decouvert", 0.6}, {"au lieu du", 0.4},
	// The writer's own wait or change, anchored in time: with a duration or
	// a change ("ça fait 3 semaines que j'attends ma carte", "mon APL a
	// baissé ce mois-ci, pourquoi ?") a general question becomes a file to
	// look at.
	{"que j attends", 0.5}, {"que j attend", 0.5}, {"ce mois ci", 0.3},
	// What the writer did and what the caisse's site or letters say instead.
	{"le site dit", 0.6}, {"le site indique", 0.6}, {"le site affiche", 0.6}, {"l appli dit", 0.6}, {"l appli indique", 0.6},
	{"l application dit", 0.6}, {"l application indique", 0.6}, {"j ai bien", 0.5},
}

// escalateCueScore is the sum of cue weights from which a message is treated
// as a personal-dossier problem or a complaint.
const escalateCueScore = 1.0

var (
	durationRe = regexp.MustCompile(`\b(depuis|ca fait|cela fait|il y a|voila|plus de)( plus de)? (\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quelques|plusieurs) (jours?|semaines?|mois|ans?)\b` +
		`|\bdepuis (le \d+|le debut|debut|mi|fin)? ?(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\b`)
	amountRe  = regexp.MustCompile(`\b\d[\d ]*(e|eur|euro|euros)\b`)
	whyMineRe = regexp.MustCompile(`\bpourquoi (mon|ma|mes|vous|on me|on m|la caf me|la caf m|j ai|je n|je ne|je touche|je recois|ai je)\b`)
)

// cueScore returns the personal-problem score of normalised text and the
// phrases that contributed, for the decision's reasons.
func cueScore(norm string) (float64, []string) {
	var (
		score float64
		found []string
	)
	for _, c := range personalCues {
		if frtext.Contains(norm, c.phrase) {
			score += c.weight
			found = append(found, c.phrase)
		}
	}
	if m := durationRe.FindString(norm); m != "" {
		score += 0.6
		found = append(found, m)
	}
	// whyMineRe needs "pourquoi" and amountRe a digit: checking for them
	// first spares most messages a regexp scan (patterns that start with \b
	// have no literal prefix for the regexp engine to look for).
	if strings.Contains(norm, "pourquoi") {
		if m := whyMineRe.FindString(norm); m != "" {
			score += 0.6
			found = append(found, m)
		}
	}
	if strings.ContainsAny(norm, "0123456789") && amountRe.MatchString(norm) &&
		(frtext.Contains(norm, "mon") || frtext.Contains(norm, "ma") || frtext.Contains(norm, "mes") || frtext.Contains(norm, "je")) {
		score += 0.3
		found = append(found, "montant personnel")
	}
	return score, found
}

// courtesyWords carry no request: greetings, thanks, approval.
var courtesyWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`merci mercii beaucoup bcp bonjour bonsoir salut coucou hello bonne bon journee soiree
		semaine annee fetes weekend week end a toute toutes tous toi vous l la le les equipe equipes de du des d pour votre vos
		info infos information informations ok okay oki d accord daccord super top parfait genial cool tres bien ah oh ha
		c est ca note partage partager enfin une un nouvelle j ai trouve tout seule seul quand meme reponse rapide aide regle
		ces cette utile utiles cordialement bravo felicitations good nice yes oui merci1000 mille fois plein et rentre dans ordre
		conseillere conseiller accueil gentille gentil agreable qui m a recue recu hier aujourd hui ce matin vraiment
		excellent excellente service chaleureux sympa entendu compris voila amen courage bisous bises 1000 1 ❤ xd lol mdr
		tres bien vu au top grand infiniment remercie remercions remercier caf cpam carsat`) {
		courtesyWords[w] = true
	}
}

var (
	// thanksRe finds thanks near the start of a message.
	thanksRe  = regexp.MustCompile(`^(\S+ ){0,4}(merci|remercie|remercions)\b`)
	mentionRe = regexp.MustCompile(`@[\p{L}\p{N}._-]+(\s+[\p{Lu}][\p{L}'-]*){0,2}`)
	// wishRe finds good wishes ("bonne retraite", "joyeux Noël"): with
	// nothing else said, they need no answer.
	wishRe = regexp.MustCompile(`\b(bonne|bonnes|bon|joyeux|joyeuse|joyeuses|heureuse|heureux) (retraite|anniversaire|vacances|fete|fetes|noel|annee|rentree|continuation|chance|paques)\b`)
	// questionRe finds a request in normalised text.
	questionRe = regexp.MustCompile(`\b(quand|combien|comment|pourquoi|quel|quelle|quels|quelles|est ce|quoi|peut on|pouvez|puis je|dois je|faut il|aide moi|aidez|besoin|svp|s il vous plait)\b`)
)

// isIgnorable reports whether a message needs no answer: greetings, thanks,
// emoji, a friend tagged, or a remark to a friend.
func isIgnorable(raw, norm string) (bool, string) {
	if strings.TrimSpace(norm) == "" {
		return true, "aucun texte (emoji, ponctuation ou message vide)"
	}
	if loc := mentionRe.FindStringIndex(strings.TrimSpace(raw)); loc != nil && loc[0] == 0 && !strings.Contains(raw, "?") {
		return true, "message adressé à une personne identifiée, sans question"
	}
	rest := mentionRe.ReplaceAllString(raw, " ")
	restNorm := frtext.Normalize(rest)
	if strings.Contains(restNorm, "bon") || strings.Contains(restNorm, "joyeu") || strings.Contains(restNorm, "heureu") {
		restNorm = strings.TrimSpace(wishRe.ReplaceAllString(restNorm, "bonne"))
	}
	words := frtext.Words(restNorm)
	if len(words) == 0 {
		return true, "identification d'amis uniquement"
	}
	content := 0
	for _, w := range words {
		if !courtesyWords[w] {
			content++
		}
	}
	if content == 0 && !strings.Contains(raw, "?") {
		return true, "remerciements ou salutations"
	}
	// A thank-you with a little more said, but no question and no problem.
	if thanksRe.MatchString(norm) && !strings.Contains(raw, "?") && !questionRe.MatchString(norm) && content <= 8 {
		if score, _ := cueScore(norm); score < escalateCueScore/2 {
			return true, "remerciements"
		}
	}
	return false, ""
}
