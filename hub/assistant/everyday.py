"""Everyday writing turned into the words the rules know: spoken French, texting shortcuts, English slang.

Applied to folded text (lower case, no accents, punctuation as spaces) before the
intent rules and product matching. Rules rather than a model: the shortcuts are
few and well known ("jcherche", "y a", "c combien", "wheres"), and a rewrite
that misfires can be read and fixed here.
"""

from __future__ import annotations

import re

from hub.assistant.text import fold

_NUMBERS_FR = ("deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze")
_NUMBERS_EN = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")

#: (pattern on folded text, replacement), applied in order.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # spoken French: "jcherche", "jveux", "chui", "y a", "yen a", "c combien", "kel", "koi", "dla"
        (r"\bj(cherche|cherches|veux|voudrai|voudrais|trouve|trouves|prend|prends|peux|aimerai|aimerais)\b",
         r"je \1"),
        (r"\bchui?s?\b", "je suis"),
        (r"\b(?:il )?y (?:en )?a\b|\bya\b|\byen a\b|\byena\b|\bya t il\b", "il y a"),
        (r"\bc (?:com?bien|cb)\b|\bcb ca coute\b|\bcombien c\b", "combien"),
        # "cb" is "combien" when it asks ("cb le beurre ?", "ça coûte cb ?"), "carte bancaire" otherwise ("par cb")
        (r"^(?:(?:ok|et|alors|bon|donc) )?cb$|^cb\b|(?<=\bcoute )cb\b|(?<=\bcoutent )cb\b|(?<=\bca fait )cb\b|"
         r"\bcb(?= (?:le|la|les|l|du|des)\b)",
         "combien"),
        (r"\bvs\b", "vous"),
        (r"\bqq ?(?:un|1|n)\b", "quelqu un"),
        (r"\bcest\b", "c est"),
        (r"\bkel(?:le)?s?\b", "quel"),
        (r"\bkoi\b", "quoi"),
        (r"\bou (?:c|ce) (?:que|qu) (?:c est|on trouve|je trouve)\b|\bou c est\b|\bc ou\b", "ou est"),
        (r"\bdla\b", "de la"),
        (r"\bdl\b", "du"),
        (r"\bptit(e?s?)\b", r"petit\1"),
        (r"\bvous avez pas\b|\bvous n avez pas\b", "vous avez"),
        (r"\bt as\b", "tu as"),
        # English shortcuts: "u", "r", "ur", "wheres", "whats", "hw much", "wanna"
        (r"\bu\b", "you"),
        (r"\br\b", "are"),
        (r"\bur\b", "your"),
        (r"\byour (an?)\b", r"you are \1"),  # "ur a bot?": "your" is never followed by an article
        (r"\bwheres\b|\bwhere s\b|\bwhere abouts\b|\bwhereabouts\b", "where is"),
        (r"\bwhats\b|\bwhat s\b", "what is"),
        (r"\b(?:point|direct|show) me (?:to|towards|the way to)\b", "where is"),
        (r"\bsmth\b|\bsmthg\b|\bsth\b", "something"),
        (r"\bsum\b", "some"),
        (r"\bhw much\b|\bhow mch\b|\bhowmuch\b|\bhow mutch\b", "how much"),
        (r"\bwanna\b", "want to"),
        (r"\b4 (the|a|my|me|you|it)\b", r"for \1"),
        (r"\bgot any\b", "do you have"),
        (r"\bya got\b|\byou got\b", "do you have"),
        # number words are numbers ("the six organic ones", "le pack de quatre"); "un"/"one" stay articles
        *((rf"\b{word}\b", str(n)) for names in (_NUMBERS_FR, _NUMBERS_EN) for n, word in enumerate(names, start=2)),
        # politeness and fillers carry nothing
        (r"\b(?:svp|stp|sil vous plait|s il vous plait|s il te plait|plz|pls|plse|please)\b", " "),
    )
)


def normalise(text: str) -> str:
    """``text`` folded, with everyday shortcuts spelled out."""
    folded = fold(text)
    for pattern, replacement in _REWRITES:
        folded = pattern.sub(replacement, folded)
    return " ".join(folded.split())
