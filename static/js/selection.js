/* The selection, which survives paging, sorting and switching views: the row ticks (Shift
   for a range), the page tick, the select-all banner, the selection line above the list
   ("4 selected · Clear"), and the exceptions unticked since. Clicks and the keyboard
   (js/keys.js, through app.selection.toggle) come through the same code.

   The selection is either ticked ids, or "everyone in the audience under the search
   and filter" less the people unticked since (excluded). It travels to the server
   in the hidden #selection-form, always in a POST body: thousands of ids do not fit
   in an address. */
(function (app) {
  "use strict";

  var $ = app.$;
  var STORE = "my-people-selection";
  var state = null;
  var lastTicked = null;  // the id of the row ticked or unticked last: where a Shift range starts

  function fresh(ctx) {
    return { audience: ctx.audience, mode: "ids", ids: [], excluded: [], q: ctx.q, stage: ctx.stage, blocked: ctx.blocked, total: ctx.total };
  }

  function everyone(ctx) {
    var all = fresh(ctx);
    all.mode = "all";
    return all;
  }

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE)); } catch (e) { return null; }
  }

  function save() {
    try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode: keep it in memory */ }
  }

  function sameFilter(a, b) { return a.q === b.q && a.stage === b.stage && a.blocked === b.blocked; }

  /* The selection belongs to one audience; "everyone" also to one search and filter. */
  function syncWithPage() {
    var ctx = app.context();
    if (!ctx) return false;
    state = state || load();
    if (!state || state.audience !== ctx.audience) state = fresh(ctx);
    state.excluded = state.excluded || [];  // a selection saved before exclusions existed
    if (state.mode === "all") {
      if (!sameFilter(state, ctx)) state = fresh(ctx);
      else state.total = ctx.total;
    }
    save();
    return true;
  }

  function selectedCount() { return state.mode === "all" ? Math.max(0, state.total - state.excluded.length) : state.ids.length; }
  function isSelected(id) { return state.mode === "all" ? state.excluded.indexOf(id) === -1 : state.ids.indexOf(id) !== -1; }
  function rows() { return app.$all("[data-select-row]"); }
  function rowId(box) { return parseInt(box.value, 10); }

  function render() {
    if (!syncWithPage()) return;
    var boxes = rows();
    var checked = 0;
    boxes.forEach(function (box) {
      box.checked = isSelected(rowId(box));
      if (box.checked) checked += 1;
      var row = box.closest("tr, li");
      if (row) row.classList.toggle("selected", box.checked);
    });
    app.$all("[data-select-page]").forEach(function (page) {
      var all = boxes.length > 0 && checked === boxes.length;
      var some = checked > 0 && !all;
      page.checked = all;
      page.indeterminate = some;
      page.setAttribute("aria-checked", some ? "mixed" : String(all));
    });
    renderBanner(boxes.length, checked);
    renderLine();
    app.menu.showCount(selectedCount());
    fillSelectionForm();
  }

  /* The banner's words are the server's, counted for this page (data-all, data-all-except, data-page). */
  function renderBanner(onPage, checked) {
    var banner = $("[data-select-banner]");
    if (!banner) return;
    var ctx = app.context();
    var pageFull = onPage > 0 && checked === onPage;
    var text = $("[data-banner-text]", banner);
    var selectAll = $("[data-select-all]", banner);
    var clear = $("[data-clear-selection]", banner);
    if (state.mode === "all") {
      banner.hidden = false;
      var left = state.excluded.length;
      text.textContent = left ? app.fill(text.dataset.allExcept, { left: left }) : text.dataset.all;
      selectAll.hidden = true;
      clear.hidden = false;
    } else if (pageFull && ctx.total > onPage) {
      banner.hidden = false;
      text.textContent = text.dataset.page;
      selectAll.hidden = false;
      clear.hidden = false;
    } else {
      banner.hidden = true;
    }
  }

  /* "4 selected", "All 262 selected", "All 262 selected except 3": the server's words, both forms
     of the count the page cannot know (data-one, data-other) and the select-all ones counted. */
  function renderLine() {
    var line = $("[data-selection-line]");
    if (!line) return;
    var text = $("[data-selection-text]", line);
    var n = selectedCount();
    var words = "";
    if (state.mode === "all") words = state.excluded.length ? app.fill(text.dataset.allExcept, { left: state.excluded.length }) : text.dataset.all;
    else if (n > 0) words = app.fill(n === 1 ? text.dataset.one : text.dataset.other, { n: n });
    if (text.textContent !== words) text.textContent = words;
    line.classList.toggle("is-empty", n === 0);
    $("[data-selection-rest]", line).hidden = n === 0;
  }

  function fillSelectionForm() {
    var form = document.getElementById("selection-form");
    if (!form) return;
    form.elements.audience.value = state.audience;
    form.elements.selection.value = state.mode;
    form.elements.ids.value = state.mode === "ids" ? state.ids.join(",") : "";
    form.elements["except"].value = state.mode === "all" ? state.excluded.join(",") : "";
    form.elements.q.value = state.mode === "all" ? state.q : "";
    form.elements.stage.value = state.mode === "all" ? state.stage : "";
    form.elements.blocked.value = state.mode === "all" ? state.blocked : "";
  }

  /* Ticked ids list who is in; with "everyone", the excluded list who is out. */
  function setSelected(id, on) {
    var list = state.mode === "all" ? state.excluded : state.ids;
    var wanted = state.mode === "all" ? !on : on;
    var at = list.indexOf(id);
    if (wanted && at === -1) list.push(id);
    if (!wanted && at !== -1) list.splice(at, 1);
  }

  /* "Everyone except everyone" is no one. */
  function dropEmptySelectAll() {
    if (state.mode === "all" && selectedCount() === 0) state = fresh(app.context());
  }

  function onRowChange(box, shift) {
    var boxes = rows();
    var index = boxes.indexOf(box);
    var from = shift && lastTicked !== null ? boxes.findIndex(function (b) { return rowId(b) === lastTicked; }) : -1;
    if (from !== -1) {
      var to = index;
      if (from > to) { var swap = from; from = to; to = swap; }
      for (var i = from; i <= to; i += 1) setSelected(rowId(boxes[i]), box.checked);
    } else {
      setSelected(rowId(box), box.checked);
    }
    lastTicked = rowId(box);
    dropEmptySelectAll();
    save();
    render();
  }

  /* A row's tick flipped from the keyboard, as a click (extend: as a Shift-click) would. */
  function toggle(box, extend) {
    box.checked = !box.checked;
    onRowChange(box, extend);
  }

  function onPageChange(page) {
    var on = page.checked;
    rows().forEach(function (box) { setSelected(rowId(box), on); });
    dropEmptySelectAll();
    save();
    render();
  }

  function clearSelection() {
    state = fresh(app.context());
    save();
    render();
  }

  /* "Select only the … who cannot be …" in a dialog: the ids it names, or a new select-all. */
  function narrow(button) {
    var ctx = app.context();
    if (button.dataset.narrowIds) {
      state = fresh(ctx);
      state.ids = button.dataset.narrowIds.split(",").map(function (v) { return parseInt(v, 10); });
      save();
      app.dialog.close();
      render();
      return;
    }
    /* A new select-all over a new filter: the server says which of the people unticked are among
       those who cannot (they stay unticked); the others are not in it at all. */
    var excluded = button.dataset.narrowExcept;
    state = everyone(ctx);
    state.blocked = button.dataset.narrowBlocked;
    state.excluded = excluded ? excluded.split(",").map(function (v) { return parseInt(v, 10); }) : [];
    save();
    var url = new URL(window.location.href);
    url.searchParams.set("blocked", button.dataset.narrowBlocked);
    url.searchParams.delete("page");
    window.location.assign(url.toString());
  }

  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches("[data-select-row]")) onRowChange(t, t.dataset.shift === "1");
    else if (t.matches("[data-select-page]")) onPageChange(t);
  });

  /* The click comes before its change: remember whether Shift was held. */
  app.onClick("[data-select-row]", function (box, event) { box.dataset.shift = event.shiftKey ? "1" : "0"; });
  app.onClick("[data-select-all]", function () {
    state = everyone(app.context());
    save();
    render();
  });
  app.onClick("[data-clear-selection]", clearSelection);
  app.onClick("[data-narrow]", narrow);

  document.body.addEventListener("htmx:afterSettle", function () { render(); });

  app.selection = { render: render, clear: clearSelection, toggle: toggle, count: function () { return state ? selectedCount() : 0; } };

  document.addEventListener("DOMContentLoaded", render);
  if (document.readyState !== "loading") render();
})(window.MyPeople);
