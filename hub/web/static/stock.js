// The stock page: receive a delivery (counted or scanned), count a scope, adjust with a reason, search the log.
"use strict";

(() => {
  const {el, timeText} = Dash;
  const S = JSON.parse(document.getElementById("stock-labels").textContent);
  const lang = document.documentElement.lang || "fr";
  const t = (key, values) => (key in S ? fill(S[key], values) : Dash.t(key, values));
  const money = new Intl.NumberFormat(lang, {style: "currency", currency: "EUR"});
  const day = new Intl.DateTimeFormat(lang, {day: "numeric", month: "long"});
  const $ = (id) => document.getElementById(id);
  const message = $("stock-message");

  function fill(text, values) {
    for (const [name, value] of Object.entries(values || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }

  function say(text, kind) {
    message.textContent = text;
    message.className = kind || "";
  }

  // every call answers JSON; a refusal says which field is wrong, and the page shows it as it is
  async function call(path, method, body) {
    const response = await fetch(path, {method: method || "GET", credentials: "same-origin",
      headers: {"Accept": "application/json", "Content-Type": "application/json"},
      body: body === undefined ? undefined : JSON.stringify(body)});
    if (response.status === 401) { location.assign("/signin?next=" + encodeURIComponent(location.pathname)); }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const why = data.error || (typeof data.detail === "string" ? data.detail : response.status);
      say(t("stock_refused", {why}), "error");
      throw new Error(String(why));
    }
    return data;
  }

  // -- tabs ----------------------------------------------------------------------------------------
  const tabs = [...document.querySelectorAll("[role=tab]")];
  function show(name) {
    for (const tab of tabs) {
      const on = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(on));
      $("panel-" + tab.dataset.tab).hidden = !on;
    }
    if (name === "receive") loadOrders();
    if (name === "audit") searchAudit();
  }
  tabs.forEach((tab) => tab.addEventListener("click", () => { history.replaceState(null, "", "#" + tab.dataset.tab);
    say(""); show(tab.dataset.tab); }));

  // -- receiving -----------------------------------------------------------------------------------
  let order = null;
  let scans = [];
  const digits = (code) => code.replace(/\D/g, "").slice(-14).padStart(14, "0");

  async function loadOrders() {
    const orders = await call("/api/purchase-orders?state=open");
    $("po-none").hidden = orders.length > 0;
    $("po-select").replaceChildren(...orders.map((o) => el("option", {value: o.id,
      text: t("stock_order_label", {id: o.id, supplier: o.supplier})})));
    if (orders.length) await loadOrder(orders[0].id); else $("receive-rows").replaceChildren();
  }

  async function loadOrder(id) {
    order = await call("/api/purchase-orders/" + id);
    scans = [];
    $("scan-count").textContent = "";
    $("receive-rows").replaceChildren(...order.lines.map((line) => el("tr", {"data-gtin": line.gtin},
      el("th", {scope: "row", text: (line.name || line.gtin) + " · " + line.gtin}),
      el("td", {class: "num", text: line.quantity}),
      el("td", {class: "num received", text: line.received}),
      el("td", {class: "num"}, el("input", {type: "number", min: "0", step: "1", inputmode: "numeric",
        "aria-label": t("stock_this_delivery") + " " + (line.name || line.gtin), "data-gtin": line.gtin})),
      el("td", {class: "status"}))));
  }

  $("po-select").addEventListener("change", (e) => loadOrder(e.target.value));
  // a barcode scanner types the code and presses Enter: one unit per scan
  $("scan-input").addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    const code = e.target.value;
    e.target.value = "";
    if (!code.trim()) return;
    scans.push(code);
    $("scan-count").textContent = t("stock_scans", {n: scans.length});
    const row = document.querySelector(`#receive-rows tr[data-gtin="${digits(code)}"]`);
    if (row) {
      const cell = row.querySelector(".status");
      cell.textContent = "+" + scans.filter((s) => digits(s) === row.dataset.gtin).length;
    }
  });

  function statusCell(status) {
    return el("span", {class: "status-" + status, text: t("stock_status_" + status)});
  }

  $("receive-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!order) return;
    const lines = [...document.querySelectorAll("#receive-rows input")].filter((i) => i.value !== "")
      .map((i) => ({gtin: i.dataset.gtin, quantity: Number(i.value)}));
    const body = {po_id: order.id, lines, scans, from_dock: $("from-dock").checked, close: $("close-order").checked};
    const out = await call("/api/stock/deliveries", "POST", body);
    say(t("stock_saved"), "saved");
    scans = [];
    $("scan-count").textContent = "";
    const rows = $("receive-rows");
    for (const line of [...out.lines, ...out.missing]) {
      let row = rows.querySelector(`tr[data-gtin="${line.gtin}"]`);
      if (!row) {
        row = el("tr", {"data-gtin": line.gtin}, el("th", {scope: "row", text: (line.name || "") + " · " + line.gtin}),
          el("td", {class: "num", text: line.ordered}), el("td", {class: "num received"}), el("td", {class: "num"}),
          el("td", {class: "status"}));
        rows.append(row);
      }
      row.querySelector(".received").textContent = line.received_total;
      row.querySelector(".status").replaceChildren(statusCell(line.status));
      const input = row.querySelector("input");
      if (input) input.value = "";
    }
  });

  // -- counting ------------------------------------------------------------------------------------
  let count = null;

  function showCount(report) {
    count = report;
    $("count-title").textContent = t("stock_count_label", {id: report.id, scope: t("stock_scope_" + report.scope),
      value: report.scope_value}) + " · " + t("stock_state_" + report.state);
    $("count-rows").replaceChildren(...report.lines.map((line) => {
      const variance = line.variance === null ? "" : (line.variance > 0 ? "+" : "") + line.variance;
      return el("tr", {"data-gtin": line.gtin},
        el("th", {scope: "row", text: (line.name || line.gtin) + (line.tagged ? " · " + t("stock_tagged") : "")}),
        el("td", {class: "num", text: line.expected === null ? "—" : line.expected}),
        el("td", {class: "num"}, report.state === "open"
          ? el("input", {type: "number", min: "0", step: "1", inputmode: "numeric", "data-gtin": line.gtin,
            value: line.counted === null ? null : line.counted, "aria-label": t("stock_counted") + " " + (line.name || "")})
          : String(line.counted === null ? "—" : line.counted)),
        el("td", {class: "num variance" + (line.variance < 0 ? " variance-neg" : line.variance > 0 ? " variance-pos" : ""),
          text: variance}),
        el("td", {class: "num", text: line.value_cents === null ? "" : money.format(line.value_cents / 100)}));
    }));
    $("count-total-units").textContent = report.variance_units;
    $("count-total-value").textContent = money.format(report.variance_value_cents / 100);
    $("count-actions").hidden = report.state !== "open";
  }

  $("count-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    showCount(await call("/api/stock/counts", "POST", {scope: $("count-scope").value,
      scope_value: $("count-value").value}));
    say("");
  });
  $("save-counts").addEventListener("click", async () => {
    // the product's whole count (shelf and stockroom), entered per product on the sheet
    const entries = [...document.querySelectorAll("#count-rows input")].filter((i) => i.value !== "")
      .map((i) => ({gtin: i.dataset.gtin, counted: Number(i.value)}));
    if (!entries.length) return;
    showCount(await call(`/api/stock/counts/${count.id}/entries`, "POST", {entries}));
    say(t("stock_saved"), "saved");
  });
  $("sweep-fixed").addEventListener("click", async () => {
    showCount(await call(`/api/stock/counts/${count.id}/sweep`, "POST", {source: "fixed"}));
  });
  $("accept-count").addEventListener("click", async () => {
    showCount(await call(`/api/stock/counts/${count.id}/accept`, "POST"));
    say(t("stock_saved"), "saved");
  });

  // -- adjusting -----------------------------------------------------------------------------------
  async function showFigure() {
    const gtin = $("adjust-gtin").value.trim();
    if (!/^(\d{8}|\d{12,14})$/.test(gtin)) { $("adjust-figure").textContent = ""; return; }
    const response = await fetch("/api/inventory/" + gtin, {credentials: "same-origin"});
    if (!response.ok) { $("adjust-figure").textContent = ""; return; }
    const view = await response.json();
    let source = t("stock_source_none");
    if (view.on_hand_source === "book" || view.on_hand_source === "shelf+book") {
      const when = day.format(new Date(view.book.since * 1000));
      source = t(view.book.basis === "count" ? "stock_source_book" : "stock_source_book_other", {day: when});
    } else if (view.on_hand_source) {
      source = t("stock_source_sensor");
    }
    $("adjust-figure").textContent = (view.name ? view.name + " · " : "") +
      t("stock_figure", {units: view.on_hand === null ? "—" : view.on_hand, source});
  }
  $("adjust-gtin").addEventListener("change", showFigure);
  $("adjust-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const quantity = $("adjust-quantity").value === "" ? null : Number($("adjust-quantity").value);
    await call("/api/stock/adjustments", "POST", {lines: [{gtin: $("adjust-gtin").value.trim(),
      reason: $("adjust-reason").value, quantity, note: $("adjust-note").value}]});
    say(t("stock_saved"), "saved");
    await showFigure();
  });

  // -- the audit log -------------------------------------------------------------------------------
  function auditQuery() {
    const params = new URLSearchParams();
    for (const [key, id] of [["q", "audit-q"], ["reason", "audit-reason"], ["user", "audit-user"]]) {
      if ($(id).value.trim()) params.set(key, $(id).value.trim());
    }
    return params.toString();
  }

  async function searchAudit() {
    const query = auditQuery();
    $("audit-csv").href = "/api/stock/adjustments.csv" + (query ? "?" + query : "");
    const rows = await call("/api/stock/adjustments" + (query ? "?" + query : ""));
    $("audit-rows").replaceChildren(...rows.map((r) => el("tr", {"data-id": r.id},
      el("td", {text: timeText(r.time)}), el("td", {text: r.user}),
      el("td", {text: (r.name || "") + " · " + r.gtin}), el("td", {text: t("stock_reason_" + r.reason)}),
      el("td", {class: "num", text: r.before}), el("td", {class: "num", text: r.after}),
      el("td", {text: r.note}))));
  }
  $("audit-form").addEventListener("submit", (e) => { e.preventDefault(); searchAudit(); });

  show((location.hash || "#receive").slice(1).replace(/[^a-z]/g, "") || "receive");
})();
