package frtext

// smsWords rewrites SMS spellings, phonetic spellings and everyday
// abbreviations seen in comments to caisses. Keys and values are folded.
// Benefit abbreviations (APL, RSA, "alloc"…) are not here: they belong to the
// knowledge base's synonym list, which staff can edit.
var smsWords = map[string]string{
	"slt": "salut", "bjr": "bonjour", "bsr": "bonsoir", "cc": "coucou", "bjour": "bonjour", "bonjours": "bonjour",
	"svp": "s il vous plait", "stp": "s il te plait", "svpl": "s il vous plait", "sil": "s il",
	"pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi", "porquoi": "pourquoi", "pourquoit": "pourquoi",
	"qd": "quand", "qand": "quand", "kan": "quand", "kand": "quand", "quant": "quand", "qant": "quand",
	"cb": "combien", "cmb": "combien", "conbien": "combien", "combiens": "combien", "cbien": "combien",
	"cmt": "comment", "cmnt": "comment", "komen": "comment", "koment": "comment", "comen": "comment", "commen": "comment", "comant": "comment",
	"jsp": "je ne sais pas", "jsais": "je sais", "chai": "je sais", "chui": "je suis", "chuis": "je suis", "jsuis": "je suis", "jss": "je suis",
	"mtn": "maintenant", "mnt": "maintenant", "maintenan": "maintenant",
	"tjr": "toujours", "tjrs": "toujours", "toujour": "toujours", "tjs": "toujours",
	"ds": "dans", "pr": "pour", "ke": "que", "k": "que", "koi": "quoi", "kwa": "quoi", "quoa": "quoi",
	"kel": "quel", "kelle": "quelle", "kels": "quels", "kelles": "quelles", "ki": "qui",
	"cest": "c est", "g": "j ai", "jai": "j ai", "jé": "j ai", "ya": "il y a", "yas": "il y a", "yen": "il y en",
	"bcp": "beaucoup", "dc": "donc", "tt": "tout", "tte": "toute", "ttes": "toutes", "ms": "mais", "vs": "vous", "vou": "vous",
	"nn": "non", "ouai": "oui", "ouais": "oui", "oue": "oui",
	"auj": "aujourd hui", "ajd": "aujourd hui", "aujourdhui": "aujourd hui", "ojd": "aujourd hui",
	"rdv": "rendez vous", "rdvs": "rendez vous", "rendezvous": "rendez vous",
	"dmd": "demande", "dde": "demande", "tel": "telephone", "num": "numero", "nr": "numero",
	"msg": "message", "mess": "message", "mp": "message prive", "mps": "message prive",
	"pb": "probleme", "prob": "probleme", "pbm": "probleme", "pbs": "problemes",
	"dsl": "desole", "pcq": "parce que", "psk": "parce que", "pck": "parce que", "paske": "parce que", "pasque": "parce que",
	"qlq": "quelque", "qq": "quelque", "qqn": "quelqu un", "qlqn": "quelqu un", "qqch": "quelque chose",
	"vx": "veux", "pe": "peut", "ct": "c etait", "jvais": "je vais", "jveux": "je veux", "jpeux": "je peux",
	"mm": "meme", "mem": "meme", "tjours": "toujours",
	"infos": "informations", "info": "information", "renseignement": "information", "renseignements": "informations",

	"jpe": "je peux", "jpeu": "je peux", "jvien": "je viens", "jviens": "je viens", "jdois": "je dois", "jsui": "je suis",
	"jvoudrai": "je voudrais", "jvoudrais": "je voudrais", "jcomprend": "je comprends", "jcomprends": "je comprends", "jme": "je me",
	"fo": "faut", "fau": "faut", "pa": "pas", "jame": "jamais", "jamai": "jamais", "dedan": "dedans", "avc": "avec", "o": "au",
	"bb": "bebe", "tps": "temps", "slmt": "seulement", "ptit": "petit", "ptite": "petite", "qqun": "quelqu un", "quelquun": "quelqu un",
	"aujourdui": "aujourd hui", "depui": "depuis", "kom": "comme", "koman": "comment", "kombien": "combien", "cad": "c est a dire",
	"mr": "monsieur", "mme": "madame", "ns": "nous", "aprem": "apres midi",

	"quesque": "qu est ce que", "keske": "qu est ce que", "kesk": "qu est ce que", "esque": "est ce que", "estce": "est ce",
}
