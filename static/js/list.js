/* The people list redraws itself after every change (contactsChanged), and the selection,
   which named people as they were, starts again. */
(function (app) {
  "use strict";

  /* At the address the browser shows, not the one it was drawn at: opening a person swaps only
     the pane, and the address then names them. One redraw at a time; a change that lands while
     one is in flight (an Undo right after a change) redraws once more when it has landed. An
     htmx trigger on the region would queue the second request on the element the first swaps
     out, and htmx drops requests from removed elements: the list kept the state before the Undo. */
  var redraw = { inFlight: false, again: false };

  function redrawList() {
    var r = app.region();
    if (!r) return;
    if (redraw.inFlight) { redraw.again = true; return; }
    redraw.inFlight = true;
    htmx.ajax("GET", window.location.pathname + window.location.search, { source: r, target: r, swap: "outerHTML" })
      .catch(function () {})
      .then(function () {
        redraw.inFlight = false;
        if (redraw.again) { redraw.again = false; redrawList(); }
      });
  }

  document.body.addEventListener("contactsChanged", function () { app.selection.clear(); redrawList(); });
})(window.MyPeople);
