// Devices: online or not (and why not, as the device's status says), last seen, message rate, outbox, lost and dropped messages.
"use strict";

(() => {
  const {t, api, ageText, el, num, debounce, on, onReconnect} = Dash;
  const rows = document.getElementById("device-rows");
  const n = (v) => (v === null || v === undefined ? t("none") : typeof v === "number" ? num(v) : String(v));

  // on a phone each row is a card: every figure says what it is (the column's heading)
  const headings = [...document.querySelectorAll("#device-table thead th")].map((th) => th.textContent);
  function labelled(row) {
    [...row.children].forEach((cell, i) => { if (cell.tagName === "TD") cell.dataset.label = headings[i]; });
    return row;
  }

  // a camera's model, as its status's software says it ("... model=v2"), linked to its camera page
  const modelCell = (d) => d.kind !== "camera" ? el("td", {text: ""}) : el("td", {},
    el("a", {href: "/cameras/" + encodeURIComponent(d.device), "data-model": d.device,
      text: ((d.software || "").split(" model=")[1] || t("none")).split(" ")[0]}));

  async function refresh() {
    try {
      const devices = await api("/api/dashboard/devices");
      rows.replaceChildren(...devices.map((d) => labelled(el("tr", {"data-device": d.device, "data-state": d.state},
        el("th", {scope: "row", text: d.device}),
        el("td", {text: n(d.kind_text)}),
        el("td", {}, el("span", {class: "state state-" + d.state, text: t(d.state) }),
          ...(d.reason ? [" ", el("span", {class: "muted", text: d.reason})] : [])),
        el("td", {text: d.age_s === null ? t("ago_unknown") : ageText(d.age_s)}),
        el("td", {class: "num", text: n(d.rate_text)}),
        el("td", {class: "num", text: n(d.outbox)}),
        el("td", {class: "num" + (d.lost ? " warn" : ""), text: n(d.lost)}),
        el("td", {class: "num" + (d.dropped ? " warn" : ""), text: n(d.dropped)}),
        el("td", {class: "num", text: n(d.messages)}),
        modelCell(d)))));
    } catch (e) { /* the connection banner says why */ }
  }

  on("device", debounce(refresh, 300));
  onReconnect(refresh);
  refresh();
  setInterval(refresh, 10000);
})();
