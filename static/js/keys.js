/* Keyboard shortcuts of the people list, in both views: "/" goes to the search, j/k (or the
   arrow keys, once the focus is in the list) move between people, x ticks the person (Shift+x
   ticks everyone from the last one ticked), Escape clears the selection, "?" shows them all
   (contacts/shortcuts.html). None fire while typing in a field, with Ctrl, Meta or Alt held,
   or while a dialog or a menu is open (Escape is then theirs). Ticking goes through
   app.selection, as a click does, so the counts, the banner and the round button follow.

   Moving puts the focus on the person's checkmark in the Table View (Space or x ticks it) and
   on their link in the List and Details View, where it also opens them, as a click would:
   the pane beside the list is there to show the person you are on.

   Also the live search's letters typed while an answer is on its way, and the mark that the
   page runs scripts (html.js), so what is only for pages without them (the Search button:
   the search is live) can go. */
(function (app) {
  "use strict";

  var $ = app.$;
  var NOT_TYPING = /^(checkbox|radio|button|submit|reset|image)$/;  // inputs that take no text
  var lastRowId = null;  // the row the focus was last in, for j/k after the focus went elsewhere

  document.documentElement.classList.add("js");

  function typing(t) {
    if (!t || !t.matches) return false;
    if (t.isContentEditable || t.matches("textarea, select")) return true;
    return t.matches("input") && !NOT_TYPING.test(t.type);
  }

  /* A dialog or a menu (the bulk menu, the audience switcher, any disclosure) is open. */
  function somethingOpen() {
    return !!document.querySelector("dialog[open], [aria-haspopup][aria-expanded=true], [data-disclosure-button][aria-expanded=true]");
  }

  function rows() {
    var region = app.region();
    if (!region) return [];
    return app.$all("[data-select-row]", region).map(function (box) { return box.closest("[data-id]"); }).filter(Boolean);
  }

  /* The row the keyboard is on: the one with the focus, else the one it was last in, else the open person. */
  function currentIndex(list) {
    var at = list.findIndex(function (row) { return row.contains(document.activeElement); });
    if (at === -1 && lastRowId !== null) at = list.findIndex(function (row) { return row.dataset.id === lastRowId; });
    if (at === -1) at = list.findIndex(function (row) { return row.classList.contains("current"); });
    return at;
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var from = currentIndex(list);
    var to = from === -1 ? 0 : Math.max(0, Math.min(list.length - 1, from + step));
    var row = list[to];
    var link = $("[data-person-link]", row);
    if (link && (to !== from || link.getAttribute("aria-current") !== "true")) link.click();
    (link || $("[data-select-row]", row)).focus();
    lastRowId = row.dataset.id;
  }

  function tick(extend) {
    var list = rows();
    var at = currentIndex(list);
    if (at === -1) return;
    app.selection.toggle($("[data-select-row]", list[at]), extend);
  }

  function focusSearch() {
    var search = searchBox();
    if (!search) return false;
    search.focus();
    search.select();
    return true;
  }

  /* ---- the shortcuts dialog: a native modal, so Escape closes it and the focus comes back ---- */
  function help() { return $("[data-shortcuts]"); }

  function showHelp() {
    var dialog = help();
    if (!dialog) return false;
    dialog.showModal();
    return true;
  }

  app.onClick("[data-shortcuts-close]", function () { help().close(); });
  app.onClick("[data-shortcuts-open]", showHelp);

  var inList = "#people-region [data-id], #details";
  var keys = {
    "/": focusSearch,
    "?": showHelp,
    j: function () { move(1); return true; },
    k: function () { move(-1); return true; },
    x: function (event) { tick(event.shiftKey); return true; },
    ArrowDown: function (event) { if (!event.target.closest(inList)) return false; move(1); return true; },
    ArrowUp: function (event) { if (!event.target.closest(inList)) return false; move(-1); return true; },
    Escape: function () {
      if (!app.selection.count()) return false;
      app.selection.clear();
      return true;
    }
  };

  app.onKey(function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return false;
    if (!app.region() || typing(event.target) || somethingOpen()) return false;
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var handler = Object.prototype.hasOwnProperty.call(keys, key) ? keys[key] : null;
    if (!handler || !handler(event)) return false;
    event.preventDefault();
    return true;
  });

  /* ---- the live search ----
     Its answer replaces the whole region, search box included (htmx keeps the focus and the
     caret). Letters typed while it was on its way are not in that answer: they are put back
     and searched for in turn. Only what differs from what was sent is put back, and only what
     differs from what the server answered for is searched for, so a search the server words
     differently (trimmed, cut short) never searches again. */
  var typedMeanwhile = null;
  function searchBox() { return $("#people-region [role=search] input[type=search]"); }

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var box = searchBox();
    var sent = event.detail.requestConfig && event.detail.requestConfig.formData;
    typedMeanwhile = null;
    if (!box || box !== document.activeElement || !event.detail.target.contains(box)) return;
    if (!sent || typeof sent.get !== "function" || sent.get(box.name) === null) return;
    if (box.value !== sent.get(box.name)) typedMeanwhile = box.value;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var box = searchBox();
    if (typedMeanwhile === null || !box || !event.target.contains(box)) return;
    box.value = typedMeanwhile;
    box.setSelectionRange(box.value.length, box.value.length);
  });
  /* Searched for once htmx listens to the new form (at settle): what was put back, and what was
     typed between the swap and then. As a submit: htmx took the box's value at settle as the one
     an "input changed" compares with. */
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var box = searchBox();
    if (!box || !event.target.contains(box)) return;
    typedMeanwhile = null;
    if (box === document.activeElement && box.value !== box.defaultValue && box.form) box.form.requestSubmit();
  });

  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("#people-region [data-id]");
    if (row) lastRowId = row.dataset.id;
  });
})(window.MyPeople);
