"""The assistant's sentences in French and English. Every figure in them is passed in from the hub's data.

Nothing here computes a number: prices, counts, aisles and times arrive as
values read from the database and are only formatted (decimal comma in
French, the shop's time zone for times of day).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hub.assistant.stock import ProductFacts


def price(cents: int, lang: str) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d} €" if lang == "fr" else f"€{euros}.{rest:02d}"


def time_of_day(seconds: float, zone: ZoneInfo, lang: str) -> str:
    moment = datetime.fromtimestamp(seconds, UTC).astimezone(zone)
    return f"{moment.hour}h{moment.minute:02d}" if lang == "fr" else f"{moment.hour}:{moment.minute:02d}"


def place(f: ProductFacts, lang: str) -> str:
    return f"rayon {f.aisle}, étagère {f.shelf}" if lang == "fr" else f"aisle {f.aisle}, shelf {f.shelf}"


def label(f: ProductFacts) -> str:
    return f.name if f.brand.lower() in f.name.lower() else f"{f.name} ({f.brand})"


def shelf_state(f: ProductFacts, zone: ZoneInfo, lang: str, now: float, stale_s: float) -> str:
    """How many are on the shelf and when that was counted; or that the hub does not know."""
    if f.on_shelf is None or f.updated_at is None:
        return ("Je n'ai pas de comptage récent en rayon pour ce produit." if lang == "fr"
                else "I have no recent shelf count for this product.")
    when = time_of_day(f.updated_at, zone, lang)
    old = now - f.updated_at > stale_s
    if f.on_shelf > 0:
        text = (f"{f.on_shelf} en rayon (compté à {when})." if lang == "fr"
                else f"{f.on_shelf} on the shelf (counted at {when}).")
    else:
        text = (f"Il n'y en a plus en rayon (compté à {when})." if lang == "fr"
                else f"None left on the shelf (counted at {when}).")
        if f.in_backroom:
            text += (" Il en reste en réserve : un membre de l'équipe peut aller en chercher." if lang == "fr"
                     else " There are some in the stockroom: a staff member can fetch one.")
    if old:
        text += " Ce comptage date un peu : il a pu changer." if lang == "fr" else " That count is a while old."
    return text


def summary(f: ProductFacts, lang: str) -> str:
    return f"{label(f)} : {place(f, lang)}, {price(f.price_cents, lang)}." if lang == "fr" \
        else f"{label(f)}: {place(f, lang)}, {price(f.price_cents, lang)}."


def lead(intent: str, f: ProductFacts, lang: str) -> str:
    """The first sentence, shaped by what was asked."""
    fr = lang == "fr"
    if intent == "where":
        return (f"Vous trouverez {label(f)} au {place(f, lang)} ({price(f.price_cents, lang)})." if fr
                else f"You'll find {label(f)} in {place(f, lang)} ({price(f.price_cents, lang)}).")
    if intent == "price":
        return (f"{label(f)} coûte {price(f.price_cents, lang)} ({place(f, lang)})." if fr
                else f"{label(f)} costs {price(f.price_cents, lang)} ({place(f, lang)}).")
    if intent == "details":
        weight = _number(f.unit_weight_g, lang)
        pack = (f", lot de {f.pack_size}" if fr else f", pack of {f.pack_size}") if f.pack_size > 1 else ""
        return (f"{f.name} : marque {f.brand}, rayon « {f.category} », environ {weight} g l'unité{pack}, "
                f"{price(f.price_cents, lang)}, au {place(f, lang)}." if fr
                else f"{f.name}: brand {f.brand}, section \"{f.category}\", about {weight} g each{pack}, "
                f"{price(f.price_cents, lang)}, in {place(f, lang)}.")
    return summary(f, lang)


def _number(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "fr" else text


MESSAGES = {
    "thanks": {
        "fr": "Avec plaisir ! Autre chose ? Je suis l'assistant automatique du magasin (une IA).",
        "en": "You're welcome! Anything else? I am the shop's automated assistant (an AI).",
    },
    "greeting": {
        "fr": "Bonjour ! Je suis l'assistant automatique du magasin (une IA). Demandez-moi où trouver un produit, "
              "son prix, s'il en reste en rayon, ou nos horaires.",
        "en": "Hello! I am the shop's automated assistant (an AI). Ask me where to find a product, its price, "
              "whether any are on the shelf, or our opening hours.",
    },
    "empty": {
        "fr": "Posez-moi une question, par exemple : « Où est l'huile d'olive ? »",
        "en": "Ask me a question, for example: \"Where is the olive oil?\"",
    },
    "too_long": {
        "fr": "Votre message est trop long pour moi. Posez une question courte sur un produit ou sur le magasin.",
        "en": "Your message is too long for me. Please ask a short question about a product or the shop.",
    },
    "refused": {
        "fr": "Je réponds seulement aux questions sur les produits et le magasin. "
              "Un membre de l'équipe peut vous aider pour le reste.",
        "en": "I only answer questions about products and the shop. A staff member can help with anything else.",
    },
    "unknown": {
        "fr": "Je ne peux pas vous aider pour cela. Voulez-vous qu'un membre de l'équipe vienne vous voir ?",
        "en": "I can't help with that. Would you like a staff member to come and help you?",
    },
    "not_found": {
        "fr": "Je ne trouve pas ce produit dans notre catalogue. Voulez-vous qu'un membre de l'équipe vienne "
              "vous aider ?",
        "en": "I can't find that product in our catalogue. Would you like a staff member to come and help you?",
    },
    "clarify": {
        "fr": "Je ne suis pas sûr d'avoir compris. Vouliez-vous dire : {options} ? Sinon, un membre de l'équipe "
              "peut vous aider.",
        "en": "I'm not sure I understood. Did you mean: {options}? If not, a staff member can help.",
    },
    "which_product": {
        "fr": "De quel produit parlez-vous ? Dites-moi son nom, par exemple « farine ».",
        "en": "Which product do you mean? Tell me its name, for example \"flour\".",
    },
    "staff": {
        "fr": "J'ai prévenu l'équipe : quelqu'un va venir vous voir à la borne.",
        "en": "I have let the staff know: someone will come to you at the kiosk.",
    },
    "staff_failed": {
        "fr": "Je n'ai pas pu prévenir l'équipe. Adressez-vous à l'accueil ou à une caisse, s'il vous plaît.",
        "en": "I couldn't reach the staff. Please ask at the front desk or a till.",
    },
    "several": {"fr": "Voici ce que j'ai trouvé :", "en": "Here is what I found:"},
    "alternative": {"fr": "À la place, en rayon :", "en": "Instead, on the shelf now:"},
    "no_alternative": {
        "fr": "Je n'ai pas d'autre produit du même rayon en stock. Un membre de l'équipe peut vous renseigner.",
        "en": "I have no other product of the same kind on the shelf. A staff member can help.",
    },
    "pairing": {"fr": "Souvent acheté avec {name} :", "en": "Often bought with {name}:"},
    "pairing_none": {
        "fr": "Je n'ai pas encore assez de tickets de caisse pour dire ce qui va avec {name}.",
        "en": "I don't have enough receipts yet to say what goes with {name}.",
    },
    "disclosure": {
        "fr": "Je suis l'assistant automatique du magasin : une intelligence artificielle (IA), pas une personne. "
              "Voulez-vous parler à un membre de l'équipe ? Touchez « Appeler un vendeur » et quelqu'un viendra.",
        "en": "I am the shop's automated assistant: an artificial intelligence (AI), not a person. "
              "Would you like to talk to a staff member? Touch \"Call a staff member\" and someone will come.",
    },
    "out_of_scope": {
        "fr": "Désolé, je ne peux répondre qu'aux questions sur les produits du magasin (où, prix, quantité en "
              "rayon) et sur le magasin. Pour le reste, je ne peux pas vous aider ; un membre de l'équipe peut vous "
              "renseigner sur le magasin.",
        "en": "Sorry, I can only answer questions about the shop's products (where, price, how many on the shelf) "
              "and the shop itself. I can't help with that; a staff member can tell you about the shop.",
    },
    "staff_offer": {
        "fr": "Pour cela, il faut voir avec un membre de l'équipe. Voulez-vous que j'appelle quelqu'un ? "
              "Touchez « Appeler un vendeur ».",
        "en": "A staff member needs to look at that. Would you like me to call someone? "
              "Touch \"Call a staff member\".",
    },
    "kind": {"fr": "{label} : voici ce que nous avons :", "en": "{label}: here is what we have:"},
    "kind_more": {
        "fr": "Nous en avons d'autres : dites-moi lequel vous cherchez.",
        "en": "We have more of these: tell me which one you are looking for.",
    },
    "attribute_stated": {
        "fr": "Produits indiqués « {property} » dans notre catalogue :",
        "en": "Products our catalogue states as {property}:",
    },
    "attribute_unknown": {
        "fr": "Je ne peux pas vous confirmer qu'un de ces produits est « {property} » : notre catalogue ne "
              "l'indique pas. Vérifiez l'emballage ou demandez à un membre de l'équipe.",
        "en": "I can't confirm that any of these is {property}: our catalogue doesn't say so. Please check the "
              "packaging or ask a staff member.",
    },
    "attribute_unknown_list": {
        "fr": "Ce que nous avons, sans confirmation « {property} » :",
        "en": "What we have, not confirmed {property}:",
    },
    "attribute_caution": {
        "fr": "En cas d'allergie, vérifiez toujours l'emballage.",
        "en": "With an allergy, always check the packaging too.",
    },
    "buy_again": {"fr": "Vous l'achetez souvent", "en": "You often buy this"},
    "popular": {"fr": "Très demandé en ce moment", "en": "Popular right now"},
    "together": {"fr": "Souvent acheté avec {name}", "en": "Often bought with {name}"},
}


def message(key: str, lang: str, **values: str) -> str:
    return MESSAGES[key][lang].format(**values)
