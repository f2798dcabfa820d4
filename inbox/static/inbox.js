// Live refresh without reloading: every element with data-poll is replaced by the server's
// fragment every data-every seconds (a 304 changes nothing). The server renders and escapes
// the fragment; nothing here builds HTML from data.
(function () {
  "use strict";
  function poll(element) {
    var url = element.getAttribute("data-poll");
    var every = Math.max(1, parseInt(element.getAttribute("data-every") || "3", 10)) * 1000;
    var etag = null;
    function tick() {
      var headers = etag ? { "If-None-Match": etag } : {};
      fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
        .then(function (reply) {
          if (reply.status === 200) {
            etag = reply.headers.get("ETag");
            return reply.text().then(function (html) {
              if (element.innerHTML.trim() !== html.trim()) {
                var list = element.querySelector(".transcript");
                var atEnd = !list || list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
                element.innerHTML = html;
                if (atEnd) { toEnd(element); }
              }
            });
          }
          if (reply.status === 401 || reply.redirected) {
            window.location.reload(); // the session ended: show the login page
          }
        })
        .catch(function () { /* offline for a moment: try again next time */ })
        .finally(function () { window.setTimeout(tick, every); });
    }
    window.setTimeout(tick, every);
  }
  function toEnd(element) {
    // The newest message is what a coordinator needs: keep the transcript scrolled to it.
    var list = element.querySelector(".transcript");
    if (list) { list.scrollTop = list.scrollHeight; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(toEnd);
    document.querySelectorAll("[data-poll]").forEach(poll);
  });
})();
