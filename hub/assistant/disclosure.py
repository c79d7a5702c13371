"""Whether a question asks what the kiosk is (a person, a robot, an AI), however it is worded or spelt.

AI Act art. 50: a customer who asks must be told they talk to an AI. Phrase
lists miss the long tail ("are yu a robto?", "c une machine ?", "talking to a
bot?"), so this is a rule over words instead of sentences:

* a **being word**: a machine word (robot, bot, AI/IA, machine, computer,
  ordinateur, chatbot, automated, program...) or a person word (human, person,
  humain, personne...), forgiven one typo (two in long words) with rapidfuzz;
* a **frame** that makes it about the kiosk: a word addressing it ("you",
  "tu", "t'", "vous", "this", "c'est"), a word of the conversation itself
  ("talking to", "answering", "je parle à", "behind the screen"), or nothing
  else at all ("robot?", "real person?", "une IA ?").

What keeps it from firing on shopping: a machine word next to a shopping word
("do you sell robots?", "robot pâtissier", "où sont les piles pour robot")
needs the kiosk to be addressed directly ("are you a robot"); a person word
next to a request ("can I talk to a person", "je veux parler à un humain") is
a request for staff, not a question about the kiosk.
"""

from __future__ import annotations

import functools
import re

from rapidfuzz import process
from rapidfuzz.distance import OSA

from hub.assistant.language import Lang, detect
from hub.assistant.text import words

#: Words for a machine, and the language each one signals (None: both).
MACHINE_WORDS: dict[str, Lang | None] = {
    "robot": None, "robots": None, "robo": None, "bot": "en", "bots": "en", "ai": "en", "ia": "fr",
    "machine": None, "computer": "en", "ordinateur": "fr", "ordi": "fr", "chatbot": None, "automated": "en",
    "automatise": "fr", "automatisee": "fr", "automatique": "fr", "automatic": "en", "automate": "fr",
    "program": "en", "programme": "fr", "software": "en", "logiciel": "fr", "algorithm": "en",
    "algorithme": "fr", "android": None, "chatgpt": None, "gpt": None, "artificial": "en", "artificielle": "fr",
    "cyborg": None, "siri": None, "alexa": None, "virtual": "en", "virtuel": "fr", "virtuelle": "fr",
}
#: Words for a person, and the language each one signals.
PERSON_WORDS: dict[str, Lang | None] = {
    "human": "en", "humans": "en", "humain": "fr", "humaine": "fr", "person": "en", "personne": "fr",
    "people": "en", "someone": "en", "somebody": "en", "anybody": "en", "anyone": "en", "quelqu": "fr",
    "agent": None, "operator": "en", "operateur": "fr",
}
#: Words that may stand around the being word in a bare question ("real person?", "une vraie IA ?").
_FILLERS = words("""
    a an the un une des le la real really actual actually true live vrai vraie vraiment reel reelle veritable
    just only juste seulement ou or et and not pas is are es etes est ce c t you tu vous toi this it intelligence
    being etre hello hi bonjour salut hey ok alors so then
""")
_ADDRESS = (r"(?:you|yu|ya|u|tu|t|toi|vous|vs|this|that|it|c|ce|cela|ca|kiosk|borne|screen|ecran|system|systeme|"
            r"answers?|reponses?|replies|reply)")
_BETWEEN = (r"(?:a|an|un|une|really|actually|real|vrai|vraie|reel|reelle|vraiment|bien|just|juste|are|re|is|es|"
            r"etes|est|thing|truc|borne|ecran|screen|kiosk|chat|service|assistant|here|la|ici|only|seulement)")
_BEING_RE = (r"(?:" + "|".join(sorted({*MACHINE_WORDS, *PERSON_WORDS}, key=len, reverse=True)) + r")")
#: The kiosk addressed right before the being word: "are you a robot", "t un robot", "c une machine".
_ADDRESSED = re.compile(r"\b" + _ADDRESS + r"(?: " + _BETWEEN + r"){0,3} " + _BEING_RE + r"\b")
#: The conversation itself: who answers, who writes, who is behind.
_CONVERSATION = re.compile(r"\b(?:talking|talk|speaking|speak|chatting|chat|typing|writing|answering|replying|"
                           r"answer|reply|responding|behind|other end|other side|on the line|derriere|repond\w*|"
                           r"ecri\w*|read|reading|"
                           r"lit|real here|real there|"
                           r"parle|parlez|discute|cause|en face|face a|suis je|am i|are we)\b")
#: "t'es un vrai ?", "u real?", "are you conscious": the kiosk addressed with what only a being can be.
_ADDRESSED_ALIVE = re.compile(
    r"^(?:hey |hello |hi |mec |dis |eh |he )?(?:are you|are u|r u|you|u|t es|tu es|vous etes|es tu|etes vous|t) "
    r"(?:un |une |a |really |vraiment )?(?:vrai|vraie|real|reel|reelle|conscious|conscient|consciente|sentient|alive|"
    r"vivant|vivante)(?: or not| ou pas| toi)?$")
#: "avec qui je parle ?", "je discute avec qui ?": who answers, asked in French word order.
_WITH_WHOM = re.compile(r"\b(?:parle\w*|discute\w*|cause\w*|ecri\w*) (?:a|avec) qui\b|"
                        r"\b(?:a|avec) qui (?:je |j )?(?:parle|discute|cause|ecris)\b")
_ADDRESS_WORD = re.compile(r"\b" + _ADDRESS + r"\b")
#: Shopping: a machine word here is likely a product ("do you sell robot vacuums?").
_SHOPPING = re.compile(r"\b(?:sell|sold|have|has|got|carry|stock|buy|vend\w*|avez|as|avoir|achete\w*|cherche\w*|"
                       r"where|ou est|ou sont|ou se|prix|price|combien|how much|cost\w*|coute\w*|aisle|rayon|"
                       r"find|trouve\w*|pour|for|de cuisine|patissier|aspirateur|vacuum|mixer|toy|jouet|laver|washing|"
                       r"cafe|coffee|pain|bread|kitchen|cuisine|coudre)\b")
#: Asking for a person rather than about the kiosk.
_REQUEST = re.compile(r"\b(?:want|need|can i|could i|may i|let me|get me|call|fetch|send|appeler|appelle\w*|veux|"
                      r"voudrai\w*|besoin|peux|pouvez|puis je|faire venir|envoyer|parler|speak to|talk to|"
                      r"see|voir|with a member|au vendeur)\b")


@functools.cache
def _vocabulary() -> list[str]:
    return [w for w in {*MACHINE_WORDS, *PERSON_WORDS} if len(w) >= 5]


@functools.cache
def respelled(word: str) -> str:
    """``word``, or the being word it misspells ("robto" -> "robot", "humna" -> "human")."""
    if word in MACHINE_WORDS or word in PERSON_WORDS or len(word) < 4:
        return word
    cutoff = 0.74 if len(word) >= 7 else 0.79
    found = process.extractOne(word, _vocabulary(), scorer=OSA.normalized_similarity, score_cutoff=cutoff)
    if found is None and len(word) == 4:  # "robo", "huma": a being word cut short
        found = next(((w, 1.0, 0) for w in _vocabulary() if w.startswith(word) and len(w) - len(word) <= 2), None)
    return found[0] if found else word


def respell(text: str) -> str:
    """``text`` (normalised) with misspelt being words put right."""
    return " ".join(respelled(w) for w in text.split())


def asks_what_it_is(text: str) -> bool:
    """``text`` (normalised) asks whether the kiosk is a machine or a person (see the module's rule)."""
    words = respell(text).split()
    fixed = " ".join(words)
    if _ADDRESSED_ALIVE.search(fixed) or _WITH_WHOM.search(fixed):
        return True
    machine = any(w in MACHINE_WORDS for w in words)
    person = any(w in PERSON_WORDS for w in words)
    if not (machine or person):
        return False
    if all(w in MACHINE_WORDS or w in PERSON_WORDS or w in _FILLERS for w in words):
        return True  # "robot?", "real person?", "une IA ?", "human or machine"
    addressed = bool(_ADDRESSED.search(fixed))
    if machine and (addressed or ((_ADDRESS_WORD.search(fixed) or _CONVERSATION.search(fixed))
                                  and not _SHOPPING.search(fixed))):
        return True
    if person and not _REQUEST.search(fixed):
        return addressed or bool(_CONVERSATION.search(fixed))
    return False


def requests_a_person(text: str) -> bool:
    """``text`` (normalised) asks for a person ("je veux parler à une personne"), not what the kiosk is."""
    fixed = respell(text)
    words = fixed.split()
    return (any(w in PERSON_WORDS for w in words) and not any(w in MACHINE_WORDS for w in words)
            and bool(_REQUEST.search(fixed)) and not _ADDRESSED.search(fixed))


def language_cues(text: str) -> tuple[int, int]:
    """(French, English) cue counts of the being words in ``text`` ("IA" is French, "AI" English)."""
    fr = en = 0
    for word in respell(text).split():
        lang = MACHINE_WORDS.get(word) or PERSON_WORDS.get(word)
        fr += lang == "fr"
        en += lang == "en"
    return fr, en


def languages(text: str, fallback: Lang) -> tuple[Lang, Lang | None]:
    """The language to disclose in for ``text`` (normalised), and a second one when the question shows none.

    "robot?" or "machine ?" is the same word in French and English: a tourist must not get the disclosure
    only in French, so with no sign either way it is said in both, ``fallback`` (the page's or the
    conversation's language) first.
    """
    fr, en = language_cues(text)
    found, confidence = detect(text[:500], fallback, fr_words=fr, en_words=en)
    if fr == en and confidence < 0.9:
        return found, ("en" if found == "fr" else "fr")
    return found, None
