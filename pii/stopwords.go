package pii

import "strings"

// stopwords are folded French words that end a name or a street name:
// function words, common verbs, greetings, titles, organisations and the
// adjectives people put after "ma fille" or "moi c'est". A cue followed by
// one of them ("Monsieur le directeur", "ma fille est malade") is no name.
var stopwords = makeSet(`
a à ai as au aux avec avons avez ont est es et etre ete etait etais sont suis sera serai seront fait faites font
le la les l un une des du de d en dans sur sous par pour pas plus moins ne ni ou où mais donc or car que qui quoi
quand comme si se sa son ses mon ma mes ton ta tes notre nos votre vos leur leurs ce cet cette ces ca cela ceci
je tu il elle on nous vous ils elles me te lui y moi toi eux soi c j m n s t qu
bonjour bonsoir salut slt bjr bsr merci mrc cordialement cdlt cdt svp stp urgent urgente aide help re
madame monsieur mademoiselle mme mlle mr mrs messieurs mesdames dames m
directeur directrice conseiller conseillere responsable agent agente service caisse president presidente
caf cpam msa urssaf carsat ameli cnav cnaf pole emploi france travail mdph ccas dgfip impots securite sociale
tres trop bien mal aussi encore deja toujours jamais rien tout tous toute toutes meme autre autres
pareil pareille idem aussi malade handicape handicapee enceinte seul seule seuls majeur majeure mineur mineure
aine ainee cadet cadette unique decede decedee age agee ages agees adulte etudiant etudiante scolarise scolarisee
apprenti apprentie salarie salariee chomeur chomeuse retraite retraitee invalide hospitalise hospitalisee
nouveau nouvelle ancien ancienne petit petite grand grande jeune premier premiere second seconde dernier derniere
ici la-bas voila voici oui non ok okay daccord svp
veut voudrait souhaite demande attend attendent recoit touche travaille habite vit vient part doit peut peux
dit disait parle appelle ecrit envoie envoye recu percu paye payee
avait avais aurait aurais va vais vont allez aller ira
lundi mardi mercredi jeudi vendredi samedi dimanche
janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
ans an mois jours jour semaine semaines annee annees heure heures
depuis apres avant pendant entre chez vers contre sans selon alors puis ensuite lorsque parce quand
numero num tel telephone mail email adresse dossier allocataire secu iban rib
`)

func makeSet(words string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
