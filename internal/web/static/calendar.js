// Rescheduling by drag on the calendar: drop an activity on another day
// (month) or hour (week). The move is sent with the version the page
// showed, so a move from a stale page is refused rather than overwriting
// someone's change; either way the page is shown again as it now is.
// Without this script, each activity's page reschedules by a form.
(function () {
  "use strict";
  var dragged = null;

  // On a phone a month's cells are too narrow to name what is in them:
  // the calendar opens as the agenda there, unless a view was chosen.
  var query = new URLSearchParams(location.search);
  if (!query.has("view") && window.matchMedia("(max-width: 600px)").matches) {
    query.set("view", "agenda");
    location.replace(location.pathname + "?" + query.toString());
    return;
  }

  function due(el, cell) {
    if (el.dataset.allDay === "true") return cell.dataset.dropDate;
    var local = el.dataset.local; // 2006-01-02T15:04
    var time = cell.dataset.dropHour ? cell.dataset.dropHour + ":" + local.slice(14, 16) : local.slice(11, 16);
    return cell.dataset.dropDate + "T" + time;
  }

  function move(el, cell) {
    var body = new URLSearchParams({ due: due(el, cell), version: el.dataset.version });
    var status = document.getElementById("cal-status");
    return fetch("/activities/" + el.dataset.activity + "/move", {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
    }).then(function (r) {
      return r.text().then(function (text) {
        sessionStorage.setItem("leadflow-cal-status", text);
        location.reload();
      });
    }).catch(function () {
      if (status) status.textContent = "The move could not be sent; try again.";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var main = document.querySelector("main");
    var status = document.createElement("p");
    status.id = "cal-status";
    status.setAttribute("role", "status");
    status.className = "sub";
    var said = sessionStorage.getItem("leadflow-cal-status");
    if (said) { status.textContent = said; sessionStorage.removeItem("leadflow-cal-status"); }
    main.insertBefore(status, main.querySelector(".cal-bar"));

    document.querySelectorAll("[data-activity]").forEach(function (el) {
      el.addEventListener("dragstart", function (e) {
        dragged = el;
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", el.dataset.activity);
      });
      el.addEventListener("dragend", function () { dragged = null; });
    });
    document.querySelectorAll("[data-drop-date]").forEach(function (cell) {
      cell.addEventListener("dragover", function (e) {
        if (!dragged) return;
        e.preventDefault();
        cell.classList.add("drop");
      });
      cell.addEventListener("dragleave", function () { cell.classList.remove("drop"); });
      cell.addEventListener("drop", function (e) {
        e.preventDefault();
        cell.classList.remove("drop");
        if (dragged) move(dragged, cell);
        dragged = null;
      });
    });
  });
})();
