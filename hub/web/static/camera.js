// The camera page: its latest still with the slot polygons drawn on it. Staff draw a slot corner by corner,
// drag a slot or a corner to move it, delete it, link each to a planogram slot, and save: the hub sends the
// slots to the camera in its retained config, and the camera counts with them from its next frame.
"use strict";

(() => {
  const {api, el} = Dash;
  const L = JSON.parse(document.getElementById("camera-labels").textContent);
  const camera = document.getElementById("camera-facts").dataset.camera;
  const base = "/api/cameras/" + encodeURIComponent(camera);
  const svg = document.getElementById("overlay");
  const list = document.getElementById("slot-list");
  const message = document.getElementById("camera-message");
  const finish = document.getElementById("finish-slot");
  const SVG = "http://www.w3.org/2000/svg";
  let view = null;          // the camera as the API answers it
  let size = null;          // the still's {width, height}: the slots' coordinates
  let slots = [];           // [{slot, polygon: [[x, y], ...]}]
  let drawing = null;       // corners of the slot being drawn
  let selected = -1;
  let drag = null;          // {index, corner (-1: whole slot), start, original}

  const say = (text, bad) => { message.textContent = text; message.className = bad ? "warn" : "muted"; };
  const fill = (text, values) => Dash.fill(text, values);

  function svgNode(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function point(event) {  // a pointer position in the still's pixels
    const box = svg.getBoundingClientRect();
    const x = (event.clientX - box.left) * size.width / box.width;
    const y = (event.clientY - box.top) * size.height / box.height;
    return [Math.min(size.width, Math.max(0, Math.round(x))), Math.min(size.height, Math.max(0, Math.round(y)))];
  }

  let stillUrl = null;

  function draw() {  // the still is the SVG's first child: the polygons lie on it in its own pixels
    svg.replaceChildren();
    if (!size) return;
    svg.style.aspectRatio = `${size.width} / ${size.height}`;
    svg.append(svgNode("image", {href: stillUrl, x: 0, y: 0, width: size.width, height: size.height, id: "still"}));
    svg.setAttribute("viewBox", `0 0 ${size.width} ${size.height}`);
    slots.forEach((s, i) => {
      const poly = svgNode("polygon", {points: s.polygon.map((p) => p.join(",")).join(" "),
        "data-index": i, "data-slot": s.slot || "", class: i === selected ? "selected" : ""});
      poly.addEventListener("pointerdown", (e) => startDrag(e, i, -1));
      svg.append(poly);
      const [cx, cy] = s.polygon.reduce((a, p) => [a[0] + p[0] / s.polygon.length, a[1] + p[1] / s.polygon.length], [0, 0]);
      const label = svgNode("text", {x: cx, y: cy, "text-anchor": "middle"});
      label.textContent = s.slot || fill(L.slot_n, {n: i + 1});
      svg.append(label);
      if (i === selected) {
        s.polygon.forEach((p, k) => {
          const handle = svgNode("circle", {cx: p[0], cy: p[1], r: Math.max(6, size.width / 90), "data-corner": k});
          handle.addEventListener("pointerdown", (e) => startDrag(e, i, k));
          svg.append(handle);
        });
      }
    });
    if (drawing) {
      svg.append(svgNode("polyline", {points: drawing.map((p) => p.join(",")).join(" ")}));
      drawing.forEach((p) => svg.append(svgNode("circle", {cx: p[0], cy: p[1], r: Math.max(5, size.width / 110)})));
    }
  }

  function renderList() {
    const options = view ? view.planogram : [];
    list.replaceChildren(...slots.map((s, i) => {
      const select = el("select", {"aria-label": L.link, "data-index": i,
        onchange: (e) => { slots[i].slot = e.target.value; draw(); }},
        el("option", {value: "", text: L.unlinked}),
        ...options.map((p) => el("option", {value: p.slot, selected: p.slot === s.slot,
          text: p.slot + (p.name ? " — " + p.name : "")})));
      return el("li", {class: i === selected ? "selected" : "", "data-index": i,
        onclick: () => { selected = i; draw(); renderList(); }},
        el("strong", {text: fill(L.slot_n, {n: i + 1})}), select,
        el("button", {type: "button", class: "secondary", text: L.delete, "aria-label": L.delete + " " + (i + 1),
          onclick: (e) => { e.stopPropagation(); slots.splice(i, 1); selected = -1; draw(); renderList(); }}));
    }));
  }

  function startDrag(event, index, corner) {
    if (drawing) return;
    event.stopPropagation();
    event.preventDefault();
    selected = index;
    drag = {index, corner, start: point(event), original: slots[index].polygon.map((p) => p.slice())};
    svg.setPointerCapture(event.pointerId);
    document.body.classList.add("dragging");
    draw();
    renderList();
  }

  svg.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const [x, y] = point(event);
    const dx = x - drag.start[0], dy = y - drag.start[1];
    const s = slots[drag.index];
    if (drag.corner >= 0) s.polygon[drag.corner] = [x, y];
    else {  // the whole slot moves, kept inside the picture
      const xs = drag.original.map((p) => p[0]), ys = drag.original.map((p) => p[1]);
      const mx = Math.min(Math.max(dx, -Math.min(...xs)), size.width - Math.max(...xs));
      const my = Math.min(Math.max(dy, -Math.min(...ys)), size.height - Math.max(...ys));
      s.polygon = drag.original.map((p) => [p[0] + mx, p[1] + my]);
    }
    draw();
  });
  svg.addEventListener("pointerup", () => { drag = null; document.body.classList.remove("dragging"); });
  document.addEventListener("selectstart", (event) => { if (drag) event.preventDefault(); });  // a drag selects no text
  svg.addEventListener("pointerdown", (event) => {
    if (!size) return;
    if (drawing) { drawing.push(point(event)); draw(); finish.hidden = drawing.length < 3; return; }
    selected = -1; draw(); renderList();
  });

  document.getElementById("new-slot").addEventListener("click", () => {
    drawing = []; selected = -1; finish.hidden = true; draw(); renderList();
  });
  finish.addEventListener("click", () => {
    if (!drawing || drawing.length < 3) { say(L.need_corners, true); return; }
    slots.push({slot: "", polygon: drawing});
    drawing = null; finish.hidden = true; selected = slots.length - 1; draw(); renderList();
  });

  document.getElementById("save-slots").addEventListener("click", async () => {
    if (slots.some((s) => !s.slot)) { say(L.need_link, true); return; }
    try {
      view = await api(base + "/slots", {method: "PUT",
        body: JSON.stringify({width: size.width, height: size.height, slots})});
      say(L.saved);
      facts();
    } catch (e) { say(L.failed + " " + e.message, true); }
  });

  document.getElementById("take-still").addEventListener("click", async () => {
    const before = view && view.still ? view.still.name : null;
    try {
      await api(base + "/stills/request", {method: "POST"});
      say(L.still_asked);
      for (let i = 0; i < 30; i++) {  // the camera uploads within seconds; show the new still when it is there
        await new Promise((r) => setTimeout(r, 1000));
        view = await api(base);
        if (view.still && view.still.name !== before) { showStill(); break; }
      }
    } catch (e) { say(L.failed + " " + e.message, true); }
  });

  document.getElementById("save-every").addEventListener("click", async () => {
    const value = document.getElementById("still-every").value;
    try {
      view = await api(base + "/stills/schedule", {method: "PUT", body: JSON.stringify({every_min: value ? Number(value) : null})});
      say(L.every_saved);
    } catch (e) { say(L.failed + " " + e.message, true); }
  });

  const offer = document.getElementById("offer-model");
  if (offer) {
    offer.addEventListener("click", async () => {
      try {
        view = await api(base + "/model", {method: "POST", body: JSON.stringify({
          file: document.getElementById("model-file").value, version: document.getElementById("model-version").value})});
        facts();
      } catch (e) { say(L.failed + " " + e.message, true); }
    });
  }

  function facts() {
    const parts = [L.state + ": " + (view.state ? Dash.t(view.state) : "—"),
      fill(L.model_running, {model: view.model || "—"})];
    if (view.offered && view.offered.version !== view.model) parts.push(fill(L.model_offered, {model: view.offered.version}));
    document.getElementById("camera-facts").textContent = parts.join(" · ");
    document.getElementById("still-every").value = view.stills_every_min || "";
  }

  function showStill() {
    const noStill = document.getElementById("no-still");
    if (!view.still) { noStill.hidden = false; svg.setAttribute("hidden", ""); return; }
    noStill.hidden = true;
    size = {width: view.still.width, height: view.still.height};
    stillUrl = base + "/stills/latest?" + encodeURIComponent(view.still.name);
    svg.removeAttribute("hidden");
    draw();
  }

  async function load() {
    try {
      view = await api(base);
      slots = view.slots ? view.slots.slots.map((s) => ({slot: s.slot, polygon: s.polygon})) : [];
      facts();
      showStill();
      renderList();
    } catch (e) { say(L.failed + " " + e.message, true); }
  }

  Dash.on("device", Dash.debounce(async () => { try { view = Object.assign(view, await api(base)); facts(); } catch (e) { /* banner */ } }, 500));
  load();
})();
