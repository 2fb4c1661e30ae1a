// Package pii detects and masks French personal data in short messages sent
// to a caisse's Facebook Page (CAF, CPAM, CARSAT, MSA, URSSAF).
//
// The masked text is the only form of a message the service logs, stores,
// indexes or shows, and the decision engine works on it. So the package has
// to catch every social-security number, IBAN, card, phone and e-mail
// (recall), and must not eat the amounts, dates and references the engine
// needs to answer (precision).
//
// What is detected:
//   - Identifiers with a checksum: NIR (numéro de sécurité sociale, key
//     97 - n mod 97, Corsica 2A/2B, overseas, temporary 7/8), IBAN (ISO
//     mod-97 and per-country length) and French RIB, payment cards (Luhn),
//     tax numbers (last three digits = first ten mod 511). The checksum lets
//     a bare number be masked without a cue and, above all, lets every
//     other number through.
//   - The same shapes without a valid checksum when a French cue comes just
//     before them ("n° de sécu", "carte vitale", "iban", "rib"): there a miss
//     costs more than a false alarm.
//   - Phone numbers, French (06 12 34 56 78, +33 (0)6…, 0033…, odd
//     groupings, slashes, a letter O for 0) and international (+32…),
//     validated with libphonenumber on candidate digit runs only.
//   - E-mail addresses, including "prenom.nom arobase (or arrobase) gmail
//     point com".
//   - Numbers without a checksum only after a cue: CAF numéro allocataire,
//     tax number, passport, identity card and titre de séjour.
//   - Birth dates after "né(e) le", "date de naissance", "DDN"; street
//     addresses with a number and a street type; names introduced by
//     "je m'appelle", "Nom :", "nom de naissance", "nom de jeune fille", a
//     civility, a relative or a signature.
//
// What is never flagged: amounts, payment dates, years, ages, durations,
// counts, percentages, legal references, cerfa numbers, postcodes and
// départements alone, the organisations' own numbers (3230, 3646, 39 60,
// 08xx, 09 69, +33 1 84 90 36 46, emergency numbers), CEDEX addresses,
// cue words without a value, URLs, app versions and references without a
// cue.
//
// Cues are matched on a folded copy of the text (lower case, no accents),
// so "SECU", "sécu" and "secu" are the same. Spans always point into the
// original text and include the value's separators, so Mask removes the
// whole value. Masking is idempotent: placeholders are never detected, and
// Detect passes over its own masked text until nothing new is found, and
// masks every other occurrence of an identifier's characters.
//
// Detection runs in time linear in the length of the text: cue regexps run
// only in windows around trigger words found in one pass, after a cheap
// check that the window can hold a match at all.
package pii
