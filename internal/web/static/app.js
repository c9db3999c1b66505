// Small conveniences; every page works without this file.
document.addEventListener("keydown", (e) => {
  // "/" jumps to the search box, as in most tools people already use.
  if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
  const q = document.getElementById("q");
  if (q) { e.preventDefault(); q.focus(); q.select(); }
});
// Phones: the header's links fold behind its menu button, which app.css
// shows below 700 px only; without this script they show in full.
// Escape closes the menu and puts the keyboard back on the button.
document.addEventListener("DOMContentLoaded", () => {
  const top = document.querySelector("header.top");
  const button = top && top.querySelector(".menu-toggle");
  if (!button) return;
  const show = (open) => {
    top.dataset.menu = open ? "open" : "closed";
    button.setAttribute("aria-expanded", String(open));
  };
  show(false);
  button.addEventListener("click", () => show(top.dataset.menu !== "open"));
  // Back to a page kept in the browser's cache, the menu is found closed.
  window.addEventListener("pagehide", () => show(false));
  top.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || top.dataset.menu !== "open") return;
    show(false);
    button.focus();
  });
});
document.addEventListener("DOMContentLoaded", () => {
  // After a refused form, put the keyboard on the list of problems.
  const errors = document.getElementById("errors");
  if (errors) errors.focus();
});
// A running import shows its progress as it goes: live where the
// browser has Server-Sent Events, else by reloading every second.
document.addEventListener("DOMContentLoaded", () => {
  if (window.EventSource && document.body.dataset.live) return;
  if (document.querySelector("[data-refresh]")) setTimeout(() => location.reload(), 1000);
});
// Deal board: dropping a card on a column submits the card's own move
// form with that column's stage, the same request its Move button makes.
document.addEventListener("DOMContentLoaded", () => {
  const board = document.getElementById("board");
  if (!board) return;
  let dragged = null;
  board.addEventListener("dragstart", (e) => {
    dragged = e.target.closest(".deal");
    if (!dragged) return;
    dragged.classList.add("dragging");
    e.dataTransfer.setData("text/plain", dragged.dataset.id);
  });
  board.addEventListener("dragend", () => { if (dragged) dragged.classList.remove("dragging"); });
  board.addEventListener("dragover", (e) => {
    const col = e.target.closest(".column");
    if (!col || !dragged) return;
    e.preventDefault();
    board.querySelectorAll(".drop").forEach((c) => c !== col && c.classList.remove("drop"));
    col.classList.add("drop");
  });
  // A deal dropped on a lost column needs its reason: asked on the board,
  // rather than on the page the server would answer without one.
  const dialog = document.getElementById("lost-dialog");
  const ask = (form, name) => {
    dialog.querySelector("[data-deal-name]").textContent = name;
    const reason = dialog.querySelector("#lost-reason");
    reason.value = "";
    dialog.onclose = () => {
      board.querySelectorAll(".drop").forEach((c) => c.classList.remove("drop"));
      if (dialog.returnValue !== "lost" || reason.value.trim() === "") return;
      form.querySelector("[name=lost_reason]").value = reason.value.trim();
      form.submit();
    };
    dialog.returnValue = "";
    dialog.showModal();
    reason.focus();
  };
  board.addEventListener("drop", (e) => {
    const col = e.target.closest(".column");
    if (!col || !dragged) return;
    e.preventDefault();
    const form = dragged.querySelector("form");
    form.querySelector("select").value = col.dataset.stage;
    if (col.classList.contains("outcome-lost") && dialog) {
      ask(form, dragged.querySelector(".lead-name").textContent);
      return;
    }
    form.submit();
  });
});
// Segment editor: choosing a field shows the value inputs and the tests
// that fit it, as the server would after "Update the rows".
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("segment-form");
  if (!form) return;
  form.querySelectorAll("[data-no-js-only]").forEach((b) => { b.hidden = true; });
  const fit = (row) => {
    const field = row.querySelector("[data-cond-field]");
    const opt = field.selectedOptions[0];
    const widget = (opt && opt.dataset.widget) || "";
    const kind = (opt && opt.dataset.kind) || "";
    row.querySelectorAll(".cond-value").forEach((v) => { v.hidden = v.dataset.widget !== widget; });
    const op = row.querySelector("[data-cond-op]");
    let first = null;
    for (const o of op.options) {
      const fits = kind === "" || o.dataset.kinds.split(" ").includes(kind);
      o.hidden = !fits; o.disabled = !fits;
      if (fits && !first) first = o;
    }
    if (op.selectedOptions[0] && op.selectedOptions[0].disabled && first) op.value = first.value;
  };
  form.addEventListener("change", (e) => {
    if (e.target.matches("[data-cond-field]")) fit(e.target.closest(".cond"));
  });
});

// Sequence editor: show each step's fields for its kind only. Without
// this script every field shows, and the server ignores those the kind
// does not use.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".step-kind").forEach((sel) => {
    const row = sel.closest("fieldset");
    const show = () => row.querySelectorAll("[data-for]").forEach((f) => { f.hidden = f.dataset.for !== sel.value; });
    sel.addEventListener("change", show);
    show();
  });
});
// Lead list: "tick all" ticks the page's leads; the bulk form shows only
// the field its action needs (without script every field shows, and the
// server reads the one the action names).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("bulk");
  if (!form) return;
  const all = document.getElementById("pick-all");
  const boxes = () => document.querySelectorAll('input[name=id][form=bulk]');
  all.closest("label").hidden = false;
  all.addEventListener("change", () => boxes().forEach((b) => { b.checked = all.checked; }));
  const action = form.querySelector("[name=action]");
  const fit = () => form.querySelectorAll("[data-for]").forEach((f) => { f.hidden = f.dataset.for !== action.value; });
  action.addEventListener("change", fit);
  fit();
});
// Live: the page follows what it shows (body[data-live]) and the user's
// notifications through one Server-Sent Events stream. An event only
// says what changed; the page fetches it through the usual request.
document.addEventListener("DOMContentLoaded", () => {
  const body = document.body;
  const topics = (body.dataset.live || "").split(" ").filter(Boolean);
  if (body.dataset.user) topics.push("user:" + body.dataset.user);
  if (!topics.length || !window.EventSource) return;
  const url = "/live?" + topics.map((t) => "topic=" + encodeURIComponent(t)).join("&");
  const heard = new Set();
  let timer = null, stream = null;
  const hear = (e) => {
    heard.add(e.data);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const changed = [...heard];
      heard.clear();
      if (changed.some((t) => t.startsWith("user:"))) bell();
      if (changed.some((t) => !t.startsWith("user:"))) refresh();
    }, 300);
  };
  const open = () => {
    stream = new EventSource(url);
    // Work in progress (an import, a rescore) may have moved, or ended,
    // between the page's rendering and the stream's opening (or while a
    // dropped stream reconnected), and its events are not sent again: a
    // page showing some catches up each time its stream opens.
    stream.addEventListener("open", () => {
      body.dataset.liveOpen = "1";
      if (document.querySelector("[data-refresh]")) refresh();
    });
    stream.addEventListener("change", hear);
  };
  const close = () => { if (stream) stream.close(); stream = null; delete body.dataset.liveOpen; };
  // A page no one sees closes its stream: a browser opens only six
  // connections to a site over HTTP/1.1, and streams held by hidden tabs
  // or pages left behind would starve the tab in use. Seen again, the
  // page opens it anew and catches up on what it missed.
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", (e) => { if (e.persisted && !stream) { open(); bell(); refresh(); } });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) close();
    else if (!stream) { open(); bell(); refresh(); }
  });
  if (!document.hidden) open();
});
// bell shows the unread count the server answers.
async function bell() {
  const res = await fetch("/notifications/unread", { headers: { Accept: "application/json" } });
  if (!res.ok) return;
  const { unread, label } = await res.json();
  const link = document.getElementById("bell");
  if (!link) return;
  let count = link.querySelector(".count");
  if (!unread) { if (count) count.remove(); return; }
  if (!count) { count = document.createElement("span"); count.className = "count"; link.append(" ", count); }
  count.textContent = unread;
  count.setAttribute("aria-label", label);
}
// refresh brings the page's changing parts up to date. The lead list
// says how many new leads match rather than moving rows under the
// user's eyes; other pages swap their live regions for the server's
// current ones, except a region the user is typing in.
async function refresh() {
  const banner = document.getElementById("new-leads");
  if (banner) {
    const q = new URLSearchParams(banner.dataset.query);
    q.set("since", banner.dataset.since);
    const res = await fetch("/leads/new-count?" + q, { headers: { Accept: "application/json" } });
    if (!res.ok) return;
    const { count, text } = await res.json();
    if (!count) return;
    banner.querySelector("a").textContent = text;
    banner.hidden = false;
    return;
  }
  const regions = document.querySelectorAll("[data-live-region]");
  if (!regions.length) return;
  const res = await fetch(location.href, { headers: { Accept: "text/html" } });
  if (!res.ok) return;
  const fresh = new DOMParser().parseFromString(await res.text(), "text/html");
  regions.forEach((r) => {
    if (r.contains(document.activeElement)) return;
    const next = fresh.querySelector('[data-live-region="' + r.dataset.liveRegion + '"]');
    if (next) r.replaceWith(next);
  });
}
// A form refused comes back with its faults marked: the first of them
// gets the keyboard, and so the screen, unless the page chose another
// field (a long page otherwise opens at its top, the faults below).
document.addEventListener("DOMContentLoaded", () => {
  if (document.querySelector("[autofocus]")) return;
  const first = document.querySelector('main [aria-invalid="true"]');
  if (first) first.focus();
});
