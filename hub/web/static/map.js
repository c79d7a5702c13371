// The store map: aisles, bays, shelves, slots coloured by state; redrawn when inventory changes.
"use strict";

(() => {
  const {t, fill, api, ageText, debounce, el, on, onReconnect} = Dash;
  const root = document.getElementById("store-map");
  const GLYPH = {ok: "", low: "!", empty: "✕", occluded: "?", no_data: "·"};

  function slotCell(s) {
    const state = t("state_" + s.state);
    let detail = state;
    if (s.units !== null) detail += " · " + t("units_of", {units: s.units, capacity: s.capacity ?? "?"});
    if (s.source) detail += " · " + t("source_" + s.source) + " " + ageText(s.age_s);
    const label = t("slot_label", {slot: s.slot, name: s.name || s.gtin || "?", state: detail});
    const attrs = {class: "slot slot-" + s.state, "data-slot": s.slot, "data-state": s.state, "aria-label": label,
                   title: label};
    const cell = s.gtin ? el("a", Object.assign({href: "/products/" + s.gtin}, attrs)) : el("span", attrs);
    cell.append(el("span", {"aria-hidden": "true", text: GLYPH[s.state]}));
    return cell;
  }

  function render(data) {
    const aisles = data.aisles.map((aisle) => el("section", {class: "aisle", "aria-label": fill(root.dataset.aisle, aisle)},
      el("h2", {text: fill(root.dataset.aisle, aisle)}),
      el("div", {class: "bays"}, ...aisle.bays.map((bay) => el("div", {class: "bay"},
        el("h3", {}, fill(root.dataset.bay, bay), bay.camera ? el("span", {class: "cam", text: fill(root.dataset.camera, bay)}) : null),
        ...bay.shelves.map((shelf) => el("div", {class: "shelf", role: "group", "aria-label": fill(root.dataset.shelf, shelf)},
          el("span", {class: "shelf-name", "aria-hidden": "true", text: shelf.shelf}),
          el("div", {class: "slots"}, ...shelf.slots.map(slotCell)))))))));
    root.replaceChildren(...aisles);
    root.setAttribute("aria-busy", "false");
    for (const [state, count] of Object.entries(data.counts)) {
      const node = document.getElementById("count-" + state);
      if (node) node.textContent = count;
    }
  }

  async function refresh() {
    try {
      render(await api("/api/dashboard/map"));
    } catch (e) {
      root.setAttribute("aria-busy", "false");
    }
  }

  const soon = debounce(refresh, 150);
  on("inventory", soon);
  onReconnect(refresh);
  refresh();
  setInterval(refresh, 60000);  // ages move on even when nothing changes
})();
