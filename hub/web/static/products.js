// Product search: figures per SKU from /api/inventory, linking to each product's page.
"use strict";

(() => {
  const {t, api, el, debounce, on, onReconnect} = Dash;
  const rows = document.getElementById("product-rows");
  const q = document.getElementById("q").value.trim();

  const n = (v) => (v === null || v === undefined ? t("none") : String(v));

  async function refresh() {
    try {
      const found = await api("/api/inventory?limit=200" + (q ? "&q=" + encodeURIComponent(q) : ""));
      rows.replaceChildren(...(found.length ? found.map((p) => el("tr", {},
        el("th", {scope: "row"}, el("a", {href: "/products/" + p.gtin, text: p.name || p.gtin})),
        el("td", {class: "num", text: n(p.on_hand)}),
        el("td", {class: "num", text: n(p.backroom.units)}),
        el("td", {class: "num", text: n(p.shelf.units)}))) : [el("tr", {}, el("td", {colspan: "4", text: t("no_results")}))]));
    } catch (e) { /* the connection banner says why */ }
  }

  on("inventory", debounce(refresh, 500));
  onReconnect(refresh);
  refresh();
})();
