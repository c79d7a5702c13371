"""Which of the kiosk's two languages a question is in.

Two signals: function words typical of each language (decisive on the short
questions customers type, where statistical models hesitate), then py3langid
(a maintained fork of langid.py that ships its model) restricted to fr/en.
When neither is sure, the conversation's language (or the shop's default) is kept.
"""

from __future__ import annotations

import functools
from typing import Literal

from hub.assistant.everyday import normalise
from hub.assistant.text import fold, words

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")

_FR_CUES = words(
    """
    ou est sont avez vous combien coute coutent prix je cherche trouver rayon il y a reste encore des les le la
    du de une un merci bonjour bonsoir salut quel quelle quels quelles horaires ouvert fermez fermé payer
    retour rembourser carte fidelite quoi avec va vont appeler quelqu vendeur aide aidez moi dispo disponible
    en stock c qu est ce pouvez peux voudrais veux acheter pas plus qui me tu es etes suis t parle parler
    sans biologique vegetarien vegetalien coeliaque allergique lactose et
    """
)
_EN_CUES = words(
    """
    where is are do you have how much many price cost costs find aisle any left the a an of with what goes go
    thanks thank hello hi hey please open opening hours close closing pay payment return refund loyalty card
    call someone staff help me need want looking for can could buy in stock available there get who am i this
    it they got organic free without vegetarian coeliac celiac allergic dairy and
    """
)


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGS))
    return identifier


#: Politeness that everyday.normalise drops as noise, yet says which language the customer writes in.
_FR_POLITE = words("svp stp merci plait")
_EN_POLITE = words("please pls plz thanks thank cheers ta")
#: A catalog word (a French product name) is half a sign: names travel ("Madeleines", "Special K").
CATALOG_WORD_WEIGHT = 0.5


def detect(text: str, fallback: Lang = "fr", fr_words: int = 0, en_words: int = 0) -> tuple[Lang, float]:
    """Return (language, confidence in 0..1); ``fallback`` when the text gives no clear sign.

    ``fr_words``/``en_words``: extra cues found by the caller (catalog words in French, counted at
    ``CATALOG_WORD_WEIGHT``; English shop words from the glossary).
    """
    words = normalise(text).split()  # shortcuts spelled out: "u got" counts as "do you have"
    if not words:
        return fallback, 0.0
    polite = fold(text).split()
    fr = (sum(w in _FR_CUES for w in words) + sum(w in _FR_POLITE for w in polite)
          + CATALOG_WORD_WEIGHT * fr_words)
    en = sum(w in _EN_CUES for w in words) + sum(w in _EN_POLITE for w in polite) + en_words
    if fr != en and max(fr, en) >= 2:
        return ("fr" if fr > en else "en"), 0.9
    if fr == en == 0 and len(words) <= 1:
        return fallback, 0.5  # "AAA?": one word with no sign; a statistical guess on it is noise
    if fr != en and ("fr" if fr > en else "en") == fallback:
        return fallback, 0.8  # "and AAA?" in an English conversation: a cue that agrees with it settles it
    lang, prob = _identifier().classify(text)
    if fr != en:
        cue: Lang = "fr" if fr > en else "en"
        if cue != lang and (min(fr, en) == 0 or prob < 0.95) and prob < 0.995:
            return cue, 0.8
        if cue == lang or (min(fr, en) == 0 and prob < 0.9):
            return cue, max(0.8, float(prob))
    if prob < 0.75:
        return fallback, float(prob)
    return lang, float(prob)
