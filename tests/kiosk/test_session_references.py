"""A conversation's own history, and the words around a product, as customers use them.

"Le deuxième" after two products asked one at a time is the second of
those; "the cheaper one" after one product looks among the same kind of
product of every brand; "le pack" is the product sold as several units; a
number that is a word of a name ("1664") names it; "organic?" right after a
list asks about that list. Questions about the world outside the shop (the
toilets, the post office, a recipe, a baby's diet) are declined without a
product, while the products with the same words ("papier toilette") are
still found; a lost child or a failing card reaches a person.
"""

from __future__ import annotations

import pytest

from tests.kiosk.conftest import KioskRig
from tests.kiosk.test_followups import conversation, first


@pytest.mark.parametrize(("texts", "name"), [
    # positions among the products asked about one at a time, when the last answer was one product
    (("où sont les penne Barilla ?", "et celles de Lustucru ?", "la première, c'est combien ?"),
     "Penne rigate Barilla 500 g"),
    (("how much is the Barilla fusilli?", "and the Lustucru ones?", "the second one, where is it?"),
     "Fusilli Lustucru 500 g"),
    # "the cheaper one" after one product: the same kind of product, any brand
    (("où est le camembert Président ?", "et le moins cher ?"), "Camembert au lait pasteurisé 250 g Bridel"),
    # the size with the brand named, among the products near what was shown
    (("where's the olive oil?", "and the 50 cl Puget, how much?"), "Huile d'olive vierge extra 50 cl Puget"),
    # a number that is a word of a name
    (("vous avez de la bière ?", "et la 1664 ?"), "1664 blonde 6 x 25 cl Kronenbourg"),
    # a size in words, a percentage of a name
    (("de l'huile d'olive Puget ?", "la bouteille d'un litre, il en reste ?"), "Huile d'olive vierge extra 1 L Puget"),
    (("do you have dark chocolate?", "the 85 % one, how much?"), "Chocolat noir bio 85 % 100 g Alter Eco"),
    # a brand and a word that name a product on the shelf better than anything the list showed
    (("pasta please", "the Barilla penne, how much?"), "Penne rigate Barilla 500 g"),
])
def test_a_follow_up_reads_the_conversation_and_the_catalog(rig: KioskRig, texts: tuple[str, ...], name: str) -> None:
    assert first(conversation(rig, *texts)) == name


@pytest.mark.parametrize(("text", "name"), [
    ("le pack de Perrier, c'est combien ?", "Eau gazeuse 4 x 33 cl Perrier"),
    ("how much is a multipack of Evian", "Eau minérale 6 x 1,5 L Evian"),
    ("1664 c'est où", "1664 blonde 6 x 25 cl Kronenbourg"),
])
def test_a_pack_or_a_number_in_a_first_question_names_the_product(rig: KioskRig, text: str, name: str) -> None:
    assert first(conversation(rig, text)) == name


def test_a_property_with_a_count_in_words_points_at_the_list(rig: KioskRig) -> None:
    out = conversation(rig, "des œufs ?", "the six organic ones, how much?")
    assert [p["name"] for p in out["products"]] == ["Œufs bio x6 Loué"] and out["confirmed"]


def test_a_bare_property_question_after_a_list_is_about_that_list(rig: KioskRig) -> None:
    out = conversation(rig, "vous avez du chocolat noir ?", "bio ?")
    assert out["attribute"] == "organic" and out["products"]
    assert all("noir" in p["name"].lower() and "organic" in p["labels"] for p in out["products"])
    whole = conversation(rig, "vous avez du chocolat noir ?", "anything organic?")  # the whole shop
    assert len({p["name"].split()[0] for p in whole["products"]}) > 1


@pytest.mark.parametrize("text", [
    "où sont les toilettes ?", "is there a car park?", "what time does the post office shut",
    "la pharmacie la plus proche svp", "tu as une recette de blanquette ?", "can my toddler eat brie?",
    "where can I buy a phone charger around here", "une recette avec des poireaux ?", "cuisson des coquillettes ?",
    "what wine goes with lamb", "c'est moins cher chez Lidl ?", "what time is it", "t'as quel âge ?",
    "je peux donner du jambon à mon chat ?",
])
def test_the_world_outside_the_shop_is_declined_without_a_product(rig: KioskRig, text: str) -> None:
    out = conversation(rig, text)
    assert out["intent"] == "out_of_scope" and not out["products"], out["answer"]


@pytest.mark.parametrize("text", ["où est le papier toilette ?", "need loo roll", "du papier wc svp"])
def test_products_named_like_a_place_are_still_found(rig: KioskRig, text: str) -> None:
    assert conversation(rig, text)["products"], text


@pytest.mark.parametrize("text", [
    "j'ai perdu ma fille, elle a 6 ans", "I can't find my son anywhere", "ma carte est refusée à la caisse",
    "the contactless payment is not working", "qqn peut m'aider svp", "my yoghurt has gone off",
    "I can't reach the top shelf", "j'ai oublié mon sac à la caisse", "can you order in 12 bottles of Mumm for me",
])
def test_what_only_a_person_can_sort_out_reaches_one(rig: KioskRig, text: str) -> None:
    out = conversation(rig, text)
    assert out["handoff"] and not out["products"] and out["intent"] in ("staff", "staff_offer"), out


@pytest.mark.parametrize(("text", "lang"), [
    ("Nutella please", "en"), ("Any Bonne Maman madeleines?", "en"), ("the yellow Lipton tea", "en"),
    ("Nutella svp", "fr"), ("madeleines Bonne Maman merci", "fr"),
])
def test_politeness_and_function_words_say_the_language_more_than_a_product_name(
        rig: KioskRig, text: str, lang: str) -> None:
    out = conversation(rig, text)
    assert out["lang"] == lang and out["products"], out["answer"]


@pytest.mark.parametrize(("texts", "kind_word"), [
    (("il est où le pinard",), "vin"), (("des binouzes svp",), "bière"), (("sum biccies pls",), "biscuit"),
    (("kitty food",), "cat food"), (("Could you point me to the soup?",), "soup"),
])
def test_slang_names_the_kind(rig: KioskRig, texts: tuple[str, ...], kind_word: str) -> None:
    out = conversation(rig, *texts)
    assert out["products"] and out["intent"] != "faq" and kind_word in out["answer"].lower(), out["answer"]


@pytest.mark.parametrize("texts", [
    ("ya des croquettes pedigree ?", "ok cb ?"), ("do you sell bananas?", "what's the price per kilo?"),
    ("haagen dazs cookies n cream", "cool how much"), ("any cider?", "the sweet one", "where exactly is that"),
])
def test_fillers_in_a_follow_up_keep_it_about_the_product_shown(rig: KioskRig, texts: tuple[str, ...]) -> None:
    before = conversation(rig, *texts[:-1])["products"][0]["name"]
    out = conversation(rig, *texts)
    assert out["products"] and out["products"][0]["name"] == before, out["answer"]
