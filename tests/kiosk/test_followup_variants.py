"""Follow-ups that name a variant of what was just shown, as customers ask in a session.

A number or a size ("the 6 pack", "and the 50 cl?"), an adjective of the
product's name in either language ("le liquide", "the sweet one"), a word of
a product of the same family that the answer did not list ("et en grains ?"),
another brand, or a count of the product shown ("two bottles"). Each answer is
checked against the hub (every figure read from it) and must be about the
variant the customer named.
"""

from __future__ import annotations

import pytest

from tests.kiosk.conftest import KioskRig
from tests.kiosk.test_followups import conversation, first


@pytest.mark.parametrize(("texts", "name", "intent"), [
    # a count or a size names the variant
    (("where is the Orangina?", "how much for the 6 pack?"), "Orangina 6 x 33 cl", "price"),
    (("how much is the Evian 1.5 L?", "and the 50 cl?"), "Eau minérale 50 cl Evian", "price"),
    (("où est le Perrier ?", "et le pack de 4 ?"), "Eau gazeuse 4 x 33 cl Perrier", None),
    (("where's the Evian water?", "and the 1.5 litre?"), "Eau minérale 1,5 L Evian", None),
    # "small cans": the small unit, not the lighter pack
    (("où est l'Orangina ?", "et les petites canettes ?"), "Orangina 6 x 33 cl", "where"),
    # a word of one product shown, even when another shelf matches it better ("Liquide vaisselle")
    (("do you have honey?", "le liquide, c'est combien ?"), "Miel d'acacia liquide 375 g Lune de Miel", "price"),
    # a word of the family the answer did not list
    (("où est le café moulu ?", "et en grains ?"), "Café en grains 1 kg Carte Noire", None),
    # a brand not shown: its product most like what was shown (dark, not the milk Lindt), on any shelf shown
    (("do you have dark chocolate?", "how much is the Lindt one?"), "Excellence noir 85 % 100 g Lindt", "price"),
    # an English adjective for the catalog's French word
    (("do you have cider?", "the sweet one, how much?"), "Cidre doux 1 L Cidre Loïc Raison", "price"),
    # the same product by another brand
    (("vous avez du Ketchup ?", "l'autre marque, c'est combien ?"), "Ketchup 550 g Amora", "price"),
    # a count of the product shown is that product
    (("where is the Champagne?", "how much for two bottles?"), "Champagne Cordon Rouge 75 cl Mumm", "price"),
    # "lequel" asks which; it names no product
    (("vous avez du lait ?", "le moins cher, c'est lequel ?"), "Lait demi-écrémé 1 L Lactel", None),
    # among equal words, the product just shown before the rest of its brand
    (("do you have orange juice?", "where's the Joker one?"), "Pur jus d'orange 1 L Joker", "where"),
])
def test_a_follow_up_naming_a_variant_gets_that_variant(rig: KioskRig, texts: tuple[str, ...], name: str,
                                                       intent: str | None) -> None:
    out = conversation(rig, *texts)
    assert first(out) == name, out["answer"]
    if intent is not None:
        assert out["intent"] == intent
