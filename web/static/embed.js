/* newsarchive embed: <script src="https://ARCHIVE/embed.js" data-q="bitcoin etf" async></script>
   (or data-view="timeline" data-params="q1=bitcoin&q2=ether" for a timeline's chart)
   puts the archive's compact search in an iframe right after the script tag, and keeps the frame
   as tall as its content (heights arrive by postMessage, accepted only from the archive). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  // data-view="timeline" or "analysis" (with data-params, the view's query string) frames
  // that view; without it, the search (its parameters as data- attributes)
  var view = script.getAttribute("data-view");
  var embedUrl = new URL(view === "timeline" || view === "analysis" ? "embed/" + view : "embed", script.src);
  var origin = embedUrl.origin;
  if (view) {
    new URLSearchParams(script.getAttribute("data-params") || "").forEach(function (value, name) {
      embedUrl.searchParams.append(name, value);
    });
  }
  var names = view ? [] : ["q", "source", "tag", "sentiment", "category", "lang", "from", "to", "sort"];
  names.forEach(function (name) {
    var value = script.getAttribute("data-" + name);
    if (!value) { return; }
    if (name === "q" || name === "from" || name === "to" || name === "sort") {
      embedUrl.searchParams.set(name, value);
    } else {
      value.split(",").forEach(function (one) {
        if (one.trim()) { embedUrl.searchParams.append(name, one.trim()); }
      });
    }
  });
  var frame = document.createElement("iframe");
  frame.src = embedUrl.href;
  frame.title = script.getAttribute("data-title") || "News archive search";
  frame.setAttribute("loading", "lazy");
  frame.className = "newsarchive-embed";
  frame.style.width = "100%";
  frame.style.maxWidth = (script.getAttribute("data-width") || "640") + "px";
  frame.style.height = "360px";
  frame.style.border = "1px solid #d0d7de";
  frame.style.borderRadius = "6px";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) { return; }
    var data = event.data;
    if (!data || data.type !== "newsarchive:height") { return; }
    var height = Number(data.height);
    if (isFinite(height) && height > 0) {
      frame.style.height = Math.min(Math.ceil(height), 4000) + "px";
    }
  });
})();
