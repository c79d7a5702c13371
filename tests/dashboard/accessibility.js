// Run in the page by the tests: problems a screen-reader or low-vision user would meet.
// Returns a list of strings, one per problem (empty when the page is fine).
() => {
  const problems = [];
  const rgb = (text) => {
    const m = text.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/);
    return m ? {r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4]} : null;
  };
  const luminance = ({r, g, b}) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (style.backgroundImage !== "none") return null;  // a pattern: checked by eye, not here
      const c = rgb(style.backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const visible = (n) => !!(n.offsetWidth || n.offsetHeight || n.getClientRects().length);
  for (const node of document.querySelectorAll("body *")) {
    if (!visible(node) || node.closest("[aria-hidden=true]") || node.closest(".uplot")) continue;
    const text = [...node.childNodes].filter((c) => c.nodeType === 3).map((c) => c.textContent.trim()).join("");
    if (!text) continue;
    const style = getComputedStyle(node);
    const fg = rgb(style.color);
    const bg = background(node);
    if (!fg || !bg) continue;
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} for "${text.slice(0, 40)}"`);
  }
  for (const control of document.querySelectorAll("button, a[href], input")) {
    if (!visible(control)) continue;
    const name = (control.getAttribute("aria-label") || control.textContent || "").trim()
      || (control.labels && control.labels.length ? control.labels[0].textContent.trim() : "");
    if (!name) problems.push(`no accessible name: ${control.outerHTML.slice(0, 80)}`);
  }
  if (document.scrollingElement.scrollWidth > window.innerWidth + 1) {
    problems.push(`sideways scrolling: ${document.scrollingElement.scrollWidth}px wide in ${window.innerWidth}px`);
  }
  return problems;
}
