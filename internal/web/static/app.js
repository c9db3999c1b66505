// Small conveniences; every page works without this file.
document.addEventListener("keydown", (e) => {
  // "/" jumps to the search box, as in most tools people already use.
  if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
  const q = document.getElementById("q");
  if (q) { e.preventDefault(); q.focus(); q.select(); }
});
document.addEventListener("DOMContentLoaded", () => {
  // After a refused form, put the keyboard on the list of problems.
  const errors = document.getElementById("errors");
  if (errors) errors.focus();
});
// A running import refreshes its progress every second.
document.addEventListener("DOMContentLoaded", () => {
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
