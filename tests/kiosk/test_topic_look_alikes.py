"""No product question, however politely or casually worded, is taken for a topic (disclosure, staff matter, out of
scope, a call for staff): every product name of the demo catalog in the ways customers ask for a product."""

from __future__ import annotations

from hub.assistant.intents import classify
from tests.kiosk.conftest import KioskRig

_FRAMES = ["où est {} ?", "do you have {}?", "{}", "pourriez-vous m'indiquer où se trouve {} ?",
           "je suis en train de chercher {}", "could you tell me where the {} is?", "auriez-vous {} ?",
           "est-ce que vous pourriez me dire le prix de {} ?", "I'm looking for {}, please",
           "bonjour, je cherche {} svp merci", "excuse me, where can I find {}?", "nous pourrions avoir {} ?"]
_TOPICS = {"disclosure", "staff_offer", "out_of_scope", "staff", "refused"}


def test_every_product_in_every_polite_or_casual_frame_stays_a_product_question(rig: KioskRig) -> None:
    names = [row[0] for row in rig.db.execute("SELECT name FROM products")]
    taken = [(f.format(n), classify(f.format(n), {}).name) for f in _FRAMES for n in names
             if classify(f.format(n), {}).name in _TOPICS]
    assert len(names) > 300 and not taken, taken[:5]


def test_the_words_those_frames_share_with_topics_still_mean_the_topic() -> None:
    assert classify("le yaourt était pourri", {}).name == "staff_offer"  # not "pourriez-vous"
    assert classify("les tomates sont pourries", {}).name == "staff_offer"
    assert classify("quel train pour Paris ?", {}).name == "out_of_scope"  # not "en train de"
