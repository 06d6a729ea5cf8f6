/* List and Details View: the person opened is marked current. (Up/Down and j/k through the
   list, which open the next or previous person, are js/keys.js's.) */
(function (app) {
  "use strict";

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
})(window.MyPeople);
