"""What a question asks for, from cue phrases in French and English.

Rules, not a model: the intents are few, the words that signal them are
well known, and a rule that misfires can be read and fixed by anyone. The
cue words are also removed before product matching, so "prix" or "aisle"
never pass for part of a product's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.assistant.attributes import asked
from hub.assistant.everyday import normalise
from hub.assistant.text import singular, words
from hub.assistant.topics import is_disclosure, is_out_of_scope, is_staff_matter

#: Intent names returned by the API, in the order they are tried.
INTENTS = ("empty", "too_long", "refused", "disclosure", "staff_offer", "out_of_scope", "staff", "faq", "pairing",
"price", "stock", "where", "details",
           "greeting", "product", "attribute", "unknown")


def _pattern(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


#: what an instruction to drop the rules targets; with a word of _REFUSED_CONTEXT ("oublie tes règles"), but not
#: "j'ai oublié mon sac" (a lost bag, for staff)
_REFUSED = _pattern(r"system prompt", r"prompt", r"jailbreak", r"previous", r"precedent\w*", r"everything", r"tout",
                    r"instructions?", r"regles?", r"rules?", r"pretend", r"fais semblant", r"role ?play",
                    r"developer mode", r"mode developpeur")
_REFUSED_CONTEXT = _pattern(r"ignore\w*", r"oublie\w*", r"disregard\w*", r"forget", r"pretend", r"fais semblant",
                            r"jailbreak", r"developer mode", r"mode developpeur", r"system prompt")
_STAFF = _pattern(r"staff", r"employee", r"human", r"person", r"someone", r"somebody", r"assistant humain",
                  r"gerant\w*", r"directeur", r"directrice", r"patron\w*",
                  r"vendeu\w*", r"conseill\w*", r"employe\w*", r"quelqu ?un", r"une personne", r"un humain",
                  r"appele[rz]?", r"call", r"manager", r"responsable")
_PAIRING = _pattern(r"goes? (?:well )?with", r"go well with", r"pairs? with", r"pairing", r"with it", r"to go with",
                    r"recommend\w*", r"suggest\w*", r"va avec", r"vont avec", r"aller avec",
                    r"accompagne\w*", r"avec quoi", r"conseil\w* avec", r"associer", r"quoi prendre avec",
                    r"what else", r"quoi d autre", r"often bought")
#: "combien il en reste ?", "il y en a combien ?": a count, although "combien" usually asks a price.
_STOCK_FIRST = _pattern(r"combien (?:il |en |il en )?reste\w*", r"en reste\w* combien", r"combien (?:il y )?en a",
                        r"(?:y )?en a combien", r"il y a combien(?! de temps)", r"how many")
_PRICE = _pattern(r"prix", r"combien(?! de)", r"combien (?:coute\w*|ca coute|vaut|valent)", r"coute\w*", r"tarif\w*",
                  r"(?:fait|font|vaut|valent) combien",
                  r"how much", r"price\w*", r"cost\w*", r"cher", r"expensive", r"cheap\w*")
_STOCK = _pattern(r"stock", r"en reste", r"reste\w*", r"encore", r"avez ?vous", r"vous avez", r"y a ?t ?il",
                  r"(?:vous )?en (?:avez|auriez|a)", r"any more", r"plus en rayon", r"il y a plus",
                  r"il y a", r"is there", r"are there", r"got any", r"dispo\w*", r"rupture", r"combien de",
                  r"combien (?:il|en)", r"do you (?:still )?(?:have|sell|carry)", r"still (?:have|got|there)",
                  r"have you got", r"any left", r"left", r"available", r"availability", r"in stock", r"out of stock",
                  r"how many", r"sold out", r"on the shelf", r"en rayon", r"sur le rayon")
_WHERE = _pattern(r"ou (?:est|sont|se trouve\w*|trouver|puis ?je trouver|je trouve|sont rangee?s?|range\w*)",
                  r"ou", r"where\w*", r"find", r"located", r"location", r"aisle", r"rayon", r"allee", r"trouve\w*",
                  r"cherche\w*", r"looking for", r"emplacement", r"shelf")
_DETAILS = _pattern(r"details?", r"infos?", r"information\w*", r"marque", r"brand", r"poids", r"weight",
                    r"taille", r"size", r"contenance", r"c est quoi", r"qu est ce que", r"what is", r"what are",
                    r"tell me about", r"parle\w* moi", r"describe", r"decri\w*", r"fournisseur", r"supplier",
                    r"how big", r"pack")
_GREETING = _pattern(r"bonjour", r"bonsoir", r"salut", r"coucou", r"hello", r"hi", r"hey",
                     r"good (?:morning|evening|afternoon)",
                     r"merci\w*", r"thanks?", r"thank you", r"au revoir", r"bye", r"goodbye", r"ok", r"d accord")

#: Cue words removed from a question before its product words are matched.
_CUES = words(
    """
    ou est sont se trouve trouver trouve puis je cherche cherchez range rangee rangees where wher find located
    location aisle rayon allee emplacement shelf shelve looking prix combien coute coutent cout tarif how much price
    priced cost costs cher expensive cheap stock reste restent encore avez vous y a t il dispo disponible rupture
    have sell carry got left available availability many sold out details detail info infos information marque
    brand poids weight taille size contenance quoi qu tell about parle parlez moi describe decrire fournisseur
    supplier big pack goes go goe well pair pairs pairing with it recipe recommend recommande suggest suggere va
    vont aller avec accompagne accompagner recette associer prendre else autre often bought bonjour bonsoir salut
    coucou hello hi hey good morning evening afternoon merci thanks thank please stp svp sil plait voudrais veux
    want need besoin acheter buy get est ce combien de the a an do you is are what which un une des du les la le
    l d de en on of in for some any sur shop magasin ici here elle elles lui ils them they those
    produit product article item thing anything something quelque chose truc stuff
    ok okay alors donc so well then aussi also fait font vaut valent niveau cote dans quel quelle allee more plus
    auriez still plutot rather instead peux peut pouvez pourrais pourriez exactly exactement precisement
    non oui ouais yeah yes nope cool super genial great nice parfait top bon ah oh hmm euh bah ben
    back reserve stockroom arriere kilo per
    quel quelle quels quelles son sa ses leur leurs its his her their one ones
    """
)
CUE_WORDS = _CUES | frozenset(singular(w) for w in _CUES)  # questions' tokens are singular ("prix" -> "pri")


@dataclass(frozen=True)
class Intent:
    name: str
    faq_topic: str | None = None


def classify(text: str, faq_keywords: dict[str, list[str]], max_chars: int = 500) -> Intent:
    """The intent of ``text``; ``faq_keywords`` maps each FAQ topic to its folded keywords."""
    if not any(c.isalnum() for c in text):
        return Intent("empty")
    if len(text) > max_chars:
        return Intent("too_long")
    folded = normalise(text)
    if _REFUSED_CONTEXT.search(folded) and _REFUSED.search(folded):
        return Intent("refused")
    if is_disclosure(folded):
        return Intent("disclosure")
    if is_staff_matter(folded):
        return Intent("staff_offer")
    if is_out_of_scope(folded) and asked(folded) is None:  # "I'm coeliac, which rice can I eat?" asks a label
        return Intent("out_of_scope")
    if _STAFF.search(folded):
        return Intent("staff")
    padded = " " + " ".join(singular(w) for w in folded.split()) + " "
    for topic, keywords in faq_keywords.items():
        if any(f" {k} " in padded for k in keywords):
            return Intent("faq", topic)
    for name, pattern in (("pairing", _PAIRING), ("stock", _STOCK_FIRST), ("price", _PRICE), ("stock", _STOCK),
                          ("where", _WHERE),
                          ("details", _DETAILS)):
        if pattern.search(folded):
            return Intent(name)
    words = folded.split()
    if _GREETING.search(folded) and len(words) <= 4:
        return Intent("greeting")
    return Intent("product")
