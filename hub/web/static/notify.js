// Notification channels on the devices page: ok or failing, the last error, deliveries waiting (/api/notify/channels).
"use strict";

(() => {
  const {api, el} = Dash;
  const section = document.getElementById("notify-channels");
  const rows = document.getElementById("notify-rows");

  async function refresh() {
    try {
      const channels = await api("/api/notify/channels");
      section.hidden = channels.length === 0;
      rows.replaceChildren(...channels.map((c) => el("tr", {"data-channel": c.channel, "data-state": c.state},
        el("th", {scope: "row", text: c.channel}),
        el("td", {text: c.type}),
        el("td", {}, el("span", {class: "state state-" + (c.state === "ok" ? "online" : c.state === "failing" ? "offline" : "unknown"),
          text: section.dataset[c.state] || c.state})),
        el("td", {class: c.last_error ? "warn" : "muted", text: c.last_error || ""}),
        el("td", {class: "num" + (c.waiting ? " warn" : ""), text: String(c.waiting)}))));
    } catch (e) { /* the connection banner says why */ }
  }

  refresh();
  setInterval(refresh, 10000);
})();
