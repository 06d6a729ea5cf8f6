/* Menu buttons: every button with aria-haspopup="menu" and aria-controls naming its [role=menu]
   (the Bulk Actions button, the header's workspace switcher and user menu). Enter, Space or a
   click opens it on its first item, ArrowDown/ArrowUp on the button open it on the first/last;
   in the menu arrow keys, Home and End move, Escape closes it and returns to the button, Tab
   closes it and moves on. One menu is open at a time.
   The Bulk Actions button also shows the selection's count (showCount). */
(function (app) {
  "use strict";

  var $ = app.$;
  var BUTTON = "[aria-haspopup=menu][aria-controls]";
  var ITEM = "[role=menuitem], [role=menuitemradio], [role=menuitemcheckbox]";

  function buttonFor(menu) { return document.querySelector(BUTTON + '[aria-controls="' + menu.id + '"]'); }
  function menuFor(button) { return document.getElementById(button.getAttribute("aria-controls")); }
  function menuItems(menu) { return app.$all(ITEM, menu); }
  function openMenus() { return app.$all("[role=menu]:not([hidden])"); }

  function openMenu(menu, last) {
    if (!menu) return;
    openMenus().forEach(function (other) { if (other !== menu) closeMenu(other, false); });
    menu.hidden = false;
    buttonFor(menu).setAttribute("aria-expanded", "true");
    var items = menuItems(menu);
    if (items.length) items[last ? items.length - 1 : 0].focus();
  }

  function closeMenu(menu, returnFocus) {
    if (!menu || menu.hidden) return;
    menu.hidden = true;
    var button = buttonFor(menu);
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
    if (n === 0) closeMenu(document.getElementById("bulk-menu"), false);
  }

  function onMenuKey(menu, event) {
    var items = menuItems(menu);
    var at = items.indexOf(document.activeElement);
    var next = null;
    if (event.key === "ArrowDown") next = items[(at + 1) % items.length];
    else if (event.key === "ArrowUp") next = items[(at - 1 + items.length) % items.length];
    else if (event.key === "Home") next = items[0];
    else if (event.key === "End") next = items[items.length - 1];
    else if (event.key === "Escape") { event.preventDefault(); closeMenu(menu, true); return; }
    else if (event.key === "Tab") { closeMenu(menu, false); return; }
    if (next) { event.preventDefault(); next.focus(); }
  }

  app.onClick(BUTTON, function (button) {
    var menu = menuFor(button);
    if (menu.hidden) openMenu(menu, false); else closeMenu(menu, true);
  });
  app.onClick(ITEM, function (el) {
    if (el.getAttribute("aria-disabled") !== "true") closeMenu(el.closest("[role=menu]"), false);
  });
  app.onClickElsewhere(function (t) {
    openMenus().forEach(function (menu) { if (!menu.contains(t)) closeMenu(menu, false); });
  });
  app.onKey(function (event) {
    var t = event.target;
    if (!t.closest) return false;
    /* Every key pressed in an open menu is the menu's. */
    var menu = t.closest("[role=menu]");
    if (menu && !menu.hidden) { onMenuKey(menu, event); return true; }
    /* ArrowDown/ArrowUp on a menu button open its menu on the first/last item. */
    if (t.matches(BUTTON) && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      openMenu(menuFor(t), event.key === "ArrowUp");
      return true;
    }
    return false;
  });

  app.menu = { showCount: showCount, open: openMenu, close: closeMenu };
})(window.MyPeople);
