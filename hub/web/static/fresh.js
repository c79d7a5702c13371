// The fresh page: a lot's "record waste" fills the form; the form posts to the fresh API, then the page shows again.
"use strict";

(() => {
  const L = JSON.parse(document.getElementById("fresh-labels").textContent);
  const $ = (id) => document.getElementById(id);
  const message = $("fresh-message");
  const fill = (text, values) => Object.entries(values || {}).reduce(
    (said, [name, value]) => said.split("{" + name + "}").join(String(value)), text);

  function say(text, kind) {
    message.textContent = text;
    message.className = kind || "";
  }

  for (const button of document.querySelectorAll("button.waste-this")) {
    button.addEventListener("click", () => {
      $("waste-product").value = button.dataset.gtin;
      $("waste-lot").value = button.dataset.lot;
      $("waste-code").value = "";
      $("waste-quantity").value = button.dataset.units;
      $("waste-reason").value = "expired";
      $("waste-lot-said").textContent = fill(L["fresh.js_lot_chosen"], {name: button.dataset.name});
      $("waste-quantity").focus();
    });
  }
  // choosing another product by hand forgets the lot a button chose
  $("waste-product").addEventListener("change", () => { $("waste-lot").value = ""; $("waste-lot-said").textContent = ""; });

  $("waste-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {quantity: Number($("waste-quantity").value), reason: $("waste-reason").value,
                  note: $("waste-note").value};
    const code = $("waste-code").value.trim();
    if (code) body.code = code;
    if ($("waste-product").value) body.gtin = $("waste-product").value;
    if ($("waste-lot").value && !code) body.lot_id = Number($("waste-lot").value);
    if (!body.gtin && !body.code) { say(L["fresh.js_choose_product"], "error"); return; }
    $("waste-submit").disabled = true;
    try {
      const response = await fetch("/api/fresh/waste", {method: "POST", credentials: "same-origin",
        headers: {"Accept": "application/json", "Content-Type": "application/json"}, body: JSON.stringify(body)});
      if (response.status === 401) { location.assign("/signin?next=/fresh"); return; }
      const data = await response.json().catch(() => ({}));
      if (!response.ok) { say(fill(L["fresh.js_refused"], {why: data.error || data.detail || response.status}), "error"); return; }
      location.reload();
    } finally {
      $("waste-submit").disabled = false;
    }
  });
})();
