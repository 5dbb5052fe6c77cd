// What the page tells the reader outside the views: a passing note (toast), a yes-or-no question in the page's own
// dialog (ask, index.html #confirm, in the page's language; never the browser's confirm()), and guard, which turns
// an action's failure into a note. Built on page.js; it calls no API.
"use strict";

function toast(message, bad = false) {
  const box = $("toast");
  box.textContent = message;
  box.className = bad ? "toast bad" : "toast";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, bad ? 7000 : 3500);
}

// Escape and Cancel answer no; resolves true only for the confirming button, labelled `yes`.
function ask(question, yes) {
  const dialog = $("confirm");
  $("confirm-text").textContent = question;
  $("confirm-ok").textContent = yes;
  $("confirm-cancel").textContent = t("cancel");
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}

function wireDialogs() {
  $("confirm-ok").addEventListener("click", () => $("confirm").close("ok"));
  $("confirm-cancel").addEventListener("click", () => $("confirm").close("cancel"));
}

// An action's failure becomes a red note (a 401 has already signed the reader out, with its own message).
function guard(fn) {
  return (...args) => Promise.resolve(fn(...args)).catch((e) => { if (e.status !== 401) toast(e.message, true); });
}

document.addEventListener("DOMContentLoaded", wireDialogs);
