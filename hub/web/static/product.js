// One product: on hand, backroom, floor, shelf with source and age; a chart of stock and sales.
"use strict";

(() => {
  const {t, api, ageText, el, num, debounce, on, onReconnect, lang} = Dash;
  const gtin = document.getElementById("product").dataset.gtin;
  const body = document.getElementById("figure-rows");
  const chartBox = document.getElementById("chart");
  let chart = null;
  const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];  // units: no half ticks

  const n = (v) => (v === null || v === undefined ? t("none") : String(v));
  const percent = new Intl.NumberFormat(lang, {style: "percent", maximumFractionDigits: 0});
  const pct = (v) => percent.format(v || 0);
  // the chart's times and figures in the page's language (uPlot's own are English)
  const dayFormat = new Intl.DateTimeFormat(lang, {day: "numeric", month: "short"});
  const hourFormat = new Intl.DateTimeFormat(lang, {hour: "2-digit", minute: "2-digit"});
  const fullFormat = new Intl.DateTimeFormat(lang, {dateStyle: "medium", timeStyle: "short"});
  const timeTicks = (u, ticks, _i, _space, step) => ticks.map((sec) => (step < 86400 ? hourFormat : dayFormat).format(new Date(sec * 1000)));
  const unitTicks = (u, ticks) => ticks.map((v) => num(v));
  const source = (s) => (s ? s.split("+").map((part) => t("source_" + part)).join(" + ") : t("none"));

  function figures(view) {
    document.getElementById("on-hand").textContent = n(view.on_hand);
    const rows = [
      ["backroom", view.backroom], ["floor", view.floor], ["shelf", view.shelf],
    ].map(([key, f]) => el("tr", {"data-place": key},
      el("th", {scope: "row", text: body.dataset[key]}),
      el("td", {class: "num", "data-label": body.dataset.units, text: n(f.units)}),
      el("td", {"data-label": body.dataset.source, text: source(f.source)}),
      el("td", {"data-label": body.dataset.age, text: f.age_s === null ? t("ago_unknown") : ageText(f.age_s)}),
      el("td", {class: "num", "data-label": body.dataset.confidence, text: pct(f.confidence)})));
    body.replaceChildren(...rows);
    const flags = document.getElementById("flags");
    flags.hidden = !view.flags.length;
    flags.querySelector("span").textContent = view.flags.map((f) => t("flag_" + f)).join("; ");
    document.getElementById("slot-list").replaceChildren(...view.slots.map((s) => el("li", {},
      el("a", {href: "/map#slot=" + encodeURIComponent(s.slot), class: "slot-link"}, el("strong", {text: s.slot})), " · ",
      s.state ? t("state_" + (s.state === "ok" ? "ok" : s.state)) : t("state_no_data"),
      s.facings !== null && s.facings !== undefined ? " · " + t("units_of", {units: s.facings, capacity: s.capacity}) : "",
      s.scale ? " · " + t("source_scale") + " " + n(s.scale_units) : "")));
  }

  function drawChart(history) {
    const times = [];
    const onHand = [];
    const backroom = [];
    const shelf = [];
    const sold = [];
    const sales = new Map(history.sales.map(([time, units]) => [time, units]));
    for (const [time, hand, back, , shelfUnits] of history.stock) {
      times.push(time); onHand.push(hand); backroom.push(back); shelf.push(shelfUnits); sold.push(null);
    }
    for (const [time, units] of sales) {  // bars at the start of each bucket
      times.push(time); onHand.push(undefined); backroom.push(undefined); shelf.push(undefined); sold.push(units);
    }
    const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
    const pick = (arr) => order.map((i) => arr[i]);
    const data = [pick(times), pick(onHand), pick(backroom), pick(shelf), pick(sold)];
    const style = getComputedStyle(chartBox);
    const inner = chartBox.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const width = Math.max(240, Math.floor(inner || 600));  // the box's width: never wider than a phone
    const opts = {
      width, height: 260,
      scales: {x: {time: true}, units: {auto: true}, sold: {auto: true}},
      axes: [{label: t("chart_axis_time"), values: timeTicks},
        {scale: "units", label: t("chart_on_hand"), incrs: WHOLE, values: unitTicks},
        {scale: "sold", side: 1, label: t("chart_sales"), grid: {show: false}, incrs: WHOLE, values: unitTicks}],
      series: [
        {label: t("chart_axis_time"), value: (u, sec) => (sec === null || sec === undefined ? "—" : fullFormat.format(new Date(sec * 1000)))},
        {label: t("chart_on_hand"), scale: "units", stroke: "#1d4ed8", width: 2, spanGaps: true, paths: uPlot.paths.stepped({align: 1})},
        {label: t("chart_backroom"), scale: "units", stroke: "#7c3aed", width: 1.5, dash: [6, 4], spanGaps: true, paths: uPlot.paths.stepped({align: 1})},
        {label: t("chart_shelf"), scale: "units", stroke: "#047857", width: 1.5, spanGaps: true, paths: uPlot.paths.stepped({align: 1})},
        {label: t("chart_sales"), scale: "sold", stroke: "#b45309", fill: "rgba(180,83,9,0.35)", paths: uPlot.paths.bars({size: [0.6, 36, 8]})},
      ],
    };
    if (chart) chart.destroy();
    chart = new uPlot(opts, data, chartBox);
    // the chart is a picture: say in words what it shows
    const now = history.stock.length ? history.stock[history.stock.length - 1][1] : null;
    const soldTotal = history.sales.reduce((sum, [, units]) => sum + units, 0);
    chartBox.setAttribute("aria-label", document.getElementById("chart-title").textContent + ": "
      + t("chart_summary", {units: n(now), sold: soldTotal}));
  }

  async function refresh() {
    try {
      const [view, history] = await Promise.all([
        api("/api/inventory/" + gtin), api("/api/dashboard/products/" + gtin + "/history")]);
      figures(view);
      drawChart(history);
    } catch (e) {
      document.getElementById("on-hand").textContent = t("none");
    }
  }

  const soon = debounce(refresh, 200);
  let lastWidth = chartBox.clientWidth;
  window.addEventListener("resize", debounce(() => {  // a turned tablet: the chart follows its box
    if (chartBox.clientWidth !== lastWidth) { lastWidth = chartBox.clientWidth; refresh(); }
  }, 300));
  on("inventory", (event) => { if (event.gtin === gtin) soon(); });
  onReconnect(refresh);
  refresh();
})();
