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
