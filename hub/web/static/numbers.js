// The numbers page: a period, the shop's figures as cards (said by the hub, in the page's language, by Babel),
// daily revenue and waste charts (uPlot), turnover and days of cover per category, the week's CSV/PDF.
"use strict";

(() => {
  const {el, api} = Dash;
  const N = JSON.parse(document.getElementById("numbers-labels").textContent);
  const lang = document.documentElement.lang || "fr";
  const t = (key, values) => (key in N ? Dash.fill(N[key], values || {}) : Dash.t(key, values));
  const $ = (id) => document.getElementById(id);
  const form = $("period-form");
  const kind = $("period-kind");
  const firstInput = $("period-first");
  const lastInput = $("period-last");
  const euros = new Intl.NumberFormat(lang, {style: "currency", currency: "EUR", minimumFractionDigits: 0, maximumFractionDigits: 2});
  const dayFormat = new Intl.DateTimeFormat(lang, {day: "numeric", month: "short", timeZone: "UTC"});
  const charts = {};

  // shop days as "YYYY-MM-DD", computed in UTC so that the browser's own zone never shifts a day
  const parse = (text) => new Date(text + "T00:00:00Z");
  const text = (date) => date.toISOString().slice(0, 10);
  const plus = (date, days) => new Date(date.getTime() + days * 86400000);
  const monday = (date) => plus(date, -((date.getUTCDay() + 6) % 7));

  function isoWeek(day) {
    const thursday = plus(monday(day), 3);
    const yearStart = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 1));
    const week = 1 + Math.floor((thursday - yearStart) / (7 * 86400000));
    return thursday.getUTCFullYear() + "-W" + String(week).padStart(2, "0");
  }

  function period() {
    const thisMonday = monday(parse(form.dataset.today));
    switch (kind.value) {
      case "last_week": return [plus(thisMonday, -7), plus(thisMonday, -1)];
      case "four_weeks": return [plus(thisMonday, -21), plus(thisMonday, 6)];
      case "custom": return [parse(firstInput.value), parse(lastInput.value)];
      default: return [thisMonday, plus(thisMonday, 6)];
    }
  }

  function card(f) {
    const parts = el("dl", {}, ...f.parts_said.flatMap((p) => [el("dt", {text: p.name}), el("dd", {text: p.display})]));
    return el("article", {class: "figure", "data-key": f.key},
      el("h3", {text: f.name}),
      el("p", {class: "value", "data-value": String(f.value), text: f.display}),
      el("details", {}, el("summary", {text: t("numbers_how")}), el("p", {text: f.how}),
        el("p", {class: "muted", text: t("numbers_made_of")}), parts));
  }

  function chart(id, days, key, colour) {
    const box = $(id);
    const xs = days.map((d) => parse(d.day).getTime() / 1000);
    const ys = days.map((d) => d[key] / 100);
    const opts = {
      width: Math.max(box.clientWidth - 16, 200), height: 200, legend: {show: false},
      scales: {x: {time: false, range: (u, min, max) => [min - 43200, max + 43200]}},  // half a day each side
      axes: [{values: (u, ticks) => ticks.map((s) => dayFormat.format(new Date(s * 1000))), incrs: [86400, 172800, 604800]},
        {values: (u, ticks) => ticks.map((v) => euros.format(v)), size: 70}],
      series: [{}, {label: box.getAttribute("aria-label"), stroke: colour, fill: colour + "99",
        paths: uPlot.paths.bars({size: [0.6, 40]}), points: {show: false}}],
    };
    if (charts[id]) charts[id].destroy();
    charts[id] = new uPlot(opts, [xs, ys], box);
  }

  function categories(rows) {
    const body = $("category-rows");
    if (!rows.length) {
      body.replaceChildren(el("tr", {}, el("td", {colspan: "3", class: "muted", text: t("numbers_no_category")})));
      return;
    }
    body.replaceChildren(...rows.map((r) => el("tr", {"data-category": r.category},
      el("th", {scope: "row", text: r.category}),
      el("td", {class: "num", text: r.display.turnover}),
      el("td", {class: "num", text: r.display.days_of_cover}))));
  }

  async function show() {
    const [first, last] = period();
    if (isNaN(first) || isNaN(last)) return;
    const message = $("numbers-message");
    message.textContent = t("numbers_loading");
    try {
      const data = await api("/api/kpis?first=" + text(first) + "&last=" + text(last));
      $("period-said").textContent = data.said;
      $("figures").replaceChildren(...data.figures.map(card));
      categories(data.categories);
      chart("sales-chart", data.daily, "revenue_cents", "#1d4ed8");
      chart("waste-chart", data.daily, "waste_cents", "#b45309");
      const week = isoWeek(last);
      $("download-csv").href = "/api/kpis/report.csv?week=" + week;
      $("download-pdf").href = "/api/kpis/report.pdf?week=" + week;
      message.textContent = "";
    } catch (e) {
      message.textContent = t("numbers_failed", {error: e.message});
    }
  }

  function pickerChanged() {
    const custom = kind.value === "custom";
    for (const node of form.querySelectorAll(".custom")) node.hidden = !custom;
    $("period-show").hidden = !custom;
    if (!custom) show();  // a custom period is shown when its dates are given (Show)
  }

  const [first, last] = (() => { const m = monday(parse(form.dataset.today)); return [m, plus(m, 6)]; })();
  firstInput.value = text(first);
  lastInput.value = text(last);
  kind.addEventListener("change", pickerChanged);
  form.addEventListener("submit", (event) => { event.preventDefault(); show(); });
  pickerChanged();
})();
