/* My People: the namespace the other scripts share (window.MyPeople), small DOM helpers,
   and one listener each for clicks and keys that hands events to the modules.
   Scripts, in the order base.html loads them (deferred): core, menu, dialog, selection,
   keys, list, disclosure, details. The server does every check again.
   The words these scripts show are in the page, rendered by the server in its language
   (data- attributes beside where they are shown); the scripts only fill in {placeholders}. */
(function () {
  "use strict";

  var clickHandlers = [];   // [selector, handler(element, event)], first match wins
  var elsewhere = [];       // handler(target) for clicks on none of those
  var keyHandlers = [];     // handler(event) -> true when it took the key

  var app = window.MyPeople = {
    $: function (selector, root) { return (root || document).querySelector(selector); },
    $all: function (selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); },
    /* The list the selection is about: the people page's, or another list page's (Discovered People) that says so. */
    region: function () { return document.getElementById("people-region") || document.querySelector("[data-selection-region]"); },

    /* What the people page shows: its audience, search and filter, and how many match. */
    context: function () {
      var r = app.region();
      if (!r) return null;
      return { audience: r.dataset.audience, q: r.dataset.q || "", stage: r.dataset.stage || "",
               blocked: r.dataset.blocked || "", total: parseInt(r.dataset.total || "0", 10) };
    },

    /* Words from the page with their {name} placeholders filled in from values. */
    fill: function (words, values) {
      return words.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? String(values[name]) : whole; });
    },

    onClick: function (selector, handler) { clickHandlers.push([selector, handler]); },
    onClickElsewhere: function (handler) { elsewhere.push(handler); },
    onKey: function (handler) { keyHandlers.push(handler); }
  };

  document.addEventListener("click", function (event) {
    var t = event.target;
    var el = t.closest(clickHandlers.map(function (h) { return h[0]; }).join(", "));
    if (!el) { elsewhere.forEach(function (handler) { handler(t); }); return; }
    for (var i = 0; i < clickHandlers.length; i += 1) {
      if (el.matches(clickHandlers[i][0])) { clickHandlers[i][1](el, event); return; }
    }
  });

  document.addEventListener("keydown", function (event) {
    for (var i = 0; i < keyHandlers.length; i += 1) if (keyHandlers[i](event)) return;
  });
})();
