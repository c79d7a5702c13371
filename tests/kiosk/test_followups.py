"""Follow-ups as customers ask them in a session (issue 17, second round): by size, by elimination, by a word of a
product just listed, carried on to another product, a property of the product just shown; and everyday spellings.
Every number of every answer is checked against the hub."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.assistant.api import reply_out
from hub.assistant.intents import INTENTS
from tests.kiosk.conftest import KioskRig
from tests.kiosk.grounding import assert_grounded
from tests.kiosk.shop import NOW


def conversation(rig: KioskRig, *texts: str) -> dict:
    """Ask ``texts`` in one new session; the last answer, checked against the hub."""
    session = uuid.uuid4().hex
    for text in texts[:-1]:
        rig.assistant.ask(text, session=session)
    out = reply_out(rig.assistant.ask(texts[-1], session=session)).model_dump()
    assert_grounded(out["answer"], out["products"], rig.db, rig.fusion, NOW.timestamp(), rig.settings.timezone)
    return out


def first(out: dict) -> str:
    return out["products"][0]["name"] if out["products"] else ""


@pytest.mark.parametrize(("texts", "intent", "name"), [
    (("how much is the Nutella?", "and the big one?"), "price", "Pâte à tartiner noisettes 750 g Nutella"),
    (("c'est combien le nutella ?", "et le grand ?"), "price", "Pâte à tartiner noisettes 750 g Nutella"),
    (("combien coûte le Nutella 400 g ?", "et le gros pot ?"), "price", "Pâte à tartiner noisettes 750 g Nutella"),
    (("where is the Nutella?", "and the small one?"), "where", "Pâte à tartiner noisettes 400 g Nutella"),
    (("where is the Evian?", "how much is the big pack?"), "price", "Eau minérale 6 x 1,5 L Evian"),
    (("combien coûte l'Evian 1,5 L ?", "et le plus petit ?"), "price", "Eau minérale 50 cl Evian"),
])
def test_the_big_one_and_the_small_one_are_read_from_the_sizes(rig: KioskRig, texts: tuple[str, ...], intent: str,
                                                               name: str) -> None:
    out = conversation(rig, *texts)
    assert out["intent"] == intent and first(out) == name


@pytest.mark.parametrize(("texts", "name"), [
    (("do you have tea?", "how much is the green tea?", "and the other one?"), "Thé Yellow Label 50 sachets Lipton"),
    (("vous avez du thé ?", "combien coûte le thé vert ?", "et l'autre ?"), "Thé Yellow Label 50 sachets Lipton"),
    (("do you have tea?", "how much is the green one?"), "Thé vert menthe 25 sachets Lipton"),
    (("vous avez du thé ?", "et le vert, il coûte combien ?"), "Thé vert menthe 25 sachets Lipton"),
    (("how much is the spaghetti Barilla?", "and the Panzani one?"), "Spaghetti Panzani 500 g"),
    (("combien coûte le café moulu Carte Noire ?", "et en grains ?"), "Café en grains 1 kg Carte Noire"),
])
def test_the_other_one_and_the_green_one_are_among_what_was_shown(rig: KioskRig, texts: tuple[str, ...],
                                                                 name: str) -> None:
    out = conversation(rig, *texts)
    assert out["intent"] == "price" and first(out) == name


def test_the_first_one_is_the_first_listed(rig: KioskRig) -> None:
    listed = conversation(rig, "do you have tea?")
    out = conversation(rig, "do you have tea?", "how much is the first one?")
    assert out["intent"] == "price" and first(out) == first(listed)


def test_the_cheapest_is_the_cheapest_of_the_list(rig: KioskRig) -> None:
    listed = conversation(rig, "vous avez des lessives ?")
    out = conversation(rig, "vous avez des lessives ?", "la moins chère ?")
    cheapest = min(listed["products"], key=lambda p: p["price"])
    assert len(listed["products"]) >= 2 and first(out) == cheapest["name"]


@pytest.mark.parametrize(("texts", "intent", "name"), [
    (("how much is the Comté?", "and the brie?"), "price", "Brie 500 g Président"),
    (("c'est combien le Comté ?", "et le Roquefort ?"), "price", "Roquefort 100 g Société"),
    (("combien coûte la crème fraîche ?", "elle est où ?"), "where", "Crème fraîche épaisse 20 cl Elle & Vire"),
    (("how much are Petits Filous?", "where can I find them?"), "where", "Petits Filous x6 Yoplait"),
    (("où est le riz basmati ?", "ok et ça coûte combien"), "price", "Riz basmati 1 kg Taureau Ailé"),
    (("t'as du Ricoré ?", "ça coûte cb ?"), "price", "Ricoré original 260 g"),
])
def test_a_question_that_carries_on_keeps_what_was_asked(rig: KioskRig, texts: tuple[str, ...], intent: str,
                                                         name: str) -> None:
    out = conversation(rig, *texts)
    assert out["intent"] == intent and first(out) == name


def test_and_a_short_follow_up_keeps_the_conversation_language(rig: KioskRig) -> None:
    out = conversation(rig, "do you have AA batteries?", "and AAA?")
    assert out["lang"] == "en" and first(out) == "Piles AAA x4 Duracell"


def test_is_it_organic_is_about_the_product_just_shown_and_never_claims_what_the_row_does_not_state(
        rig: KioskRig) -> None:
    unstated = conversation(rig, "where is the Lipton green tea", "is it organic?")
    assert unstated["attribute"] == "organic" and unstated["confirmed"] == [] and unstated["handoff"]
    assert [p["name"] for p in unstated["products"]] == ["Thé vert menthe 25 sachets Lipton"]
    stated = conversation(rig, "where's the milk?", "the organic one?")
    assert [p["name"] for p in stated["products"]] == ["Lait bio demi-écrémé 1 L Lactel"]
    assert stated["confirmed"] == [stated["products"][0]["gtin"]]


def test_a_new_question_in_a_conversation_is_not_taken_for_a_reference(rig: KioskRig) -> None:
    cheese = conversation(rig, "do you sell cheese?", "where is the milk?")
    assert first(cheese).startswith("Lait")  # not "Camembert au lait", although it was listed
    anything = conversation(rig, "where is the Lipton green tea", "anything organic?")
    assert anything["confirmed"] and "Thé vert menthe 25 sachets Lipton" not in [p["name"] for p in
                                                                                 anything["products"]]


@pytest.mark.parametrize(("text", "intent", "name"), [
    ("combien coute le camanbert", "price", "Camembert"),  # two slips in a long word
    ("cb le beurre doux ?", "price", "Beurre doux"),  # "cb" asks the price...
    ("suger", "product", "Sucre"),  # a misspelt English shop word
    ("orange juce", "product", "Pur jus d'orange"),
])
def test_everyday_spellings(rig: KioskRig, text: str, intent: str, name: str) -> None:
    out = conversation(rig, text)
    assert out["intent"] == intent and any(p["name"].startswith(name) for p in out["products"]), out["answer"]


def test_cb_is_still_the_bank_card_when_it_is_one(rig: KioskRig) -> None:
    assert conversation(rig, "je peux payer par cb ?")["intent"] == "faq"


_ASKED_AGAIN = {
    "price": ["ça fait combien ?", "il vaut combien ?", "et niveau prix ?", "à combien ?", "son prix ?",
              "c koi le prix",
              "what does it cost", "price pls", "how much for it", "hw much", "cost?"],
    "stock": ["combien il en reste", "il y en a combien ?", "vous en avez ?", "y'en a plus ?", "en rayon ?",
              "any more?", "got any left", "sold out?", "how many left"],
    "where": ["dans quel rayon ?", "c'est dans quelle allée ?", "je le trouve où ?", "où ça ?", "which aisle?",
              "where would i find that", "wheres it"],
}


@pytest.mark.parametrize("first_question", ["où est le Comté ?", "how much is the Comté?"])
def test_every_way_of_asking_again_keeps_the_product_and_asks_the_right_thing(rig: KioskRig,
                                                                              first_question: str) -> None:
    wrong = []
    for intent, wordings in _ASKED_AGAIN.items():
        for text in wordings:
            out = conversation(rig, first_question, text)
            if out["intent"] != intent or first(out) != "Comté AOP 12 mois 200 g Comté Juraflore":
                wrong.append((text, out["intent"], first(out)))
    assert wrong == []


_FIRST_QUESTIONS = st.sampled_from(["do you have tea?", "où est le Nutella ?", "vous avez du fromage ?",
                                    "how much is the Evian 50 cl?", "robot?", "lait sans lactose ?", "zorglub"])
_PIECES = st.sampled_from(["and", "et", "the", "le", "big", "petit", "other", "l'autre", "first", "cheapest",
                           "moins chère", "one", "celui", "it", "is it organic", "how much", "combien", "where",
                           "il en reste", "Panzani", "green", "bio", "?", "x", "0", "🙂", "<b>", "'; DROP TABLE"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_FIRST_QUESTIONS, st.lists(_PIECES, min_size=1, max_size=6), st.text(max_size=20))
def test_any_follow_up_gets_a_grounded_answer_and_never_a_property_the_row_does_not_state(
        rig: KioskRig, first_question: str, pieces: list[str], noise: str) -> None:
    out = conversation(rig, first_question, " ".join(pieces) + " " + noise)  # grounded: every number from the hub
    assert out["intent"] in INTENTS
    if out["attribute"]:  # presented as having the property: only what the catalog row states
        assert set(out["confirmed"]) <= rig.assistant.stock.stating(out["attribute"])
    else:
        assert out["confirmed"] == []


@pytest.mark.parametrize(("texts", "name"), [
    (("do you have juice?", "the apple one"), "Pur jus de pomme 1 L Joker"),  # not the apples, better words alone
    (("y a du jus ?", "celui à la pomme"), "Pur jus de pomme 1 L Joker"),
    (("do you sell beer?", "the dark one?"), "Bière brune 6 x 25 cl Pelforth"),
    (("où est le chocolat ?", "le noir ?"), "Excellence noir 70 % 100 g Lindt"),  # not the black pepper
    (("where is the chocolate?", "the milk one?"), "Chocolat lait extra fondant 100 g Lindt"),  # not milk
    (("do you have yoghurt?", "which is cheapest"), "Yaourt nature x4 Danone"),
])
def test_a_word_with_the_one_points_into_the_list_just_shown(rig: KioskRig, texts: tuple[str, ...],
                                                               name: str) -> None:
    out = conversation(rig, *texts)
    listed = [p["name"] for p in conversation(rig, texts[0])["products"]]
    assert first(out) == name and name in listed


def test_a_property_carried_on_is_asked_of_what_was_shown(rig: KioskRig) -> None:
    out = conversation(rig, "où est le lait ?", "et en bio ?")
    assert out["attribute"] == "organic" and [p["name"] for p in out["products"]] == ["Lait bio demi-écrémé 1 L Lactel"]


def test_one_word_with_no_sign_of_language_stays_in_the_conversation_language(rig: KioskRig) -> None:
    out = conversation(rig, "do you have batteries?", "AAA?")
    assert out["lang"] == "en" and first(out) == "Piles AAA x4 Duracell"


def test_thanks_at_the_end_of_a_conversation_is_not_a_new_hello(rig: KioskRig) -> None:
    out = conversation(rig, "où est le Nutella ?", "merci !")
    assert out["answer"].startswith("Avec plaisir") and not out["products"]
    assert conversation(rig, "bonjour")["answer"].startswith("Bonjour")


@pytest.mark.parametrize(("text", "name"), [
    ("le grand nutella", "Pâte à tartiner noisettes 750 g Nutella"),
    ("le petit pot de nutella", "Pâte à tartiner noisettes 400 g Nutella"),  # not "Petits pots" for babies
    ("small evian", "Eau minérale 50 cl Evian"),
    ("gros sel", "Gros sel de mer 1 kg La Baleine"),  # a size word that is part of a name stays a name
    ("le petit beurre", "Petit Beurre 200 g Lu"),
])
def test_a_size_in_the_first_question_picks_among_the_products_named(rig: KioskRig, text: str, name: str) -> None:
    assert first(conversation(rig, text)) == name
