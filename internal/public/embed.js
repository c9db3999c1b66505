// leadflow form embed: <div data-leadflow-form="SLUG"></div> plus this
// script. It places the hosted form in an iframe, passes the page's UTM
// parameters and address along, and sizes the frame to the form.
(function () {
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  var here = new URLSearchParams(location.search);
  document.querySelectorAll("[data-leadflow-form]").forEach(function (el) {
    var q = new URLSearchParams({ embed: "1", page: location.href, referrer: document.referrer });
    var vid = document.cookie.match(/(?:^|; )lf_vid=([^;]+)/); // set by leadflow's t.js, if the site runs it
    if (vid) q.set("vid", vid[1]);
    ["utm_source", "utm_medium", "utm_campaign"].forEach(function (k) {
      if (here.get(k)) q.set(k, here.get(k));
    });
    var frame = document.createElement("iframe");
    frame.src = origin + "/f/" + encodeURIComponent(el.getAttribute("data-leadflow-form")) + "?" + q;
    frame.title = el.getAttribute("data-title") || "Contact form";
    frame.style.cssText = "width:100%;border:0;min-height:420px";
    el.appendChild(frame);
  });
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || !e.data || typeof e.data.leadflowHeight !== "number") return;
    document.querySelectorAll("iframe").forEach(function (f) {
      if (f.contentWindow === e.source) f.style.height = e.data.leadflowHeight + "px";
    });
  });
})();
