/* Dialogs rendered by the server into #dialog-slot: opened as modals with the focus on what
   to do next, closed by Cancel or Escape with the focus given back; the typed count that
   enables a confirm; and what is shown when a request fails before the app could answer. */
(function (app) {
  "use strict";

  var $ = app.$;

  function slot() { return document.getElementById("dialog-slot"); }

  // The control that asked for the dialog again (a stage picked): the new dialog gives it the focus back.
  var refocusId = "";

  function openDialog() {
    var dialog = $("[data-dialog]", slot());
    if (!dialog) return;
    // Wire its hx- attributes now, not at settle: Enter must not submit a plain form first.
    if (window.htmx) window.htmx.process(dialog);
    if (!dialog.open) dialog.showModal();
    var again = refocusId && document.getElementById(refocusId);
    refocusId = "";
    var focus = (again && dialog.contains(again) && again) || $("[data-typed-count]", dialog) ||
      $("[data-confirm]:not([disabled])", dialog) || $("select", dialog) || $("[data-dialog-cancel]", dialog);
    // The buttons stay in view below the scrolling body; focusing one must not scroll the body
    // to the bottom: a long dialog opens at its top, with the question.
    if (focus) focus.focus({ preventScroll: true });
    var body = $(".dialog-body", dialog);
    if (body) body.scrollTop = 0;
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

  /* The live region says that a request failed (the words are the page's, #status-failed). */
  function showFailedStatus() {
    var status = document.getElementById("status");
    var failed = document.getElementById("status-failed");
    if (!status || !failed) return;
    status.innerHTML = "";
    status.appendChild(failed.content.cloneNode(true));
  }

  app.onClick("[data-dialog-cancel]", closeDialog);
  app.onClick("[data-dismiss-status]", function () { document.getElementById("status").innerHTML = ""; });

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

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    var old = $("[data-dialog]", slot());
    refocusId = forDialogSlot(event.detail) && old && source && old.contains(source) ? source.id : "";
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "dialog-slot") {
      if ($("[data-dialog]", target)) openDialog(); else returnFocus();
    }
  });

  /* ---- Requests that fail before the app could answer ----
     Only the app's own dialogs go into the dialog slot. Anything else there (gunicorn's
     "URI Too Long", a proxy's 413 or 502, a CSRF page) is replaced by a plain message. */
  function forDialogSlot(detail) { return detail.target && detail.target.id === "dialog-slot"; }

  function isOwnDialog(xhr) {
    var text = xhr && xhr.status ? xhr.responseText : "";
    return !!text && !!new DOMParser().parseFromString(text, "text/html").querySelector("[data-dialog]");
  }

  /* `words`: the failure template's data- attributes, rendered by the server. */
  function failureReason(words, status) {
    if (status === 413 || status === 414 || status === 431) return words.tooLarge;
    if (status >= 500) return words.serverError;
    if (status >= 400) return app.fill(words.refused, { status: status });
    return words.unreachable;
  }

  /* Showing a dialog or a refused request changed nothing; a confirm that failed on the
     way back may have been carried out (whole: each change is one transaction). */
  function failureOutcome(words, status, detail) {
    var config = detail.requestConfig || {};
    var path = (detail.pathInfo && detail.pathInfo.requestPath) || config.path || "";
    var onlyLooked = config.verb === "get" || /\/dialog\/$/.test(path.split("?")[0]);
    if (onlyLooked || (status >= 400 && status < 500)) return words.nothingChanged;
    return words.maybeChanged;
  }

  function showFailureDialog(status, detail) {
    var template = document.getElementById("request-failed");
    if (!template) return;
    var old = $("[data-dialog]", slot());
    if (old && old.open) old.close();
    slot().innerHTML = "";
    slot().appendChild(template.content.cloneNode(true));
    $("[data-failure-reason]", slot()).textContent = failureReason(template.dataset, status);
    $("[data-failure-outcome]", slot()).textContent = failureOutcome(template.dataset, status, detail);
    openDialog();
  }

  /* A 4xx answer carrying the app's own dialog (a stale confirm's 409, a form's 400) is an expected
     answer, shown as it is: not an htmx error (which htmx would log on the console). */
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr.status;
    if (!forDialogSlot(detail) || status < 400) return;
    if (!isOwnDialog(detail.xhr)) detail.shouldSwap = false;
    else if (status < 500) detail.isError = false;
  });

  function onFailure(event) {
    var detail = event.detail;
    var xhr = detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (status >= 400 && isOwnDialog(xhr)) return;  // the server's own message is shown
    if (forDialogSlot(detail)) { showFailureDialog(status, detail); return; }
    if (status >= 400 && status < 500) return;
    showFailedStatus();
  }
  document.body.addEventListener("htmx:responseError", onFailure);
  document.body.addEventListener("htmx:sendError", onFailure);

  app.dialog = { close: closeDialog };
})(window.MyPeople);
