// Product search: one page of the catalog (accents and case folded by the hub), sorted, with its price and
// figures, and how many match in all ("Products 1 to 50 of 309"); each row links to the product's page.
"use strict";

(() => {
  const {t, api, el, num, debounce, on, onReconnect} = Dash;
  const rows = document.getElementById("product-rows");
  const total = document.getElementById("product-total");
  const input = document.getElementById("q");
  const sort = document.getElementById("sort");
  const prev = document.getElementById("page-prev");
  const next = document.getElementById("page-next");
  const PAGE = 50;
  const params = new URLSearchParams(location.search);
  let offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);

  function remember() {  // the address keeps the search, the sort and the page: back and reload land here again
    const url = new URLSearchParams();
    if (input.value.trim()) url.set("q", input.value.trim());
    if (sort.value !== "name") url.set("sort", sort.value);
    if (offset) url.set("offset", offset);
    history.replaceState(null, "", location.pathname + (url.toString() ? "?" + url : ""));
  }

  async function refresh() {
    const q = input.value.trim();
    try {
      const page = await api("/api/dashboard/products?limit=" + PAGE + "&offset=" + offset + "&sort=" + encodeURIComponent(sort.value)
        + (q ? "&q=" + encodeURIComponent(q) : ""));
      if (page.total && offset >= page.total) { offset = Math.max(0, page.total - PAGE); remember(); return refresh(); }
      rows.replaceChildren(...(page.items.length ? page.items.map((p) => el("tr", {"data-gtin": p.gtin},
        el("th", {scope: "row"}, el("a", {href: "/products/" + p.gtin, text: p.name || p.gtin})),
        el("td", {class: "num price", "data-label": rows.dataset.price, text: p.price_text}),
        el("td", {class: "num", "data-label": rows.dataset.onHand, text: num(p.on_hand)}),
        el("td", {class: "num", "data-label": rows.dataset.backroom, text: num(p.backroom)}),
        el("td", {class: "num", "data-label": rows.dataset.shelf, text: num(p.shelf)})))
        : [el("tr", {}, el("td", {colspan: "5", text: t("no_results")}))]));
      total.textContent = page.total ? t("products_range", {first: offset + 1, last: offset + page.items.length, total: page.total})
        : t("no_results");
      prev.disabled = offset === 0;
      next.disabled = offset + page.items.length >= page.total;
    } catch (e) { /* the connection banner says why */ }
  }

  const typed = debounce(() => { offset = 0; remember(); refresh(); }, 250);
  input.addEventListener("input", typed);
  sort.addEventListener("change", () => { offset = 0; remember(); refresh(); });
  document.getElementById("search").addEventListener("submit", (event) => { event.preventDefault(); offset = 0; remember(); refresh(); });
  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); remember(); refresh(); });
  next.addEventListener("click", () => { offset += PAGE; remember(); refresh(); });
  on("inventory", debounce(refresh, 500));
  onReconnect(refresh);
  refresh();
})();
