// The store map: aisles, bays, shelves and slots, each slot showing its place and count; a list of what to do;
// search and jump to an aisle or a slot (/map#slot=<id>). Live updates PATCH the slots that changed and never
// rebuild the grid, so a finger on a slot or the keyboard focus stays where it is while events stream in.
"use strict";

(() => {
  const {t, fill, fold, api, ageText, debounce, el, on, onReconnect} = Dash;
  const root = document.getElementById("store-map");
  const todo = document.getElementById("todo");
  const search = document.getElementById("map-search");
  const found = document.getElementById("map-found");
  const jump = document.getElementById("aisle-jump");
  const GLYPH = {ok: "", low: "!", empty: "✕", occluded: "?", no_data: "·"};
  const URGENCY = {empty: 0, low: 1, occluded: 2};  // the order of the list of what to do
  const narrow = window.matchMedia("(max-width: 700px)");

  const cells = new Map();     // slot id -> {node, sig, data}
  const todoItems = new Map(); // slot id -> {node, sig}
  let layout = "";             // the slot ids in order: the grid is built again only if the planogram changes
  let foundKey = "";           // the search's hits, as last shown

  function stateText(s) {
    if (s.state !== "no_data") return t("state_" + s.state);
    return s.watched_by ? t("map_waiting_for", {device: s.watched_by}) : t("map_not_watched");
  }

  function countText(s) {
    if (s.units === null || s.units === undefined) return GLYPH[s.state] || "·";
    return s.capacity ? s.units + "/" + s.capacity : String(s.units);
  }

  function slotLabel(s) {
    let detail = stateText(s);
    if (s.units !== null) detail += " · " + t("units_of", {units: s.units, capacity: s.capacity ?? "?"});
    if (s.source) detail += " · " + t("source_" + s.source) + " " + ageText(s.age_s);
    return t("slot_label", {slot: s.slot, name: s.name || s.gtin || "?", state: detail});
  }

  const signature = (s) => [s.state, s.units, s.capacity, s.name, s.gtin, s.source, s.watched_by, s.alert].join("|");

  function newCell(s) {
    const attrs = {class: "slot", "data-slot": s.slot};
    const node = s.gtin ? el("a", Object.assign({href: "/products/" + s.gtin}, attrs)) : el("span", attrs);
    node.append(el("span", {class: "pos", "aria-hidden": "true"}), el("span", {class: "units", "aria-hidden": "true"}));
    return node;
  }

  // change what differs, in place: the element under a finger or the focus is never replaced
  function patchCell(entry, s, force) {
    const sig = signature(s);
    entry.data = s;
    if (sig === entry.sig && !force) return false;
    entry.sig = sig;
    const node = entry.node;
    node.className = "slot slot-" + s.state + (node.classList.contains("highlight") ? " highlight" : "");
    node.dataset.state = s.state;
    if (s.alert) node.dataset.alert = s.alert; else delete node.dataset.alert;
    node.setAttribute("aria-label", slotLabel(s));
    node.firstChild.textContent = s.position || s.slot;
    node.lastChild.textContent = countText(s);
    return true;
  }

  function problemsOf(aisle) {
    const counts = {empty: 0, low: 0, occluded: 0};
    for (const bay of aisle.bays) for (const shelf of bay.shelves) for (const s of shelf.slots) {
      if (s.state in counts) counts[s.state] += 1;
    }
    const parts = Object.entries(counts).filter(([, n]) => n).map(([state, n]) => t("map_aisle_" + state, {n}));
    return parts.length ? parts.join(" · ") : t("map_aisle_fine");
  }

  function build(data) {
    cells.clear();
    const open = !narrow.matches;  // on a phone the aisles start folded: one at a time, not 4 screens of squares
    const aisles = data.aisles.map((aisle) => {
      const name = fill(root.dataset.aisle, aisle);
      return el("details", Object.assign({class: "aisle", id: "aisle-" + aisle.aisle, "data-aisle": aisle.aisle},
                                         open ? {open: true} : {}),
        el("summary", {}, el("h2", {text: name}), el("span", {class: "aisle-problems"})),
        el("div", {class: "bays"}, ...aisle.bays.map((bay) => el("div", {class: "bay"},
          el("h3", {}, fill(root.dataset.bay, bay),
             bay.camera ? el("span", {class: "cam", text: fill(root.dataset.camera, bay)}) : null),
          ...bay.shelves.map((shelf) => el("div", {class: "shelf", role: "group", "aria-label": fill(root.dataset.shelf, shelf)},
            el("span", {class: "shelf-name", "aria-hidden": "true", text: shelf.shelf}),
            el("div", {class: "slots"}, ...shelf.slots.map((s) => {
              const entry = {node: newCell(s), sig: null, data: s};
              cells.set(s.slot, entry);
              return entry.node;
            }))))))));
    });
    root.replaceChildren(...aisles);
    jump.replaceChildren(...data.aisles.map((aisle) => el("a", {href: "#aisle-" + aisle.aisle, class: "chip",
      "data-aisle": aisle.aisle, text: fill(root.dataset.aisle, aisle)})));
  }

  function todoEntry(s) {
    const node = el("li", {"data-todo-slot": s.slot});
    return {node, sig: null};
  }

  function patchTodo(entry, s) {
    const sig = signature(s);
    if (sig === entry.sig) return;
    entry.sig = sig;
    entry.node.className = "todo-item todo-" + s.state;
    entry.node.replaceChildren(
      el("a", {href: "#slot=" + s.slot, class: "todo-slot", text: s.slot}), " ",
      el("span", {class: "todo-state", text: stateText(s) + (s.units !== null ? " (" + countText(s) + ")" : "")}), " ",
      el("span", {class: "todo-name", text: s.name || s.gtin || "?"}),
      el("span", {class: "todo-step", text: t("map_step_" + s.state)}),
      el("span", {class: "todo-links"},
        s.gtin ? el("a", {href: "/products/" + s.gtin, text: t("map_open_product")}) : null,
        s.alert ? el("a", {href: "/alerts#alert-" + s.alert, class: "todo-alert", text: t("map_open_alert")}) : null));
  }

  function updateTodo(data) {
    const wanted = [];
    for (const aisle of data.aisles) for (const bay of aisle.bays) for (const shelf of bay.shelves) {
      for (const s of shelf.slots) if (s.state in URGENCY) wanted.push(s);
    }
    wanted.sort((a, b) => URGENCY[a.state] - URGENCY[b.state]);
    const keep = new Set(wanted.map((s) => s.slot));
    for (const [slot, entry] of todoItems) if (!keep.has(slot)) { entry.node.remove(); todoItems.delete(slot); }
    let previous = null;
    for (const s of wanted) {
      let entry = todoItems.get(s.slot);
      if (!entry) { entry = todoEntry(s); todoItems.set(s.slot, entry); }
      patchTodo(entry, s);
      const where = previous ? previous.nextSibling : todo.firstChild;
      if (where !== entry.node) todo.insertBefore(entry.node, where);  // moved only when its place changed
      previous = entry.node;
    }
    document.getElementById("todo-empty").hidden = wanted.length > 0;
    document.getElementById("problem-count").textContent = wanted.length;
  }

  function render(data, force) {
    const ids = [];
    for (const aisle of data.aisles) for (const bay of aisle.bays) for (const shelf of bay.shelves) {
      for (const s of shelf.slots) ids.push(s.slot);
    }
    const key = ids.join(",");
    if (key !== layout) { build(data); layout = key; force = true; }
    for (const aisle of data.aisles) {
      for (const bay of aisle.bays) for (const shelf of bay.shelves) for (const s of shelf.slots) {
        patchCell(cells.get(s.slot), s, force);
      }
      const summary = document.querySelector(`#aisle-${CSS.escape(aisle.aisle)} .aisle-problems`);
      const text = problemsOf(aisle);
      if (summary && summary.textContent !== text) summary.textContent = text;
    }
    updateTodo(data);
    root.setAttribute("aria-busy", "false");
    for (const [state, count] of Object.entries(data.counts)) {
      const node = document.getElementById("count-" + state);
      if (node && node.textContent !== String(count)) node.textContent = count;
    }
    if (search.value.trim()) findSlots();
  }

  // -- where must I go: jump to a slot or an aisle, search by product or slot ---------------------------------
  function goTo(slot) {
    const entry = cells.get(slot);
    if (!entry) return false;
    showView("map");
    for (const old of root.querySelectorAll(".slot.highlight")) old.classList.remove("highlight");
    entry.node.closest("details").open = true;
    entry.node.classList.add("highlight");
    entry.node.scrollIntoView({block: "center"});
    entry.node.focus({preventScroll: true});
    return true;
  }

  function fromHash() {
    const hash = decodeURIComponent(location.hash.slice(1));
    if (hash.startsWith("slot=")) return goTo(hash.slice(5));
    if (hash.startsWith("aisle-")) {
      const aisle = document.getElementById(hash);
      if (aisle) { showView("map"); aisle.open = true; aisle.scrollIntoView({block: "start"}); }
    }
    return false;
  }

  function findSlots() {
    const words = fold(search.value).split(/\s+/).filter(Boolean);
    for (const old of root.querySelectorAll(".slot.match")) old.classList.remove("match");
    if (!words.length) { found.replaceChildren(); foundKey = ""; return; }
    const hits = [...cells.values()].filter(({data}) => {
      const text = fold([data.slot, data.name || "", data.gtin || ""].join(" "));
      return words.every((w) => text.includes(w));
    });
    for (const hit of hits) hit.node.classList.add("match");
    const key = hits.map(({data}) => data.slot + ":" + data.state).join(",");
    if (key === foundKey && found.childElementCount) return;  // unchanged: leave the links under a finger alone
    foundKey = key;
    found.replaceChildren(el("p", {role: "status", text: hits.length ? t("map_found", {n: hits.length}) : t("no_results")}),
      el("ul", {class: "found-list"}, ...hits.slice(0, 12).map(({data}) => el("li", {},
        el("a", {href: "#slot=" + data.slot, text: data.slot + " · " + (data.name || data.gtin || "?") + " · " + stateText(data)})))));
  }

  function showView(view) {
    document.getElementById("view-map").setAttribute("aria-pressed", String(view === "map"));
    document.getElementById("view-todo").setAttribute("aria-pressed", String(view === "todo"));
    document.getElementById("todo-box").hidden = view !== "todo";
    root.hidden = view !== "map";
  }

  document.getElementById("view-map").addEventListener("click", () => showView("map"));
  document.getElementById("view-todo").addEventListener("click", () => showView("todo"));
  search.addEventListener("input", debounce(findSlots, 150));
  document.getElementById("map-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    findSlots();
    const first = found.querySelector("a");
    if (first) location.hash = first.getAttribute("href").slice(1);
  });
  window.addEventListener("hashchange", fromHash);

  let first = true;
  async function refresh(force) {
    try {
      render(await api("/api/dashboard/map"), force === true);
      if (first) { first = false; fromHash(); }
    } catch (e) {
      root.setAttribute("aria-busy", "false");
    }
  }

  on("inventory", debounce(refresh, 150));
  on("alert", debounce(refresh, 300));  // a slot's link to its alert
  onReconnect(refresh);
  refresh();
  setInterval(() => refresh(true), 60000);  // ages move on even when nothing changes
})();
