"""Customers as they really ask (issue 17): kinds of product, properties the catalog may not back, "are you a
robot?", everyday words, follow-ups, what is out of scope. Every number of every answer is checked against the hub."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.assistant.api import reply_out
from tests.kiosk.conftest import KioskRig
from tests.kiosk.grounding import assert_grounded
from tests.kiosk.shop import NOW


def ask(rig: KioskRig, text: str, session: str | None = None) -> dict:
    out = reply_out(rig.assistant.ask(text, session=session)).model_dump()
    assert_grounded(out["answer"], out["products"], rig.db, rig.fusion, NOW.timestamp(), rig.settings.timezone)
    return out


def names(out: dict) -> list[str]:
    return [p["name"] for p in out["products"]]


@pytest.mark.parametrize("text", ["Do you sell cheese?", "vous avez du fromage ?", "jcherche du fromage svp"])
def test_a_kind_of_product_lists_several_of_that_kind(rig: KioskRig, text: str) -> None:
    out = ask(rig, text)
    shown = names(out)
    assert len(shown) >= 3 and any(n.startswith("Camembert") for n in shown)
    assert not any(n.startswith(("Stylos", "Pizza")) for n in shown)  # pens and pizza are not cheese
    assert all(p["aisle"] and p["price"] for p in out["products"])
    assert not any(n in out["headline"] for n in shown)  # above the cards, no product is said twice


@pytest.mark.parametrize(("text", "lang"), [("Do you have any tea?", "en"), ("y a du thé ?", "fr"),
                                            ("u got tea?", "en")])
def test_tea_is_found_in_both_languages(rig: KioskRig, text: str, lang: str) -> None:
    out = ask(rig, text)
    assert out["lang"] == lang and names(out) and all(n.startswith("Thé") for n in names(out))


@pytest.mark.parametrize(("text", "lang"), [
    ("Are you a real person?", "en"), ("t'es un humain ?", "fr"), ("Is this a robot?", "en"),
    ("êtes-vous une intelligence artificielle ?", "fr"), ("who am I talking to?", "en"), ("c'est une IA ?", "fr"),
    ("am I chatting with a bot", "en"), ("je parle à une machine ?", "fr"),
])
def test_asked_what_it_is_it_says_it_is_an_ai_and_offers_a_person(rig: KioskRig, text: str, lang: str) -> None:
    out = ask(rig, text)
    assert out["intent"] == "disclosure" and out["lang"] == lang and out["handoff"] and not out["products"]
    assert ("(AI)" if lang == "en" else "(IA)") in out["answer"]


@pytest.mark.parametrize(("text", "attribute"), [
    ("do you have gluten free pasta?", "gluten_free"), ("vegan cheese?", "vegan"),
    ("yaourt sans lactose ?", "lactose_free"), ("chocolat sans noisettes", "allergen:nuts"),
    ("halal ham?", "halal"),
])
def test_a_property_the_catalog_does_not_state_is_never_claimed(rig: KioskRig, text: str, attribute: str) -> None:
    out = ask(rig, text)
    assert out["attribute"] == attribute and out["confirmed"] == [] and out["handoff"]
    assert "confirm" in out["answer"]  # "can't confirm" / "confirmer"


def test_a_property_the_catalog_states_is_shown_with_those_products_only(rig: KioskRig) -> None:
    out = ask(rig, "du lait bio ?")
    assert out["attribute"] == "organic" and names(out) == ["Lait bio demi-écrémé 1 L Lactel"]
    assert out["confirmed"] == [out["products"][0]["gtin"]] and "organic" in out["products"][0]["labels"]


@pytest.mark.parametrize(("text", "attribute"), [("lait sans lactose ?", "lactose_free"), ("vegan milk", "vegan")])
def test_a_kind_none_of_whose_products_has_the_property_offers_what_is_stated_in_its_place(
        rig: KioskRig, text: str, attribute: str) -> None:
    """No cow's milk is lactose-free or vegan in the catalog; the plant drinks it states so are (kinds.yaml
    ``instead``), shown as stated, and nothing else."""
    out = ask(rig, text)
    assert out["attribute"] == attribute and names(out)
    assert all(n.startswith("Boisson") for n in names(out)), names(out)
    assert out["confirmed"] == [p["gtin"] for p in out["products"]]
    assert all(attribute in p["labels"] for p in out["products"])


LABEL_WORDS = {"organic": ["organic", "bio"], "gluten_free": ["gluten free", "sans gluten"],
               "lactose_free": ["lactose free", "sans lactose"], "vegan": ["vegan", "végétalien"],
               "vegetarian": ["vegetarian", "végétarien"], "halal": ["halal"],
               "allergen:nuts": ["nut free", "sans fruits à coque"], "allergen:milk": ["dairy free", "sans lait"]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attribute=st.sampled_from(sorted(LABEL_WORDS)), data=st.data(),
       kind=st.sampled_from(["", "pasta", "fromage", "milk", "chocolat", "riz", "biscuits", "bread", "huile",
                             "eau", "jambon", "yaourt", "ice cream", "pâtes Barilla", "café"]))
def test_no_product_is_ever_presented_with_a_property_its_row_does_not_state(rig: KioskRig, attribute: str,
                                                                             data, kind: str) -> None:
    words = data.draw(st.sampled_from(LABEL_WORDS[attribute]))
    text = data.draw(st.sampled_from([f"{kind} {words}", f"{words} {kind}", f"do you have {words} {kind}?",
                                      f"vous avez du {kind} {words} ?"]))
    reply = rig.assistant.ask(text)
    facts = {p.gtin: p for p in reply.products}
    assert reply.attribute == attribute, text  # understood as the property asked
    assert all(facts[g].states(attribute) for g in reply.confirmed), text  # stated only where the catalog states it
    assert reply.confirmed or reply.handoff, text  # nothing confirmed: it says so and offers a person


def test_follow_ups_are_about_the_product_just_shown(rig: KioskRig) -> None:
    ask(rig, "où sont les couches ?", session="f1")
    out = ask(rig, "c'est combien ?", session="f1")
    assert out["intent"] == "price" and names(out)[0].startswith("Couches") and "€" in out["answer"]
    out = ask(rig, "il en reste ?", session="f1")
    assert out["intent"] == "stock" and names(out)[0].startswith("Couches") and "en rayon" in out["answer"]


@pytest.mark.parametrize("text", ["quel temps fait-il demain ?", "what's the wifi password?",
                                  "is Nutella good for diabetics?", "who won the football match?",
                                  "can I take paracetamol with coffee?"])
def test_out_of_scope_is_declined_without_a_product_or_a_figure(rig: KioskRig, text: str) -> None:
    out = ask(rig, text)
    assert out["intent"] == "out_of_scope" and not out["products"] and not any(c.isdigit() for c in out["answer"])


@pytest.mark.parametrize("text", ["do you have any discounts today?", "vous me faites un prix ?",
                                  "I want to make a complaint", "le yaourt était périmé"])
def test_a_discount_or_a_complaint_goes_to_staff(rig: KioskRig, text: str) -> None:
    out = ask(rig, text)
    assert out["intent"] == "staff_offer" and out["handoff"] and not out["products"]


@pytest.mark.parametrize(("text", "not_intent"), [
    ("Are you open on Sunday?", "disclosure"), ("are you selling real champagne?", "disclosure"),
    ("can you call someone please", "disclosure"), ("où est le cassoulet ?", "staff_offer"),
    ("diet coke?", "out_of_scope"), ("Où sont les allumettes ?", "out_of_scope"),
])
def test_look_alike_wordings_are_not_taken_for_another_topic(rig: KioskRig, text: str, not_intent: str) -> None:
    assert ask(rig, text)["intent"] != not_intent


def test_a_new_unknown_product_in_a_conversation_is_not_taken_for_the_last_one(rig: KioskRig) -> None:
    ask(rig, "où est le camembert Président ?", session="s2")
    out = ask(rig, "Do you sell cigarettes?", session="s2")
    assert not out["products"] and out["handoff"]  # not "Camembert: aisle ..." again


def test_a_kind_with_a_word_the_shop_lacks_lists_the_kind_not_a_product_sharing_a_word(rig: KioskRig) -> None:
    shown = names(ask(rig, "y'a pas de fromage de chèvre ?"))
    assert shown and not any(n.startswith("Pizza") for n in shown)


@pytest.mark.parametrize(("text", "attribute"), [("des produits bio ?", "organic"),
                                                 ("do you have anything gluten free?", "gluten_free")])
def test_a_property_alone_lists_what_the_catalog_states(rig: KioskRig, text: str, attribute: str) -> None:
    out = ask(rig, text)
    assert out["attribute"] == attribute and out["confirmed"] and not out["handoff"]
    assert all(attribute in p["labels"] for p in out["products"])
