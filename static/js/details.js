/* List and Details View: the person opened is marked current, and Up/Down in the list or
   the pane move to the next or previous person. */
(function (app) {
  "use strict";

  function movePerson(step) {
    var links = app.$all("[data-person-link]");
    if (!links.length) return;
    var from = links.indexOf(document.activeElement);
    if (from === -1) from = links.findIndex(function (a) { return a.getAttribute("aria-current") === "true"; });
    var next = from === -1 ? links[0] : links[Math.max(0, Math.min(links.length - 1, from + step))];
    if (next && next !== links[from]) { next.click(); next.focus(); }
  }

  function markCurrentPerson(link) {
    app.$all("[data-person-link]").forEach(function (a) {
      var on = a === link;
      if (on) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
      a.closest("li").classList.toggle("current", on);
    });
    var r = app.region();
    if (r) r.classList.add("has-person");
  }

  app.onClick("[data-person-link]", markCurrentPerson);
  app.onKey(function (event) {
    var t = event.target;
    if (!((event.key === "ArrowDown" || event.key === "ArrowUp") && t.closest && t.closest("[data-people-list], #details"))) return false;
    if (t.matches("input, select, textarea")) return true;
    event.preventDefault();
    movePerson(event.key === "ArrowDown" ? 1 : -1);
    return true;
  });
})(window.MyPeople);
