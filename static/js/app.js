/* My People: selection that survives paging, sorting and switching views; the
   bulk menu; server-rendered dialogs. The server does every check again.

   The selection is either ticked ids, or "everyone in the audience under the search
   and filter" less the people unticked since (excluded). It travels to the server
   in the hidden #selection-form, always in a POST body: thousands of ids do not fit
   in an address. */
(function () {
  "use strict";

  var STORE = "my-people-selection";
  var state = null;
  var lastClicked = null;

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function region() { return document.getElementById("people-region"); }

  function context() {
    var r = region();
    if (!r) return null;
    return { audience: r.dataset.audience, q: r.dataset.q || "", stage: r.dataset.stage || "",
             blocked: r.dataset.blocked || "", total: parseInt(r.dataset.total || "0", 10) };
  }

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
    var ctx = context();
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
  function rows() { return $all("[data-select-row]"); }
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
    $all("[data-select-page]").forEach(function (page) {
      var all = boxes.length > 0 && checked === boxes.length;
      var some = checked > 0 && !all;
      page.checked = all;
      page.indeterminate = some;
      page.setAttribute("aria-checked", some ? "mixed" : String(all));
    });
    renderBanner(boxes.length, checked);
    renderBulkButton();
    fillSelectionForm();
  }

  function renderBanner(onPage, checked) {
    var banner = $("[data-select-banner]");
    if (!banner) return;
    var ctx = context();
    var pageFull = onPage > 0 && checked === onPage;
    var text = $("[data-banner-text]", banner);
    var selectAll = $("[data-select-all]", banner);
    var clear = $("[data-clear-selection]", banner);
    if (state.mode === "all") {
      banner.hidden = false;
      var left = state.excluded.length;
      text.textContent = "All " + ctx.total + " people are selected" + (left ? " except " + left : "") + ".";
      selectAll.hidden = true;
      clear.hidden = false;
    } else if (pageFull && ctx.total > onPage) {
      banner.hidden = false;
      text.textContent = "All " + onPage + " on this page are selected.";
      selectAll.hidden = false;
      clear.hidden = false;
    } else {
      banner.hidden = true;
    }
  }

  function renderBulkButton() {
    var bulk = $("[data-bulk]");
    if (!bulk) return;
    var n = selectedCount();
    bulk.hidden = n === 0;
    var button = $("[data-bulk-button]", bulk);
    button.setAttribute("aria-label", "Bulk actions, " + n + " selected");
    $("[data-bulk-count]", bulk).textContent = String(n);
    if (n === 0) closeMenu(false);
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
    if (state.mode === "all" && selectedCount() === 0) state = fresh(context());
  }

  function onRowChange(box, shift) {
    var boxes = rows();
    var index = boxes.indexOf(box);
    if (shift && lastClicked !== null && boxes[lastClicked]) {
      var from = Math.min(lastClicked, index), to = Math.max(lastClicked, index);
      for (var i = from; i <= to; i += 1) setSelected(rowId(boxes[i]), box.checked);
    } else {
      setSelected(rowId(box), box.checked);
    }
    lastClicked = index;
    dropEmptySelectAll();
    save();
    render();
  }

  function onPageChange(page) {
    var on = page.checked;
    rows().forEach(function (box) { setSelected(rowId(box), on); });
    dropEmptySelectAll();
    save();
    render();
  }

  function clearSelection() {
    state = fresh(context());
    save();
    render();
  }

  /* ---- Bulk Actions menu ---- */
  function menu() { return document.getElementById("bulk-menu"); }
  function menuItems() { return $all("[role=menuitem]", menu()); }

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

  /* ---- Dialogs rendered by the server ---- */
  function slot() { return document.getElementById("dialog-slot"); }

  function openDialog() {
    var dialog = $("[data-dialog]", slot());
    if (!dialog) return;
    // Wire its hx- attributes now, not at settle: Enter must not submit a plain form first.
    if (window.htmx) window.htmx.process(dialog);
    if (!dialog.open) dialog.showModal();
    var focus = $("[data-typed-count]", dialog) || $("select", dialog) || $("[data-confirm]:not([disabled])", dialog) || $("[data-dialog-cancel]", dialog);
    if (focus) focus.focus();
  }

  function returnFocus() {
    var button = $("[data-bulk-button]");
    var undo = $("#status [data-undo]");
    if (button && !$("[data-bulk]").hidden) button.focus();
    else if (undo) undo.focus();
    else { var main = document.getElementById("main"); if (main) main.focus(); }
  }

  function closeDialog() {
    var dialog = $("[data-dialog]", slot());
    if (dialog && dialog.open) dialog.close();
    slot().innerHTML = "";
    returnFocus();
  }

  function narrow(button) {
    var ctx = context();
    if (button.dataset.narrowIds) {
      state = fresh(ctx);
      state.ids = button.dataset.narrowIds.split(",").map(function (v) { return parseInt(v, 10); });
      save();
      closeDialog();
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

  function showStatus(text) {
    var status = document.getElementById("status");
    if (!status) return;
    status.innerHTML = "";
    var p = document.createElement("p");
    p.className = "status-text error";
    p.textContent = text;
    status.appendChild(p);
  }

  /* ---- List and Details View: Up/Down move through people ---- */
  function movePerson(step) {
    var links = $all("[data-person-link]");
    if (!links.length) return;
    var from = links.indexOf(document.activeElement);
    if (from === -1) from = links.findIndex(function (a) { return a.getAttribute("aria-current") === "true"; });
    var next = from === -1 ? links[0] : links[Math.max(0, Math.min(links.length - 1, from + step))];
    if (next && next !== links[from]) { next.click(); next.focus(); }
  }

  function markCurrentPerson(link) {
    $all("[data-person-link]").forEach(function (a) {
      var on = a === link;
      if (on) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
      a.closest("li").classList.toggle("current", on);
    });
    var r = region();
    if (r) r.classList.add("has-person");
  }

  /* ---- Wiring ---- */
  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches("[data-select-row]")) onRowChange(t, t.dataset.shift === "1");
    else if (t.matches("[data-select-page]")) onPageChange(t);
  });

  document.addEventListener("click", function (event) {
    var t = event.target;
    if (t.matches("[data-select-row]")) { t.dataset.shift = event.shiftKey ? "1" : "0"; return; }
    var el = t.closest("[data-select-all], [data-clear-selection], [data-bulk-button], [role=menuitem], [data-dialog-cancel], [data-narrow], [data-dismiss-status], [data-disclosure-button], [data-person-link]");
    if (!el) {
      if (!t.closest("#bulk-menu")) closeMenu(false);
      var open = $("[data-disclosure-panel]:not([hidden])");
      if (open && !t.closest("[data-disclosure]")) toggleDisclosure(open.closest("[data-disclosure]"), false);
      return;
    }
    if (el.matches("[data-select-all]")) {
      state = everyone(context());
      save();
      render();
    } else if (el.matches("[data-clear-selection]")) clearSelection();
    else if (el.matches("[data-bulk-button]")) { if (menu().hidden) openMenu(); else closeMenu(true); }
    else if (el.matches("[role=menuitem]")) { if (el.getAttribute("aria-disabled") !== "true") closeMenu(false); }
    else if (el.matches("[data-dialog-cancel]")) closeDialog();
    else if (el.matches("[data-narrow]")) narrow(el);
    else if (el.matches("[data-dismiss-status]")) document.getElementById("status").innerHTML = "";
    else if (el.matches("[data-disclosure-button]")) toggleDisclosure(el.closest("[data-disclosure]"));
    else if (el.matches("[data-person-link]")) markCurrentPerson(el);
  });

  function toggleDisclosure(root, force) {
    var button = $("[data-disclosure-button]", root);
    var panel = $("[data-disclosure-panel]", root);
    var open = force === undefined ? panel.hidden : force;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) { var first = $("a", panel); if (first) first.focus(); }
  }

  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (t.closest && t.closest("#bulk-menu")) { onMenuKey(event); return; }
    if (event.key === "Escape") {
      var open = $("[data-disclosure-panel]:not([hidden])");
      if (open) { toggleDisclosure(open.closest("[data-disclosure]"), false); $("[data-disclosure-button]", open.closest("[data-disclosure]")).focus(); }
      return;
    }
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && t.closest && t.closest("[data-people-list], #details")) {
      if (t.matches("input, select, textarea")) return;
      event.preventDefault();
      movePerson(event.key === "ArrowDown" ? 1 : -1);
    }
  });

  document.addEventListener("input", function (event) {
    var t = event.target;
    if (!t.matches("[data-typed-count]")) return;
    var confirm = $("[data-confirm]", t.form);
    if (confirm) confirm.disabled = t.value.trim() !== t.dataset.typedCount;
  });

  /* Escape on a modal dialog: cancel, and clean up so the next dialog starts fresh. */
  document.addEventListener("cancel", function (event) {
    if (event.target.matches && event.target.matches("[data-dialog]")) { event.preventDefault(); closeDialog(); }
  }, true);

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "dialog-slot") {
      if ($("[data-dialog]", target)) openDialog(); else returnFocus();
    }
  });

  document.body.addEventListener("htmx:afterSettle", function () { render(); });

  /* ---- The list redraws itself after every change (contactsChanged) ----
     At the address the browser shows, not the one it was drawn at: opening a person swaps only
     the pane, and the address then names them. One redraw at a time; a change that lands while
     one is in flight (an Undo right after a change) redraws once more when it has landed. An
     htmx trigger on the region would queue the second request on the element the first swaps
     out, and htmx drops requests from removed elements: the list kept the state before the Undo. */
  var redraw = { inFlight: false, again: false };

  function redrawList() {
    var r = region();
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

  document.body.addEventListener("contactsChanged", function () { clearSelection(); redrawList(); });

  /* ---- Requests that fail before the app could answer ----
     Only the app's own dialogs go into the dialog slot. Anything else there (gunicorn's
     "URI Too Long", a proxy's 413 or 502, a CSRF page) is replaced by a plain message. */
  function forDialogSlot(detail) { return detail.target && detail.target.id === "dialog-slot"; }

  function isOwnDialog(xhr) {
    var text = xhr && xhr.status ? xhr.responseText : "";
    return !!text && !!new DOMParser().parseFromString(text, "text/html").querySelector("[data-dialog]");
  }

  function failureReason(status) {
    if (status === 413 || status === 414 || status === 431) return "The selection was too large to send to the server. Tick fewer people, or use \u201cSelect all\u201d.";
    if (status >= 500) return "Something went wrong on the server.";
    if (status >= 400) return "The server refused the request (error " + status + "). Reload the page and try again.";
    return "The server could not be reached. Check your connection and try again.";
  }

  /* Showing a dialog or a refused request changed nothing; a confirm that failed on the
     way back may have been carried out (whole: each change is one transaction). */
  function failureOutcome(status, detail) {
    var config = detail.requestConfig || {};
    var path = (detail.pathInfo && detail.pathInfo.requestPath) || config.path || "";
    var onlyLooked = config.verb === "get" || /\/dialog\/$/.test(path.split("?")[0]);
    if (onlyLooked || (status >= 400 && status < 500)) return "Nothing was changed.";
    return "Nothing was half-done: reload the page to see whether the change was made.";
  }

  function showFailureDialog(status, detail) {
    var template = document.getElementById("request-failed");
    if (!template) return;
    var old = $("[data-dialog]", slot());
    if (old && old.open) old.close();
    slot().innerHTML = "";
    slot().appendChild(template.content.cloneNode(true));
    $("[data-failure-reason]", slot()).textContent = failureReason(status);
    $("[data-failure-outcome]", slot()).textContent = failureOutcome(status, detail);
    openDialog();
  }

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (forDialogSlot(detail) && detail.xhr.status >= 400 && !isOwnDialog(detail.xhr)) detail.shouldSwap = false;
  });

  function onFailure(event) {
    var detail = event.detail;
    var xhr = detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (status >= 400 && isOwnDialog(xhr)) return;  // the server's own message is shown
    if (forDialogSlot(detail)) { showFailureDialog(status, detail); return; }
    if (status >= 400 && status < 500) return;
    showStatus("Something went wrong and nothing was changed. Please try again.");
  }
  document.body.addEventListener("htmx:responseError", onFailure);
  document.body.addEventListener("htmx:sendError", onFailure);

  document.addEventListener("DOMContentLoaded", render);
  if (document.readyState !== "loading") render();
})();
