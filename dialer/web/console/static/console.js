// The console's only script: live panel over server-sent events, forms posted in the
// background (with the session's CSRF token), and ticking timers.
(function () {
  "use strict";
  const panel = document.getElementById("panel");
  if (!panel) return;
  const meta = document.querySelector("meta[name=csrf-token]");
  const csrf = meta ? meta.content : "";
  const errorBox = document.getElementById("error");
  let base = performance.now();

  function fmt(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }

  function tick() {
    const dt = (performance.now() - base) / 1000;
    panel.querySelectorAll(".timer").forEach(function (t) {
      t.textContent = fmt(parseFloat(t.dataset.elapsed || "0") + dt);
    });
  }

  function toggleCallback() {
    const row = panel.querySelector("#callback-row");
    if (!row) return;
    const chosen = panel.querySelector("input[name=disposition]:checked");
    row.hidden = !(chosen && chosen.dataset.callback);
  }

  // Same panel key (state, call, preview): keep the DOM and what the agent typed, update timers.
  function install(html) {
    const tmp = document.createElement("div");
    tmp.innerHTML = html;
    const next = tmp.firstElementChild;
    const current = panel.firstElementChild;
    if (next && current && next.dataset.key && next.dataset.key === current.dataset.key) {
      next.querySelectorAll(".timer[id]").forEach(function (t) {
        const mine = panel.querySelector("#" + t.id);
        if (mine) mine.dataset.elapsed = t.dataset.elapsed;
      });
    } else {
      panel.replaceChildren.apply(panel, Array.from(tmp.childNodes));
      toggleCallback();
    }
    base = performance.now();
    tick();
  }

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  async function refresh() {
    const res = await fetch(panel.dataset.panel, { credentials: "same-origin" });
    if (res.ok) install(await res.text());
  }

  panel.addEventListener("submit", async function (ev) {
    const form = ev.target;
    if (!form.classList.contains("act")) return;
    ev.preventDefault();
    const res = await fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
    });
    if (res.status === 401) { window.location.href = panel.dataset.login; return; }
    const body = await res.json().catch(function () { return { error: res.statusText }; });
    showError(res.ok ? "" : body.error);
    await refresh();
  });

  panel.addEventListener("change", function (ev) {
    if (ev.target.classList.contains("autosubmit")) ev.target.form.requestSubmit();
    if (ev.target.name === "disposition") toggleCallback();
  });

  const events = new EventSource(panel.dataset.events);
  events.addEventListener("panel", function (ev) { install(ev.data); });
  events.addEventListener("expired", function () {
    events.close();
    window.location.href = panel.dataset.login;
  });
  // Refused for good (the session ended before the stream began): reloading shows why.
  events.addEventListener("error", function () {
    if (events.readyState === EventSource.CLOSED) setTimeout(function () { window.location.reload(); }, 1000);
  });

  toggleCallback();
  setInterval(tick, 1000);
})();
