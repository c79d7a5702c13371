// The alert work list: open (nobody has it yet), in hand, resolved; in work order, a page at a time.
// The hub says each alert's title, place, next step and time of day in the reader's language; the age counts
// from the hub's clock (age_s when fetched, plus the time elapsed here), never from this device's date.
"use strict";

(() => {
  const {t, api, ageText, el, on, onReconnect} = Dash;
  const L = JSON.parse(document.getElementById("alert-labels").textContent);
  const say = (code, values) => {
    let text = L[code] || code;
    for (const [name, value] of Object.entries(values || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  };
  const list = document.getElementById("alert-list");
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const form = document.getElementById("alerts-filters");
  const fields = {kind: form.elements.kind, severity: form.elements.severity, q: form.elements.q,
    group: form.elements.group};
  const notice = document.getElementById("alerts-notice");
  const PAGE = 20;
  const query = new URLSearchParams(location.search);
  let view = ["open", "acknowledged", "resolved"].includes(query.get("view")) ? query.get("view") : "open";
  let offset = 0;
  let fetchedAt = performance.now();  // monotonic: the ages never depend on this device's date
  let undo = null;

  function age(a) {
    return ageText(a.age_s + (performance.now() - fetchedAt) / 1000);
  }

  async function act(a, action, button) {
    button.disabled = true;
    const ids = a.repeat_ids || [a.id];
    try {
      for (const id of ids) await api("/api/alerts/" + id + "/" + action, {method: "POST"});
      if (action === "resolve") offerUndo(a, ids);
    } catch (e) { button.disabled = false; return; }
    refresh();
  }

  function offerUndo(a, ids) {
    undo = {ids, title: a.title};
    document.getElementById("alerts-notice-text").textContent = say("alerts.resolved_notice", {title: a.title});
    document.getElementById("alerts-undo").hidden = false;
    notice.hidden = false;
  }

  async function reopen() {
    if (!undo) return;
    const {ids, title} = undo;
    undo = null;
    document.getElementById("alerts-undo").hidden = true;
    let text = say("alerts.reopened_notice", {title});
    try {
      for (const id of ids) await api("/api/alerts/" + id + "/reopen", {method: "POST"});
    } catch (e) { text = say("alerts.undo_failed"); }
    document.getElementById("alerts-notice-text").textContent = text;
    refresh();
  }

  function historyLines(a) {
    const lines = [];
    if (a.acknowledged_by) {
      lines.push(el("li", {class: "who", text: say("alerts.in_hand_by", {user: a.acknowledged_by,
        time: a.acknowledged_time})}));
    }
    if (a.state === "resolved") {
      lines.push(el("li", {text: a.resolved_by ? say("alerts.resolved_by", {user: a.resolved_by,
        time: a.resolved_time}) : say("alerts.resolved_auto", {time: a.resolved_time})}));
    }
    return lines;
  }

  function item(a) {
    const buttons = [];
    if (a.state === "open" && !a.acknowledged_by) {
      const take = el("button", {type: "button", class: "ack", text: say("alerts.take"),
        "aria-label": say("alerts.take") + " — " + a.title});
      take.addEventListener("click", () => act(a, "acknowledge", take));
      buttons.push(take);
    }
    if (a.state === "open") {
      const done = el("button", {type: "button", class: "secondary resolve", text: say("alerts.resolve"),
        "aria-label": say("alerts.resolve") + " — " + a.title});
      done.addEventListener("click", () => act(a, "resolve", done));
      buttons.push(done);
    }
    const links = [];
    if (a.gtin) links.push(el("a", {href: "/products/" + a.gtin, text: say("alerts.product_page")}));
    if (a.map_href) links.push(el("a", {href: a.map_href, class: "alerts-map", text: say("alerts.on_map")}));
    const detail = a.message + (a.epc && !a.message.includes(a.epc) ? " · " + say("alerts.tag", {epc: a.epc}) : "");
    const node = el("li", {class: "alert alerts-item sev-" + a.severity, id: "alert-" + a.id,
      "data-alert": a.id, "data-kind": a.kind, "data-rank": a.rank},
      el("div", {class: "alert-main"},
        el("p", {class: "alerts-head"},
          el("span", {class: "sev", text: t("sev_" + a.severity)}),
          el("span", {class: "alerts-kind", text: a.kind_label}),
          a.repeats > 1 ? el("span", {class: "alerts-repeats", text: say("alerts.repeats", {count: a.repeats})})
            : null),
        el("h2", {text: a.title}),
        a.place ? el("p", {class: "alerts-place", text: a.place}) : null,
        el("p", {class: "alerts-when"},
          el("span", {class: "alerts-time", text: say("alerts.raised_at", {time: a.raised_time})}),
          el("span", {class: "alerts-age", text: age(a)})),
        a.next_step ? el("p", {class: "alerts-next"}, el("strong", {text: say("alerts.next_step") + " "}),
          a.next_step) : null,
        el("p", {class: "muted detail alerts-detail", text: detail}),
        links.length ? el("p", {class: "alerts-links"}, ...links) : null,
        el("ul", {class: "history"}, ...historyLines(a))),
      el("div", {class: "actions"}, ...buttons));
    node._alert = a;
    node._sign = JSON.stringify({...a, age_s: 0});
    return node;
  }

  // Keep the nodes that did not change (and so the focus and what is under a finger); move as little as possible.
  function patch(rows) {
    const old = new Map([...list.querySelectorAll(":scope > li[data-alert]")].map((n) => [n.dataset.alert, n]));
    const wanted = rows.map((a) => {
      const same = old.get(String(a.id));
      if (same && same._sign === JSON.stringify({...a, age_s: 0})) {
        same._alert = a;
        return same;
      }
      return item(a);
    });
    const keep = new Set(wanted);
    for (const child of [...list.children]) if (!keep.has(child)) child.remove();
    wanted.forEach((node, i) => {
      if (list.children[i] !== node) list.insertBefore(node, list.children[i] || null);
    });
    if (!rows.length) list.replaceChildren(el("li", {class: "empty", text: say("alerts.no_match")}));
    ages();
    showTarget();
  }

  function ages() {
    for (const node of list.querySelectorAll(":scope > li[data-alert]")) {
      node.querySelector(".alerts-age").textContent = age(node._alert);
    }
  }

  function params() {
    const p = new URLSearchParams({view, offset: String(offset), limit: String(PAGE)});
    for (const name of ["kind", "severity"]) if (fields[name].value) p.set(name, fields[name].value);
    if (fields.q.value.trim()) p.set("q", fields.q.value.trim());
    if (fields.group.checked) p.set("group", "true");
    return p;
  }

  let pending = null;
  async function refresh() {
    const asked = params().toString();
    pending = asked;
    try {
      const page = await api("/api/dashboard/alerts/page?" + asked);
      if (pending !== asked) return;  // a newer question is on its way
      fetchedAt = performance.now();
      for (const [name, n] of Object.entries(page.counts)) {
        document.getElementById("tab-count-" + name).textContent = "(" + n + ")";
      }
      patch(page.items);
      const last = Math.min(page.total, page.offset + page.items.length);
      document.getElementById("alerts-shown").textContent = page.total
        ? say("alerts.shown", {first: page.offset + 1, last, total: page.total}) : "";
      document.getElementById("alerts-prev").disabled = page.offset === 0;
      document.getElementById("alerts-next").disabled = last >= page.total;
      list.setAttribute("aria-busy", "false");
    } catch (e) { /* the connection banner says why */ }
  }

  function address() {
    const p = new URLSearchParams();
    if (view !== "open") p.set("view", view);
    history.replaceState(null, "", "/alerts" + (p.toString() ? "?" + p : "") + location.hash);
  }

  function select(name) {
    view = name;
    offset = 0;
    for (const tab of tabs) tab.setAttribute("aria-selected", String(tab.dataset.view === name));
    list.setAttribute("aria-labelledby", "tab-" + name);
    address();
    refresh();
  }

  // A link from the map: /alerts#slot=<id> shows that slot's alerts; /alerts#alert-<id> opens the alert's list,
  // searched for its place, and brings the alert into view.
  let target = null;
  async function fromHash() {
    const hash = decodeURIComponent(location.hash.slice(1));
    const slot = new URLSearchParams(hash).get("slot");
    if (slot) fields.q.value = slot;
    const wanted = /^alert-(\d+)$/.exec(hash);
    if (!wanted) return;
    try {
      const a = await api("/api/dashboard/alerts/" + wanted[1]);
      target = a.id;
      view = a.state === "resolved" ? "resolved" : a.acknowledged_by ? "acknowledged" : "open";
      fields.q.value = a.slot || a.device || a.epc || "";
    } catch (e) { /* an unknown alert: the list as it is */ }
  }

  function showTarget() {
    const node = target === null ? null : document.getElementById("alert-" + target);
    if (!node) return;
    target = null;
    node.classList.add("alerts-target");
    node.setAttribute("tabindex", "-1");
    node.scrollIntoView({block: "center"});
    node.focus({preventScroll: true});
  }

  // On a phone the filters fold away under their summary; on a tablet they stay open.
  const box = document.getElementById("alerts-filter-box");
  if (window.matchMedia("(min-width: 601px)").matches || location.hash) box.open = true;  // a search to show

  let typing = null;
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("input", (e) => {
    offset = 0;
    clearTimeout(typing);
    typing = setTimeout(refresh, e.target === fields.q ? 250 : 0);
  });
  document.getElementById("alerts-prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); refresh(); });
  document.getElementById("alerts-next").addEventListener("click", () => { offset += PAGE; refresh(); });
  document.getElementById("alerts-undo").addEventListener("click", reopen);
  for (const tab of tabs) tab.addEventListener("click", () => select(tab.dataset.view));
  window.addEventListener("hashchange", async () => { await fromHash(); select(view); });

  // A live change asks for the page on screen only (one request, whatever the number of events in a burst).
  let soon = null;
  on("alert", () => { clearTimeout(soon); soon = setTimeout(refresh, 200); });
  onReconnect(refresh);
  setInterval(ages, 30_000);
  fromHash().then(() => select(view));
})();
