// Edit and Delete for the open claim: PATCH /v1/claims/{id} from a small dialog, DELETE /v1/claims/{id} once the
// reader says yes in the page's own dialog (ask). The claim's "opened at" is shown and read in the zone the reader
// chose (wallClock / fromWallClock), like every time on the page; the words are catalogue labels ([claim_edit] and
// the shared [web] and [terms]). Built on page.js, dialogs.js, api.js and claims.js; it adds two buttons to the
// claim's header and changes nothing else on the page.
"use strict";

const BUNDLE_LANGS = ["en", "de", "fr", "ja", "zh"];  // the languages a bundle's cover is written in

function field(key, input, hint = null) {
  return [el("label", { for: input.id, i18n: key }), hint ? el("div", {}, input, hint) : input];
}

function select(id, options, value) {
  return el("select", { id }, ...options.map(([v, text]) => el("option", { value: v, text, selected: v === value })));
}

// What the form holds, as the PATCH body would carry it; opened_at as typed (a wall-clock time in the page's zone).
function editValues(inputs) {
  return {
    order_id: inputs.order_id.value.trim(), reason: inputs.reason.value, marketplace: inputs.marketplace.value,
    opened_at: inputs.opened_at.value, tracking: inputs.tracking.value.split(/[\s,;]+/).filter(Boolean),
    bundle_lang: inputs.bundle_lang.value, timezone: inputs.timezone.value.trim() || null,
  };
}

// Only what changed is sent: an untouched "opened at" keeps its seconds, which the minute-wide field drops.
function changes(claim, values, openedShown) {
  const body = { ...values };
  if (values.opened_at === openedShown) delete body.opened_at;
  else body.opened_at = values.opened_at ? fromWallClock(values.opened_at, state.tz).toISOString() : null;
  for (const k of Object.keys(body)) if (JSON.stringify(body[k]) === JSON.stringify(claim[k] ?? null)) delete body[k];
  return body;
}

function editDialog() {
  const c = state.claim;
  const openedShown = c.opened_at ? wallClock(Date.parse(c.opened_at), state.tz) : "";
  const zones = zoneChoices();
  const error = el("p", { class: "error span2", hidden: true });
  const inputs = {
    order_id: el("input", { id: "e-order", value: c.order_id, required: true, maxlength: "64" }),
    reason: select("e-reason", REASONS.map((r) => [r, t(`r_${r}`)]), c.reason),
    marketplace: select("e-market", Object.keys(MARKETS).map((k) => [k, marketName(k)]), c.marketplace),
    opened_at: el("input", { id: "e-opened", type: "datetime-local", value: openedShown }),
    tracking: el("input", { id: "e-tracking", value: (c.tracking || []).join(" ") }),
    bundle_lang: select("e-lang", BUNDLE_LANGS.map((l) => [l, languageName(l)]), c.bundle_lang),
    timezone: el("input", { id: "e-tz", value: c.timezone || "", maxlength: "64", list: "e-tz-choices" }),
  };
  const dialog = el("dialog", { class: "card edit-claim" });
  const form = el("form", { class: "form-grid" },
    el("h2", { class: "span2", i18n: "claim_edit.title" }),
    field("order_id", inputs.order_id), field("reason", inputs.reason), field("marketplace", inputs.marketplace),
    field("opened_at", inputs.opened_at, el("p", { class: "hint", text: t("opened_hint", { z: zoneLabel() }) })),
    field("tracking_optional", inputs.tracking), field("claim_edit.bundle_lang", inputs.bundle_lang),
    field("claim_edit.timezone", inputs.timezone, el("p", { class: "hint", i18n: "claim_edit.timezone_hint" })),
    el("datalist", { id: "e-tz-choices" }, ...zones.map((z) => el("option", { value: z }))),
    error,
    el("div", { class: "span2 actions" },
      el("button", { type: "button", i18n: "cancel", onclick: () => dialog.close() }),
      el("button", { type: "submit", class: "primary", i18n: "claim_edit.save" })));
  form.addEventListener("submit", guard(async (event) => {
    event.preventDefault();
    const body = changes(c, editValues(inputs), openedShown);
    try {
      if (Object.keys(body).length) await api("PATCH", `/v1/claims/${encodeURIComponent(c.id)}`, { json: body });
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      return;
    }
    dialog.close();
    toast(t("claim_edit.saved"));
    await refreshClaim();
  }));
  dialog.append(form);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  inputs.order_id.focus();
}

async function deleteClaim() {
  const c = state.claim;
  if (!c || !(await ask(t("claim_edit.confirm_delete", { o: c.order_id }), t("claim_edit.delete")))) return;
  await api("DELETE", `/v1/claims/${encodeURIComponent(c.id)}`);
  closeClaim();
  await loadClaims();
  show("view-empty");
  toast(t("claim_edit.deleted"));
}

function addEditButtons() {
  // data-i18n (through el's i18n): setLang relabels them on every switch, like the rest of the page.
  const edit = el("button", { type: "button", id: "edit-claim", i18n: "claim_edit.edit",
    onclick: () => state.claim && editDialog() });
  const del = el("button", { type: "button", id: "delete-claim", class: "danger", i18n: "claim_edit.delete",
    onclick: guard(deleteClaim) });
  document.querySelector("#view-claim .claim-head").append(el("div", { class: "actions claim-actions" }, edit, del));
}

document.addEventListener("DOMContentLoaded", addEditButtons);
