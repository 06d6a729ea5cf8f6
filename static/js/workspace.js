/* Back after switching workspace: the browser may show its stored copy of a page of the old
   workspace (back/forward cache, or the HTTP cache on a back_forward load). Every page's header
   says which workspace it was drawn for (data-workspace); the newest page the server drew says
   which is current (kept in localStorage). A page brought back from history for another
   workspace is asked of the server again, which draws it for the current one. */
(function () {
  "use strict";

  var KEY = "myPeople.workspace";

  function drawnFor() {
    var header = document.querySelector("header[data-workspace]");
    return header ? header.dataset.workspace : "";
  }

  function fromHistory(event) {
    if (event.persisted) return true;
    var nav = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    return !!nav && nav.type === "back_forward";
  }

  window.addEventListener("pageshow", function (event) {
    var here = drawnFor();
    if (!here) return;
    var current = null;
    try { current = window.localStorage.getItem(KEY); } catch (e) { return; }
    if (fromHistory(event) && current && current !== here) {
      document.documentElement.hidden = true;  // nothing of the old workspace shows meanwhile
      window.location.reload();
      return;
    }
    try { window.localStorage.setItem(KEY, here); } catch (e) { /* private mode: nothing to keep */ }
  });
})();
