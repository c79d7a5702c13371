// Markdowns: suggestions with their why (GET /api/markdowns), approve or reject, print the approved ones' labels,
// and what the approved ones sold at the reduced price.
"use strict";

(() => {
  const {api, el} = Dash;
  const labels = JSON.parse(document.getElementById("md-labels").textContent);
  const say = (key, params) => (labels[key] || key).replace(/\{(\w+)\}/g, (_, k) => String((params || {})[k] ?? ""));
  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang || "fr";
  const euros = new Intl.NumberFormat(lang, {style: "currency", currency: "EUR"});
  const money = (cents) => euros.format(cents / 100);
  const day = (iso) => new Date(iso + "T12:00:00").toLocaleDateString(lang, {day: "numeric", month: "long"});
  const when = (iso) => new Date(iso).toLocaleString(lang, {day: "numeric", month: "long", hour: "2-digit",
    minute: "2-digit"});

  function fact(name, value) {
    return el("div", {}, el("dt", {text: name}), el("dd", {text: value}));
  }

  function card(m, actions) {
    const prices = el("p", {class: "md-prices"}, el("s", {text: money(m.regular_cents)}), " ",
      el("strong", {class: "md-price", text: money(m.price_cents)}), " ",
      el("span", {class: "md-off", text: say("off", {pct: m.discount_pct})}));
    return el("article", {class: "card md-card", "data-id": String(m.id), "data-gtin": m.gtin, "data-lot": m.lot},
      el("h3", {text: m.name || m.gtin}), prices,
      el("dl", {class: "md-facts"}, fact(say("lot"), m.lot || "—"), fact(say("date"), day(m.expiry)),
        fact(say("units"), String(m.units)), fact(say("from"), when(m.start))),
      ...actions);
  }

  async function decide(id, verdict) {
    $("md-error").textContent = "";
    try {
      await api("/api/markdowns/" + id + "/" + verdict, {method: "POST"});
    } catch (err) {
      $("md-error").textContent = err.message;
    }
    await load();
  }

  function suggestion(m) {
    return card(m, [el("p", {class: "md-why", text: m.why}),
      el("p", {class: "md-buttons"},
        el("button", {type: "button", class: "md-approve", text: say("approve"), onclick: () => decide(m.id, "approve")}),
        el("button", {type: "button", class: "secondary md-reject", text: say("reject"),
          onclick: () => decide(m.id, "reject")}))]);
  }

  function approved(m) {
    const state = m.state === "approved" ? say("decided_by", {user: m.decided_by}) : say("ended");
    return card(m, [el("p", {class: "muted", text: state + (m.printed ? " · " + say("printed") : "")}),
      el("dl", {class: "md-facts"}, fact(say("sold"), String(m.sold_units)),
        fact(say("recovered"), money(m.recovered_cents)))]);
  }

  async function load() {
    const [suggested, decided] = await Promise.all([api("/api/markdowns?state=suggested"),
      api("/api/markdowns?state=approved,ended")]);
    const done = decided.filter((m) => m.decided_by && m.state !== "rejected");
    $("md-suggested").replaceChildren(...(suggested.length ? suggested.map(suggestion)
      : [el("p", {class: "muted", text: say("none_suggested")})]));
    $("md-approved").replaceChildren(...(done.length ? done.map(approved)
      : [el("p", {class: "muted", text: say("none_approved")})]));
    const total = done.reduce((sum, m) => sum + m.recovered_cents, 0);
    $("md-total").textContent = done.length ? say("total", {amount: money(total)}) : "";
    const printable = done.filter((m) => m.state === "approved").map((m) => m.id).join(",");
    for (const [id, path] of [["md-sheet", "labels.html"], ["md-zpl", "labels.zpl"]]) {
      $(id).hidden = !printable;
      $(id).href = "/api/markdowns/" + path + "?ids=" + printable;
    }
  }

  $("md-review").addEventListener("click", async () => {
    $("md-error").textContent = "";
    $("md-status").textContent = "";
    try {
      const r = await api("/api/markdowns/review", {method: "POST"});
      await load();
      $("md-status").textContent = say("reviewed", r);  // said once the lists show what the review found
    } catch (err) {
      $("md-error").textContent = err.message;
    }
  });

  load().catch((err) => { $("md-error").textContent = err.message; });
})();
