/* The Bulk Actions button (shown with the count while anyone is selected) and its menu:
   arrow keys, Home and End move through it; Escape closes it and returns to the button. */
(function (app) {
  "use strict";

  var $ = app.$;

  function menu() { return document.getElementById("bulk-menu"); }
  function menuItems() { return app.$all("[role=menuitem]", menu()); }

  function openMenu() {
    var m = menu();
    if (!m) return;
    m.hidden = false;
    $("[data-bulk-button]").setAttribute("aria-expanded", "true");
    var items = menuItems();
    if (items.length) items[0].focus();
  }

  function closeMenu(returnFocus) {
    var m = menu();
    if (!m || m.hidden) return;
    m.hidden = true;
    var button = $("[data-bulk-button]");
    button.setAttribute("aria-expanded", "false");
    if (returnFocus) button.focus();
  }

  /* n people selected: the button says so, and goes (with its menu) when there are none. Its
     label comes in both forms (data-label-one, data-label-other) as the server words it. */
  function showCount(n) {
    var bulk = $("[data-bulk]");
    if (!bulk) return;
    bulk.hidden = n === 0;
    var button = $("[data-bulk-button]", bulk);
    button.setAttribute("aria-label", app.fill(n === 1 ? button.dataset.labelOne : button.dataset.labelOther, { n: n }));
    $("[data-bulk-count]", bulk).textContent = String(n);
    if (n === 0) closeMenu(false);
  }

  function onMenuKey(event) {
    var items = menuItems();
    var at = items.indexOf(document.activeElement);
    var next = null;
    if (event.key === "ArrowDown") next = items[(at + 1) % items.length];
    else if (event.key === "ArrowUp") next = items[(at - 1 + items.length) % items.length];
    else if (event.key === "Home") next = items[0];
    else if (event.key === "End") next = items[items.length - 1];
    else if (event.key === "Escape") { event.preventDefault(); closeMenu(true); return; }
    else if (event.key === "Tab") { closeMenu(false); return; }
    if (next) { event.preventDefault(); next.focus(); }
  }

  app.onClick("[data-bulk-button]", function () { if (menu().hidden) openMenu(); else closeMenu(true); });
  app.onClick("[role=menuitem]", function (el) { if (el.getAttribute("aria-disabled") !== "true") closeMenu(false); });
  app.onClickElsewhere(function (t) { if (!t.closest("#bulk-menu")) closeMenu(false); });
  /* Every key pressed in the menu is the menu's. */
  app.onKey(function (event) {
    var t = event.target;
    if (!(t.closest && t.closest("#bulk-menu"))) return false;
    onMenuKey(event);
    return true;
  });

  app.menu = { showCount: showCount };
})(window.MyPeople);
