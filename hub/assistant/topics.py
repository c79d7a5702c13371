"""Questions that are not about a product: "are you a robot?", the weather, a discount.

Checked on normalised text (see everyday.py) before any product matching, so a
product word inside such a question ("is Nutella good for diabetics?") never
turns it into a product answer.

* **Disclosure** (AI Act art. 50): a question about what the kiosk is, in any
  wording. Detected as an identity frame ("are you", "is this", "t'es",
  "je parle à") together with a word for a person or a machine, or such a word
  alone; answered by saying it is an automated assistant (an AI) and offering a person.
* **Out of scope**: weather, sport, wifi, news, jokes, health and medical
  advice about a product: a polite refusal that states no fact.
* **Staff matters**: a discount, a complaint, a damaged product: offered to a person.
"""

from __future__ import annotations

import re

from hub.assistant.disclosure import asks_what_it_is, requests_a_person


def _any(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


_BEING = (r"(?:real |actual |live |true |vrai |vraie |veritable )?"
          r"(?:person|personne|human|humain|humaine|people|man|woman|lady|guy|robot|bot|robots|machine|ai|a i|ia|"
          r"i a|intelligence artificielle|artificial intelligence|computer|ordinateur|programme?|software|logiciel|"
          r"chat ?bot|chatgpt|gpt|automate|automatique|automated|automatic|algorithme|algorithm|android|cyborg|"
          r"sentient|conscient|employee|employe|vendeur|vendeuse|staff|member of staff|shop assistant|cashier|"
          r"caissier|caissiere|salarie|assistant virtuel|virtual assistant)")
_IDENTITY_FRAME = _any(
    r"are (?:you|u)", r"you are", r"you re", r"is (?:this|that|it) (?:a|an|really|actually)",
    r"am i (?:talking|speaking|chatting|writing|typing)",
    r"who am i", r"who (?:are|r) (?:you|u)", r"what (?:are|r) (?:you|u)", r"who is (?:this|answering|replying|there)",
    r"who s (?:this|answering|there)",
    r"is there a (?:real )?(?:person|human|someone)(?: behind| typing| answering| there)",
    r"es tu", r"t es", r"tu es", r"etes vous", r"vous etes", r"est ce que (?:tu|vous) (?:es|etes)",
    r"c est (?:un|une|vraiment|bien)", r"je (?:parle|discute|cause|ecris) (?:a|avec)",
    r"on (?:parle|discute) (?:a|avec)",
    r"qui (?:me )?(?:repond|ecrit|parle)", r"qui est la", r"qui etes vous", r"qui es tu", r"t es qui", r"vous etes qui",
    r"c est qui", r"c est quoi (?:cette|ce) (?:borne|machine|truc|ecran)",
    r"what is this (?:thing|machine|kiosk|screen)",
    r"human or", r"humain ou", r"person or", r"personne ou", r"robot or", r"robot ou", r"machine or", r"machine ou",
    r"un etre humain",
)
#: Frames that ask who answers without naming a being: "who am I talking to?", "t'es qui ?".
_WHO_ANSWERS = _any(r"who am i (?:talking|speaking|chatting) (?:to|with)", r"who (?:are|r) (?:you|u)", r"qui es tu",
                    r"qui etes vous", r"t es qui", r"vous etes qui", r"qui (?:me )?(?:repond|ecrit)", r"c est qui",
                    r"qui est (?:derriere|la)", r"who s (?:answering|there|this)", r"who is (?:answering|this)",
                    r"are you (?:real|alive)", r"what are you",
                    r"c est (?:automatique|automatise|une machine|un robot)",
                    r"parler? (?:a|avec) (?:un|une) (?:ia|robot|machine|ordinateur|bot|humain|personne)",
                    r"quelqu un derriere", r"someone behind", r"derriere l ecran", r"behind the screen",
                    r"is this automated", r"are you automated",
                    r"(?:t es|tu es|es tu|etes vous|vous etes) (?:reel|reelle|vrai|vraie|vivant|vivante)",
                    r"(?:talking|speaking|chatting) (?:to|with) (?:someone|somebody|a real|a live)",
                    r"do i (?:talk|speak|chat) (?:to|with) (?:a|an) (?:ai|robot|bot|machine|computer|human|person)",
                    r"are we (?:talking|chatting)")
_BEING_WORD = re.compile(r"\b" + _BEING + r"\b")
_ONLY_BEING = re.compile(r"^(?:(?:un|une|a|an|the|are|you|tu|vous|es|etes|t|es tu|is|this) )*" + _BEING + r"$")

_OUT_OF_SCOPE = _any(
    # weather
    r"meteo", r"weather", r"quel temps", r"temps (?:fait|fera)", r"temps (?:qu il|il) (?:fait|fera|va faire)",
    r"il (?:va )?pleu\w*", r"pluie", r"rain\w*",
    r"neige\w*", r"snow\w*", r"forecast for (?:today|tomorrow)", r"temperature (?:outside|dehors)", r"sunny",
    # sport
    r"match", r"foot", r"football", r"soccer", r"rugby", r"tennis", r"score", r"psg", r"ligue \d?", r"world cup",
    r"coupe du monde", r"who won", r"qui a gagne", r"tour de france", r"champions league", r"olympi\w*",
    r"jeux olympiques",
    # connectivity
    r"wifi", r"wi fi", r"internet", r"mot de passe", r"password", r"hotspot", r"charger (?:my|mon) (?:phone|telephone)",
    # health and medical advice
    r"medicament\w*", r"medicine\w*", r"medication", r"doctor", r"docteur", r"medecin", r"pharmac\w*", r"enceinte",
    r"pregnan\w*", r"diabet\w*", r"cholesterol", r"blood pressure", r"tension arterielle", r"headache",
    r"mal (?:de|a la) (?:tete|ventre|gorge)", r"malade", r"sick", r"ill", r"disease", r"maladie", r"symptom\w*",
    r"healthy", r"bon pour la sante", r"bon pour (?:le|mon|ma|les) (?:coeur|sante|regime|enfant|bebe|ventre)",
    r"good for (?:you|me|my|your|health|the heart|kids|children|a diet|weight)",
    r"safe (?:to eat|for (?:my|a|kids|children|babies|pregnant))",
    r"calorie\w*", r"(?:on a|my|a) diet", r"faire un regime", r"perdre du poids", r"lose weight",
    r"nutrition\w*", r"vitamin\w*", r"dose",
    r"dosage", r"traitement", r"treatment", r"overdose", r"paracetamol", r"ibuprof\w*", r"aspirin\w*", r"doliprane",
    r"antibioti\w*", r"allaite\w*", r"breastfeed\w*",
    r"(?:bebe|baby|babies|bebes|enfant|enfants|child|children|kid|kids|toddler|fils|fille|son|daughter|chien|dog|"
    r"chat|cat)\b.{0,40}\b(?:peut|peuvent|can|could)\b.{0,12}\b(?:manger|boire|eat|drink|avoir|have)",
    r"(?:peut|can) (?:mon|ma|mes|my) \w+ (?:manger|boire|eat|drink|have)",
    r"is (?:it|this|that) (?:safe|ok|okay|dangerous|bad)", r"(?:c est|est ce) (?:dangereux|mauvais|bon) pour",
    r"dangereux", r"dangerous", r"tap water", r"eau du robinet",
    # recipes and cooking advice
    r"recettes?", r"recipes?", r"how (?:do (?:i|you)|to) (?:cook|bake|prepare)",
    r"(?:what|quoi) (?:should i|can i|to|faire a|faire pour|cuisiner|manger) (?:cook|make|eat|manger|diner|ce soir)\w*",
    r"comment (?:on )?(?:cuisine\w*|cuire|cuit|prepare\w*)",
    # places and services that are not the shop's
    r"(?<!papier )(?<!paper )toilet(?:te)?s?(?! (?:paper|roll|rolls|tissue|cleaner|canard|duck))",
    r"restroom\w*", r"bathroom\w*", r"loo(?! roll)", r"(?<!papier )wc(?! net)", r"parking", r"car park",
    r"(?:se )?garer",
    r"park (?:my|the) car", r"post office", r"la poste", r"bureau de poste", r"mairie", r"town hall", r"gare",
    r"station", r"hopital", r"hospital", r"police", r"commissariat", r"banque", r"bank", r"atm", r"cash machine",
    r"distributeur (?:de billets|automatique)", r"bureau de tabac", r"restaurant\w*",
    r"d en face", r"across the (?:road|street)", r"around here", r"near here", r"nearby", r"in town", r"en ville",
    r"dans le coin", r"pas loin", r"le plus proche", r"la plus proche", r"the nearest", r"closest",
    r"directions? to", r"how do i get to", r"comment aller", r"chargeur", r"phone charger",
    # cooking times, what to drink with a dish, feeding an animal or a baby
    r"temps de cuisson", r"cuisson", r"how long (?:do|should|does|to|for)\b.{0,30}\b(?:cook|bake|boil|heat|roast)\w*",
    r"cooking time", r"(?:quel|quelle|quels) (?:vin|vins|biere|boisson) (?:avec|pour|sur)",
    r"(?:which|what) (?:wine|beer|drink) (?:goes|go|with|for|to serve|should)",
    r"(?:donner|give|feed)\b.{0,30}\b(?:a mon|a ma|a mes|to my|my) (?:chien|chat|bebe|enfant|dog|cat|baby|puppy|kid)",
    # the time, small talk and personal questions
    r"quelle heure (?:est il|il est)", r"il est quelle heure", r"what time is it", r"what s the time",
    r"t es marie\w*", r"are you married", r"quel age", r"how old are you", r"tu t appelles", r"your name",
    r"comment tu t appelles", r"how are you", r"comment (?:ca|tu) va\w*", r"(?:tu|vous) (?:m aimes|aimez)",
    # other shops' prices, homework
    r"(?:chez|at|in|than) (?:leclerc|lidl|carrefour|auchan|intermarche|aldi|monoprix|franprix|super u|tesco|"
    r"sainsbury s?|asda|walmart|amazon)", r"autres? magasins?", r"other shops?", r"ailleurs", r"elsewhere",
    r"concurren\w*", r"competitor\w*", r"essay", r"dissertation", r"write my", r"devoirs?",
    # the rest of the world
    r"news", r"actualite\w*", r"politi\w*", r"president (?:of|de)", r"election\w*", r"blague", r"joke", r"poeme",
    r"poem",
    r"capital\w* (?:of|de)", r"bourse", r"stock market", r"bitcoin", r"horoscope", r"taxi", r"uber", r"bus",
    r"train(?! de\b)", r"metro", r"cinema", r"movie", r"hotel", r"quelle (?:date|annee)",
    r"what (?:day|year|date) is it", r"homework", r"traduis", r"translate", r"write me", r"ecris moi",
    r"meaning of life", r"sens de la vie", r"love me", r"m aimes", r"marry",
)
_STAFF_MATTER = _any(
    r"discount\w*", r"reduction\w*", r"remise\w*", r"rabais", r"coupon\w*", r"bon de reduction", r"code promo",
    r"promo code", r"voucher", r"geste commercial", r"moins cher pour moi", r"cheaper for me", r"negocier",
    r"negotiate",
    r"complain\w*", r"complaint", r"plainte", r"reclamation\w*", r"reclamer", r"pas content\w*", r"mecontent\w*",
    r"not happy", r"unhappy", r"disappointed", r"decu\w*", r"arnaque\w*", r"rip off", r"scam", r"scandale",
    r"inadmissible", r"unacceptable", r"broken", r"casse(?:e|es|s)?", r"damaged", r"abime\w*", r"perime\w*", r"expired",
    r"out of date", r"rotten", r"pourri(?:e|es|s|ture)?", r"moisi\w*", r"mouldy", r"moldy", r"overcharged",
    r"trop paye",
    r"mal encaisse", r"wrong price", r"erreur de prix", r"le prix affiche", r"the price on the shelf",
    r"(?:me )?(?:faire|faites|fais) un (?:petit )?prix", r"better price", r"give me a deal", r"a good deal",
    # refunds, goods gone off, lost people and things, payments that fail, help to carry
    # a refund alone asks the returns policy (the FAQ); goods gone off or damaged need a person
    r"stale", r"gone off", r"(?:etait|est|a) tourne", r"cracked", r"fele\w*", r"leak\w*", r"fuit", r"fuyait",
    r"(?:perdu|lost|can t find|cannot find|trouve plus|retrouve pas|retrouve plus) (?:mon|ma|mes|my) "
    r"(?:fils|fille|enfant|enfants|gamin|gamine|petit|petite|bebe|mari|femme|mere|pere|maman|papa|son|daughter|"
    r"child|children|kid|kids|boy|girl|baby|husband|wife|mum|mom|dad|portefeuille|porte monnaie|wallet|purse|"
    r"cles|keys|telephone|phone|sac|bag|carte|card)",
    r"(?:paiement|payment|carte|card|sans contact|contactless|terminal|tpe|caisse|till|checkout)\b.{0,40}"
    r"(?:marche pas|marche plus|fonctionne pas|refuse\w*|declined|not working|doesn t work|won t work|rejected|"
    r"bloque\w*|passe pas)",
    r"card (?:got |was |is )?declined", r"carte (?:a ete |est )?refusee", r"self ?checkout", r"caisse automatique",
    r"(?:aider|aide) (?:moi )?a (?:porter|attraper|prendre|atteindre|descendre)", r"tout en haut",
    r"help (?:me )?(?:to )?(?:carry|reach|lift|get down)", r"can t reach", r"top shelf", r"high shelf",
    r"left my \w+", r"has anyone found", r"lost property", r"objets? trouves?", r"oublie mon \w+",
    r"order (?:in|for me)", r"special order", r"commander (?:pour moi|un carton|une caisse|des caisses)",
    r"passer (?:une )?commande", r"faire venir", r"reserver (?:un|une|des)", r"porter (?:mes|mon|ma|le|la|les) .{0,20}"
    r"(?:voiture|car)",
)


def is_disclosure(text: str) -> bool:
    """``text`` (normalised) asks whether the kiosk is a person, a machine or an AI.

    The first round's phrase lists, then the general rule (``disclosure.py``): a word for a machine or a
    person, respelled when misspelt, in a frame that asks what the kiosk is.
    """
    if requests_a_person(text):
        return False  # "can I speak to a person?": a request for staff
    if _ONLY_BEING.match(text) or _WHO_ANSWERS.search(text):
        return True
    frame = _IDENTITY_FRAME.search(text)
    if frame and _BEING_WORD.search(text):
        return True
    return asks_what_it_is(text)


def is_out_of_scope(text: str) -> bool:
    return bool(_OUT_OF_SCOPE.search(text))


def is_staff_matter(text: str) -> bool:
    return bool(_STAFF_MATTER.search(text))
