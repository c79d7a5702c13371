""""Are you a robot?" in any wording, spelling or language is answered with the disclosure (AI Act art. 50), in the
customer's language (both when the question shows none), and a product question never is."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.assistant.api import reply_out
from hub.assistant.intents import classify
from tests.kiosk.conftest import KioskRig
from tests.kiosk.shop import Scenario

AI_SAID = {"fr": "intelligence artificielle", "en": "artificial intelligence"}


def disclosed(rig: KioskRig, text: str, session: str | None = None, page_lang: str | None = None) -> dict:
    out = reply_out(rig.assistant.ask(text, session=session, page_lang=page_lang)).model_dump()
    assert out["intent"] == "disclosure", (text, out["intent"], out["answer"])
    assert out["handoff"] and not out["products"], text
    return out


@pytest.mark.parametrize(("text", "lang"), [
    # misspelt, cut short, texting
    ("are you a robto?", "en"), ("are you a humna", "en"), ("are yu a robot", "en"), ("r u human", "en"),
    ("u a robot?", "en"), ("vous etes un robo ?", "fr"), ("t un robot ?", "fr"), ("c une machine ?", "fr"),
    ("t humain ?", "fr"), ("vs etes une personne ?", "fr"), ("t'es une ia ou quoi", "fr"),
    # the conversation itself
    ("is a person answering me?", "en"), ("is there a human on the other end?", "en"), ("talking to a bot?", "en"),
    ("j'écris à un robot ?", "fr"), ("c'est un humain ou une machine qui me parle ?", "fr"),
    ("Hey, am I chatting with an actual person?", "en"), ("c'est un ordi qui répond ?", "fr"),
    # this thing
    ("Is this thing a robot", "en"), ("is this chat automated?", "en"), ("est-ce une IA ?", "fr"),
    ("c'est automatisé ?", "fr"), ("Is this run by AI?", "en"),
    # one word
    ("AI?", "en"), ("bot?", "en"), ("human?", "en"), ("IA ?", "fr"), ("humain ?", "fr"), ("une IA ?", "fr"),
    ("real person?", "en"),
    # what only a being can be, who answers in French word order, the kiosk by name, assistants by name
    ("T'es un vrai ?", "fr"), ("u real?", "en"), ("are you conscious", "en"), ("je discute avec qui ?", "fr"),
    ("avec qui je parle ?", "fr"), ("ur a bot?", "en"), ("does a human read this?", "en"),
    ("la borne est une IA ?", "fr"), ("are these answers automated?", "en"), ("are you siri", "en"),
    ("am i talking to an agent?", "en"), ("est-ce un assistant virtuel ?", "fr"),
])
def test_any_wording_gets_the_disclosure_in_its_language(rig: KioskRig, text: str, lang: str) -> None:
    out = disclosed(rig, text)
    assert lang in (out["lang"], out["also_in"]), (text, out["lang"])
    assert AI_SAID[lang] in out["answer"].lower()


@pytest.mark.parametrize("text", ["robot?", "machine ?", "robot"])
def test_a_word_of_both_languages_gets_the_disclosure_in_both(rig: KioskRig, text: str) -> None:
    """A tourist typing "robot?" on a French page must read the answer in English too."""
    out = disclosed(rig, text)
    assert {out["lang"], out["also_in"]} == {"fr", "en"}
    assert all(said in out["answer"].lower() for said in AI_SAID.values())


def test_the_page_language_comes_first_and_a_clear_question_is_answered_once(rig: KioskRig) -> None:
    out = disclosed(rig, "robot?", page_lang="en")
    assert out["lang"] == "en" and out["answer"].lower().index(AI_SAID["en"]) < out["answer"].lower().index(
        AI_SAID["fr"])
    once = disclosed(rig, "are you a robot?")
    assert once["lang"] == "en" and once["also_in"] is None and AI_SAID["fr"] not in once["answer"].lower()


_MACHINE = ["robot", "robto", "robo", "bot", "AI", "an AI", "a machine", "a computer", "a chatbot", "automated",
            "une IA", "un robot", "une machine", "un ordinateur", "un programme", "une intelligence artificielle"]
_PERSON = ["a real person", "human", "a humna", "a real human", "une vraie personne", "humain", "un être humain"]
_FRAMES = ["are you {}?", "r u {}", "is this {}?", "am I talking to {}?", "is {} answering?", "t'es {} ?",
           "vous êtes {} ?", "c'est {} ?", "je parle à {} ?", "est-ce {} qui répond ?", "{} ?", "hello, {}?"]


def test_every_frame_with_every_being_word_is_a_disclosure() -> None:
    """All 276 combinations, not a sample: a gap in the rule shows up as a list of the wordings it misses."""
    tried = [frame.format(being) for frame in _FRAMES for being in _MACHINE + _PERSON]
    missed = [text for text in tried if classify(text, {}).name != "disclosure"]
    assert len(tried) == 276 and missed == []


def test_no_product_question_of_the_catalog_is_taken_for_a_disclosure(rig: KioskRig) -> None:
    """Every product name of the demo catalog, asked as customers ask for products, stays a product question."""
    frames = ["où est {} ?", "do you have {}?", "{}", "c'est combien {} ?", "is this {} in stock?"]
    names = [row[0] for row in rig.db.execute("SELECT name FROM products")]
    taken = [f.format(n) for n in names for f in frames if classify(f.format(n), {}).name == "disclosure"]
    assert len(names) > 300 and taken == []


@pytest.mark.parametrize("text", ["do you sell robot vacuums?", "où est la machine à café ?", "can I talk to a human?",
                                  "je veux parler à une personne", "can you call someone please",
                                  "Are you open on Sunday?", "do you have machine washable sponges",
                                  "il n'y a personne en caisse", "lessive pour machine", "is this real champagne?",
                                  "c'est de la vraie confiture ?", "can an agent help me", "je veux voir un agent",
                                  "ur a legend", "i want to read the label"])
def test_look_alikes_are_not_a_disclosure(text: str) -> None:
    assert classify(text, {}).name != "disclosure"


def test_a_kitchen_robot_the_shop_sells_is_a_product(shop_copy: tuple[Path, Scenario]) -> None:
    rig = KioskRig(shop_copy[0])
    with rig.db.conn:
        rig.db.conn.execute(
            "INSERT INTO products (gtin, name, brand, category, price_cents, unit_weight_g, aisle, shelf, pack_size, "
            "supplier, lead_time_days) VALUES ('03000000000024', 'Robot pâtissier 1000 W Moulinex', 'Moulinex', "
            "'Maison', 14999, 4000, 'A6', '5', 1, 'Test', 5)")
    rig.assistant._catalog_checked = float("-inf")  # the 30 s re-check interval, elapsed
    for text in ("robot pâtissier", "vous avez un robot pâtissier ?", "where is the Moulinex robot?"):
        out = reply_out(rig.assistant.ask(text)).model_dump()
        assert out["intent"] != "disclosure", text
        assert [p["name"] for p in out["products"]][:1] == ["Robot pâtissier 1000 W Moulinex"], text
