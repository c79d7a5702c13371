// The alert inbox: open (nobody has taken it), in hand (acknowledged), resolved; newest first.
"use strict";

(() => {
  const {t, api, sinceText, timeText, debounce, el, on, onReconnect} = Dash;
  const list = document.getElementById("alert-list");
  const tabs = [...document.querySelectorAll("[role=tab]")];
  let view = new URLSearchParams(location.search).get("view") || "open";

  function title(a) {
    return t("kind_" + a.kind, {slot: a.slot, quantity: a.quantity, epc: a.epc, device: a.device});
  }

  async function act(alert, action, button) {
    button.disabled = true;
    try {
      await api("/api/alerts/" + alert.id + "/" + action, {method: "POST"});
    } finally {
      refresh();
    }
  }

  function item(a) {
    const history = [el("li", {text: t("raised", {time: sinceText(a.raised_at)}), title: timeText(a.raised_at)})];
    if (a.acknowledged_by) {
      history.push(el("li", {class: "who", title: timeText(a.acknowledged_at),
        text: t("acknowledged_by", {user: a.acknowledged_by, time: timeText(a.acknowledged_at)})}));
    }
    if (a.state === "resolved") {
      history.push(el("li", {title: timeText(a.resolved_at), text: a.resolved_by
        ? t("resolved_by", {user: a.resolved_by, time: timeText(a.resolved_at)})
        : t("resolved_auto", {time: timeText(a.resolved_at)})}));
    }
    const buttons = [];
    if (a.state === "open" && !a.acknowledged_by) {
      const ack = el("button", {type: "button", class: "ack", text: t("acknowledge"),
        "aria-label": t("acknowledge") + ": " + title(a)});
      ack.addEventListener("click", () => act(a, "acknowledge", ack));
      buttons.push(ack);
    }
    if (a.state === "open") {
      const done = el("button", {type: "button", class: "secondary resolve", text: t("resolve"),
        "aria-label": t("resolve") + ": " + title(a)});
      done.addEventListener("click", () => act(a, "resolve", done));
      buttons.push(done);
    }
    const product = a.gtin ? el("a", {href: "/products/" + a.gtin, text: a.product || a.gtin}) : null;
    return el("li", {class: "alert sev-" + a.severity, "data-alert": a.id, "data-kind": a.kind},
      el("div", {class: "alert-main"},
        el("span", {class: "sev", text: t("sev_" + a.severity)}),
        el("h2", {text: title(a)}),
        product ? el("p", {class: "product"}, product) : null,
        el("p", {class: "muted detail", text: a.message}),
        el("ul", {class: "history"}, ...history)),
      el("div", {class: "actions"}, ...buttons));
  }

  async function refresh() {
    try {
      const [open, acknowledged, resolved] = await Promise.all(["open", "acknowledged", "resolved"].map(
        (v) => api("/api/dashboard/alerts?view=" + v)));
      const lists = {open, acknowledged, resolved};
      for (const [name, rows] of Object.entries(lists)) {
        document.getElementById("tab-count-" + name).textContent = "(" + rows.length + ")";
      }
      const rows = lists[view];
      list.replaceChildren(...(rows.length ? rows.map(item) : [el("li", {class: "empty", text: t("no_alerts")})]));
      list.setAttribute("aria-busy", "false");
    } catch (e) { /* the connection banner says why */ }
  }

  function select(name) {
    view = name;
    for (const tab of tabs) tab.setAttribute("aria-selected", String(tab.dataset.view === name));
    list.setAttribute("aria-labelledby", "tab-" + name);
    history.replaceState(null, "", "/alerts" + (name === "open" ? "" : "?view=" + name));
    refresh();
  }

  for (const tab of tabs) tab.addEventListener("click", () => select(tab.dataset.view));
  on("alert", debounce(refresh, 150));
  onReconnect(refresh);
  select(["open", "acknowledged", "resolved"].includes(view) ? view : "open");
})();
