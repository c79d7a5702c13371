// Shared by every staff page: labels, fetch helpers, relative times, and the live event stream.
"use strict";

const Dash = (() => {
  const labelsNode = document.getElementById("labels");
  const L = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  const lang = document.documentElement.lang || "fr";

  function t(key, values) {
    let text = L[key] || key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split("{" + name + "}").join(value === null || value === undefined ? "—" : String(value));
    }
    return text;
  }

  function fill(template, values) {
    let text = template;
    for (const [name, value] of Object.entries(values)) text = text.split("{" + name + "}").join(String(value));
    return text;
  }

  // what staff type and what the catalog says, compared without accents or case ("cafe" finds "Café")
  function fold(text) {
    return String(text || "").replace(/œ/g, "oe").replace(/æ/g, "ae").replace(/Œ/g, "oe").replace(/Æ/g, "ae")
      .normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase(lang);
  }

  // numbers as the page's language writes them (CLDR data, as Babel writes them on the hub)
  const numberFormat = new Intl.NumberFormat(lang, {maximumFractionDigits: 1});
  function num(value) {
    return value === null || value === undefined ? t("none") : numberFormat.format(value);
  }

  function signInUrl() {
    return "/signin?next=" + encodeURIComponent(location.pathname + location.search);
  }

  let leaving = false;  // signing out: the page is going to /signin by itself

  async function api(path, options) {
    const response = await fetch(path, Object.assign({credentials: "same-origin",
      headers: {"Accept": "application/json", "Content-Type": "application/json"}}, options || {}));
    if (response.status === 401) {
      if (!leaving) location.assign(signInUrl());
      throw new Error("signed out");
    }
    if (!response.ok) throw new Error(response.status + " " + (await response.text()).slice(0, 200));
    return response.status === 204 ? null : response.json();
  }

  const relative = new Intl.RelativeTimeFormat(lang, {numeric: "auto", style: "short"});

  function ageText(seconds) {
    if (seconds === null || seconds === undefined) return t("ago_unknown");
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return relative.format(-s, "second");
    if (s < 3600) return relative.format(-Math.round(s / 60), "minute");
    if (s < 86400) return relative.format(-Math.round(s / 3600), "hour");
    return relative.format(-Math.round(s / 86400), "day");
  }

  function sinceText(iso) {
    if (!iso) return t("ago_unknown");
    return ageText((Date.now() - Date.parse(iso)) / 1000);
  }

  function timeText(iso) {
    if (!iso) return "—";
    return new Date(iso).toLocaleString(lang, {dateStyle: "short", timeStyle: "medium"});
  }

  function debounce(fn, ms) {
    let timer = null;
    return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  // -- the live stream ---------------------------------------------------------------------------
  // EventSource reconnects by itself only after some failures; we close it on any error and reopen
  // with a short backoff, show "reconnecting" meanwhile, and tell the page to catch up once back.
  const handlers = {};
  const reconnectHandlers = [];
  let source = null;
  let retryMs = 500;
  let lost = false;

  function setConnection(state) {
    const box = document.getElementById("connection");
    if (!box) return;
    box.dataset.state = state;
    document.getElementById("connection-text").textContent = state === "live" ? t("live") : t("reconnecting");
  }

  function connect() {
    source = new EventSource("/api/stream");
    for (const type of Object.keys(handlers)) {
      source.addEventListener(type, (event) => {
        const data = JSON.parse(event.data);
        for (const fn of handlers[type]) fn(data);
      });
    }
    source.onopen = () => {
      retryMs = 500;
      setConnection("live");
      if (lost) {
        lost = false;
        for (const fn of reconnectHandlers) fn();
      }
    };
    source.onerror = () => {
      source.close();
      if (leaving) return;
      lost = true;
      setConnection("reconnecting");
      setTimeout(async () => {
        try {  // a session that ended (signed out elsewhere) sends the page to sign-in
          const check = await fetch("/api/session", {credentials: "same-origin"});
          if (leaving) return;
          if (check.status === 401) { location.assign(signInUrl()); return; }
        } catch (e) { /* the hub is still down: try the stream again */ }
        connect();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 4000);
    };
  }

  function on(type, fn) {
    (handlers[type] = handlers[type] || []).push(fn);
  }

  function onReconnect(fn) { reconnectHandlers.push(fn); }

  // -- every signed-in page: sign-out button, open-alert badge, stream ---------------------------
  async function refreshBadge() {
    const badge = document.getElementById("open-alerts");
    if (!badge) return;
    try {
      const open = await api("/api/dashboard/alerts?view=open");
      for (const node of [badge, document.getElementById("open-alerts-menu")]) {
        if (!node) continue;
        node.textContent = open.length;
        node.hidden = open.length === 0;
      }
    } catch (e) { /* shown by the connection banner */ }
  }

  // on a phone the header folds behind a Menu button: the page itself gets the screen
  function menu() {
    const toggle = document.getElementById("menu-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      document.querySelector("header.top").classList.toggle("menu-open", open);
    });
  }

  // the language switch brings the reader back to where the page is now (its search, its page, its slot)
  function languageLinks() {
    for (const link of document.querySelectorAll(".langs a")) {
      link.addEventListener("click", () => {
        const url = new URL(link.href);
        url.searchParams.set("next", location.pathname + location.search + location.hash);
        link.href = url.pathname + url.search;
      });
    }
  }

  function start() {
    menu();
    languageLinks();
    const signOut = document.getElementById("sign-out");
    if (signOut) {
      signOut.addEventListener("click", async () => {
        leaving = true;
        if (source) source.close();
        await fetch("/api/session", {method: "DELETE", credentials: "same-origin"});
        location.assign("/signin");
      });
    }
    if (document.getElementById("connection")) {
      on("alert", debounce(refreshBadge, 300));
      onReconnect(refreshBadge);
      refreshBadge();
      setConnection("connecting");
      // handlers are registered by the page scripts that load after this one
      setTimeout(connect, 0);
    }
  }

  document.addEventListener("DOMContentLoaded", start);
  return {t, fill, fold, num, api, ageText, sinceText, timeText, debounce, el, on, onReconnect, lang};
})();
