/* Disclosures (the audience switcher): the button opens and closes its panel; a click
   outside or Escape closes it. */
(function (app) {
  "use strict";

  var $ = app.$;

  function toggleDisclosure(root, force) {
    var button = $("[data-disclosure-button]", root);
    var panel = $("[data-disclosure-panel]", root);
    var open = force === undefined ? panel.hidden : force;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) { var first = $("a", panel); if (first) first.focus(); }
  }

  app.onClick("[data-disclosure-button]", function (el) { toggleDisclosure(el.closest("[data-disclosure]")); });
  app.onClickElsewhere(function (t) {
    var open = $("[data-disclosure-panel]:not([hidden])");
    if (open && !t.closest("[data-disclosure]")) toggleDisclosure(open.closest("[data-disclosure]"), false);
  });
  /* Escape closes an open panel and goes back to its button; it is never anyone else's. */
  app.onKey(function (event) {
    if (event.key !== "Escape") return false;
    var open = $("[data-disclosure-panel]:not([hidden])");
    if (open) { toggleDisclosure(open.closest("[data-disclosure]"), false); $("[data-disclosure-button]", open.closest("[data-disclosure]")).focus(); }
    return true;
  });
})(window.MyPeople);
