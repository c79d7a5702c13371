// Tags: find a product by name, allocate serials (POST /api/tags/allocations), download or print the labels.
"use strict";

(() => {
  const {api, el} = Dash;
  const labels = JSON.parse(document.getElementById("tag-labels").textContent);
  const say = (key, params) => (labels[key] || key).replace(/\{(\w+)\}/g, (_, k) => String((params || {})[k] ?? ""));
  const $ = (id) => document.getElementById(id);
  const error = $("tag-error");
  let chosen = null;

  // the API's 422 says in one line which field is wrong: show that line
  async function send(path, body) {
    const response = await fetch(path, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {"Accept": "application/json", "Content-Type": "application/json"}});
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || (typeof data.detail === "string" ? data.detail : response.status));
    return data;
  }

  function choose(product) {
    chosen = product;
    $("tag-chosen").textContent = product.name + " · " + product.gtin;
    $("tag-allocate-button").disabled = false;
  }

  $("tag-search").addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const q = $("tag-q").value.trim();
    const found = await api("/api/products?limit=20&q=" + encodeURIComponent(q));
    $("tag-products").replaceChildren(...(found.length ? found.map((p) => el("li", {},
      el("button", {type: "button", class: "secondary", "data-gtin": p.gtin, text: p.name + " (" + p.brand + ")",
        onclick: () => choose(p)}))) : [el("li", {class: "muted", text: say("no_match")})]));
    if (found.length === 1) choose(found[0]);
  });

  function showAllocation(a) {
    $("tag-result").hidden = false;
    $("tag-result-title").textContent = say("result", {id: a.id, count: a.count, first: a.first_serial,
      last: a.last_serial, product: a.product});
    $("tag-download").href = "/api/tags/allocations/" + a.id + "/labels.zpl";
    $("tag-print").dataset.allocation = a.id;
    $("tag-epcs").replaceChildren(...(a.tags || []).map((t) => el("tr", {},
      el("td", {class: "epc", text: t.epc}), el("td", {class: "num", text: String(t.serial)}),
      el("td", {text: say(t.state) + (t.reason ? " · " + t.reason : "")}))));
  }

  $("tag-allocate").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!chosen) return;
    error.textContent = "";
    try {
      const a = await send("/api/tags/allocations", {gtin: chosen.gtin, count: Number($("tag-count").value),
        scheme: $("tag-scheme").value});
      $("tag-printed").textContent = "";
      showAllocation(a);
      refresh();
    } catch (e) { error.textContent = e.message; }
  });

  $("tag-print").addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const id = event.target.dataset.allocation;
    try {
      const done = await send("/api/tags/allocations/" + id + "/print",
        {host: $("tag-printer").value.trim(), port: Number($("tag-port").value)});
      $("tag-printed").textContent = say("printed", {labels: done.labels, bytes: done.bytes});
      showAllocation(await api("/api/tags/allocations/" + id));
      refresh();
    } catch (e) { error.textContent = e.message; }
  });

  async function refresh() {
    try {
      const rows = await api("/api/tags/allocations?limit=20");
      $("tag-allocations").replaceChildren(...rows.map((a) => el("tr", {"data-allocation": a.id},
        el("td", {text: String(a.id)}), el("td", {text: a.product}),
        el("td", {text: a.first_serial + "–" + a.last_serial + " (" + a.scheme + ")"}),
        el("td", {text: Object.entries(a.states).filter(([, n]) => n).map(([s, n]) => say(s) + " " + n).join(", ")}))));
    } catch (e) { /* a staff member without the manager role: the page says so */ }
  }
  refresh();
})();
