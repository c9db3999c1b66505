// leadflow tracking: <script src="https://LEADFLOW/t.js" async></script>
// Keeps a first-party visitor id in a cookie of this site, reports each
// page view, and offers leadflow.track("ebook_download") for the rest.
// When the visitor fills a leadflow form, what they did before counts.
(function () {
  var script = document.currentScript;
  var endpoint = new URL(script.src).origin + "/t/collect";
  function visitor() {
    var m = document.cookie.match(/(?:^|; )lf_vid=([^;]+)/);
    if (m) return m[1];
    var id = "v" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    document.cookie = "lf_vid=" + id + "; path=/; max-age=" + 60 * 60 * 24 * 395 + "; SameSite=Lax";
    return id;
  }
  function send(type, props) {
    var body = JSON.stringify({ visitor_id: visitor(), type: type, url: location.href, properties: props || {} });
    fetch(endpoint, { method: "POST", mode: "cors", keepalive: true, headers: { "Content-Type": "application/json" }, body: body })
      .catch(function () {});
  }
  window.leadflow = { track: send, visitorId: visitor };
  send(/\/pricing/i.test(location.pathname) ? "pricing_page_view" : "page_view");
})();
