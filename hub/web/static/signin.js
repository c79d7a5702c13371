// Sign-in: POST /api/session (the hub sets the session cookie), then go where the visitor was headed.
"use strict";

document.getElementById("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById("signin-error");
  error.hidden = true;
  const response = await fetch("/api/session", {
    method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({username: form.username.value.trim(), password: form.password.value}),
  });
  if (response.ok) {
    location.assign(form.dataset.next || "/map");
    return;
  }
  error.textContent = response.status === 429 ? error.dataset.limited : error.dataset.wrong;
  error.hidden = false;
  form.password.value = "";
  form.password.focus();
});
