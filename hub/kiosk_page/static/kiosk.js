// The kiosk page: asks /api/kiosk/ask, shows answers and product cards as text only, forgets after inactivity.
"use strict";

// The page's words in every language, from the hub's message catalog (a JSON block the page carries).
const TEXT = JSON.parse(document.getElementById("kiosk-texts").textContent);

const params = new URLSearchParams(window.location.search);
// Seconds without a touch before the conversation is wiped (60; ?idle= lets an installer or a test shorten it).
const IDLE_S = Math.min(600, Math.max(2, Number(params.get("idle")) || 60));
const KIOSK_ID = /^[A-Za-z0-9_.-]{1,32}$/.test(params.get("kiosk") || "") ? params.get("kiosk") : "kiosk";

let lang = "fr";
let chosenByHand = false;
let session = newSession();
let idleTimer = null;

function newSession() {
  const bytes = new Uint8Array(12);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function t(key) { return (TEXT[lang] || TEXT.fr)[key] || TEXT.fr[key] || key; }

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function applyLanguage(next) {
  lang = next;
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => { node.placeholder = t(node.dataset.i18nPlaceholder); });
  document.querySelectorAll(".lang").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
}

const SHOP_ZONE = (document.querySelector("meta[name='shop-timezone']") || {}).content || undefined;

function timeOfDay(iso) {
  // In the shop's time zone (given by the hub), as the answers say it.
  const parts = new Intl.DateTimeFormat("en-GB", { hour: "numeric", minute: "2-digit", hourCycle: "h23", timeZone: SHOP_ZONE })
    .formatToParts(new Date(iso));
  const hour = Number(parts.find((p) => p.type === "hour").value);
  const minute = parts.find((p) => p.type === "minute").value;
  return lang === "fr" ? `${hour}h${minute}` : `${hour}:${minute}`;
}

function price(value) {
  return new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB", { style: "currency", currency: "EUR" }).format(value);
}

function propertyName(attribute) {
  if (attribute.startsWith("allergen:")) return attribute.slice(9);
  return TEXT[lang]["label_" + attribute] || attribute;
}

function productCard(p, withPairing, asked) {
  const card = el("li", "card");
  card.dataset.gtin = p.gtin;
  card.appendChild(el("span", "name", p.name));
  if (asked) {
    // a property is shown as held only when the hub says the catalog states it for this product
    const held = asked.confirmed.includes(p.gtin);
    const badge = el("span", held ? "badge stated" : "badge unconfirmed",
      `${held ? t("stated") : t("notConfirmed")}${propertyName(asked.attribute)}`);
    card.appendChild(badge);
  }
  card.appendChild(el("span", "where", `${t("aisle")} ${p.aisle}, ${t("shelf")} ${p.shelf}`));
  card.appendChild(el("span", "price", ` · ${price(p.price)}`));
  let stock;
  if (p.on_shelf === null || p.on_shelf === undefined) stock = el("span", "stock", t("noCount"));
  else if (p.on_shelf === 0) stock = el("span", "stock none", `${t("noneOnShelf")} (${t("counted")} ${timeOfDay(p.updated_at)})`);
  else stock = el("span", "stock", `${p.on_shelf} ${t("onShelf")} (${t("counted")} ${timeOfDay(p.updated_at)})`);
  card.appendChild(el("br"));
  card.appendChild(stock);
  if (p.reason && p.kind !== "together") card.appendChild(el("span", "reason", ` — ${p.reason}`));
  if (withPairing) {
    const pair = el("button", "pair", t("pair"));
    pair.type = "button";
    pair.addEventListener("click", () => showPairings(p));
    card.appendChild(el("br"));
    card.appendChild(pair);
  }
  return card;
}

function addMessage(who, text, products, withPairing, asked) {
  const item = el("li", `msg ${who}`);
  if (who === "assistant") item.appendChild(el("span", "who", t("assistant")));
  if (text) item.appendChild(el("span", "text", text));
  if (products && products.length) {
    const cards = el("ul", "cards");
    products.forEach((p) => cards.appendChild(productCard(p, withPairing, asked)));
    item.appendChild(cards);
  }
  const list = document.getElementById("conversation");
  list.appendChild(item);
  touch();  // the minute of inactivity counts from the last thing on screen
  item.scrollIntoView({ block: "end" });
  return item;
}

async function call(url, options) {
  const response = await fetch(url, { ...options, headers: { "Content-Type": "application/json", "X-Kiosk-Id": KIOSK_ID } });
  if (response.status === 429) throw new Error(t("busy"));
  if (!response.ok) throw new Error(t("error"));
  return response.json();
}

let waiting = false;

function setWaiting(on) {
  // one question at a time: the send button is disabled and a "thinking" line shows until the answer comes
  waiting = on;
  document.getElementById("send").disabled = on;
  document.getElementById("conversation").setAttribute("aria-busy", String(on));
  const old = document.getElementById("thinking");
  if (old) old.remove();
  if (on) {
    const item = el("li", "msg assistant thinking");
    item.id = "thinking";
    item.appendChild(el("span", "who", t("assistant")));
    item.appendChild(el("span", "text", t("thinking")));
    document.getElementById("conversation").appendChild(item);
    item.scrollIntoView({ block: "end" });
  }
}

async function ask(text) {
  if (!text.trim() || waiting) return;
  touch();
  addMessage("customer", text);
  setWaiting(true);
  try {
    // the page's language settles a question that shows none ("pesto", "robot?"); a hand-picked one forces it
    const body = { text, session, page_lang: lang };
    if (chosenByHand) body.lang = lang;
    const reply = await call("/api/kiosk/ask", { method: "POST", body: JSON.stringify(body) });
    setWaiting(false);
    if (reply.lang !== lang) applyLanguage(reply.lang);
    // with cards on screen, the text says only what no card repeats (each thing said once)
    const shown = reply.products.length ? reply.headline : reply.answer;
    const asked = reply.attribute ? { attribute: reply.attribute, confirmed: reply.confirmed } : null;
    addMessage("assistant", shown, reply.products, true, asked);
  } catch (err) {
    setWaiting(false);
    addMessage("assistant", err.message);
  }
}

async function showPairings(product) {
  touch();
  try {
    const data = await call(`/api/kiosk/recommendations?gtin=${encodeURIComponent(product.gtin)}&lang=${lang}&limit=3`);
    // say what the list really is: "often bought with" only when it is; best-sellers are called best-sellers
    const together = data.items.some((i) => i.kind === "together" || i.kind === "buy_again");
    const heading = !data.items.length ? t("nothing") : together ? data.items[0].reason : t("popularOnly");
    addMessage("assistant", heading, data.items, false);
  } catch (err) {
    addMessage("assistant", err.message);
  }
}

function wipe() {
  waiting = false;
  document.getElementById("send").disabled = false;
  document.getElementById("conversation").replaceChildren();
  document.getElementById("question").value = "";
  session = newSession();
  chosenByHand = false;
  applyLanguage("fr");
}

function touch() {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(wipe, IDLE_S * 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  applyLanguage("fr");
  document.querySelectorAll(".lang").forEach((b) => b.addEventListener("click", () => {
    chosenByHand = true;
    applyLanguage(b.dataset.lang);
    touch();
  }));
  document.querySelectorAll("[data-ask-key]").forEach((b) => b.addEventListener("click", () => ask(t(b.dataset.askKey))));
  document.getElementById("restart").addEventListener("click", () => { wipe(); document.getElementById("question").focus(); });
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    ask(text);
  });
  ["pointerdown", "keydown"].forEach((kind) => document.addEventListener(kind, touch, { passive: true }));
  document.body.dataset.ready = "true";
});
