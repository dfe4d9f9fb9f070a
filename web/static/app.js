/* newsarchive: small niceties on top of htmx. Everything works without this file. */
(function () {
  "use strict";

  function isTyping(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // "/" jumps to the search box, as on many search sites
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    var box = document.getElementById("q");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  // tell assistive technology that the results are being replaced
  document.addEventListener("htmx:beforeRequest", function () {
    var area = document.getElementById("results-area");
    if (area) { area.setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("htmx:afterRequest", function () {
    var area = document.getElementById("results-area");
    if (area) { area.removeAttribute("aria-busy"); }
  });

  // inside an iframe made by /embed.js: report our height so the parent page can size the frame
  function reportHeight() {
    var root = document.getElementById("embed-root");
    if (!root || window.parent === window) { return; }
    var height = Math.ceil(root.getBoundingClientRect().height + 2);
    window.parent.postMessage({ type: "newsarchive:height", height: height }, "*");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("embed-root");
    if (!root || window.parent === window) { return; }
    reportHeight();
    if (window.ResizeObserver) {
      new ResizeObserver(reportHeight).observe(root);
    }
    document.addEventListener("htmx:afterSettle", reportHeight);
  });
})();
