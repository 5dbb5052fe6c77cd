// Draft reply for the open claim: POST /v1/claims/{id}/reply-draft, then the draft in the buyer's language in a
// copyable textarea, the Chinese beside it, and what is missing. The words are the catalogue's [reply_draft] labels
// (shared with `evidence reply`); language names too. Built on page.js, dialogs.js and api.js; it adds one card at
// the end of the claim view, redraws it on `langchange`, forgets a draft on `claimchange`, and changes nothing else.
"use strict";

const DRAFT_LANGS = ["en", "de", "fr", "it", "es", "ja", "zh"];  // the languages a draft can be written in
const draftState = { claimId: null, draft: null };

function draftOptions(id, values) {
  return el("select", { id }, ...values.map((v) => el("option", { value: v })));
}

function buildDraftCard() {
  const card = el("section", { id: "reply-draft", class: "card" },
    el("h2", { i18n: "reply_draft.web_title" }),
    el("p", { class: "muted small", i18n: "reply_draft.web_help" }),
    el("div", { class: "draft-controls" },
      el("label", { for: "draft-lang", i18n: "reply_draft.web_lang" }), draftOptions("draft-lang", ["", ...DRAFT_LANGS]),
      el("label", { for: "draft-remedy", i18n: "reply_draft.web_remedy" }), draftOptions("draft-remedy", ["", "refund", "reship", "none"]),
      el("label", { for: "draft-tone", i18n: "reply_draft.web_tone" }), draftOptions("draft-tone", ["full", "brief"]),
      el("label", { class: "check" }, el("input", { id: "draft-appeal", type: "checkbox" }), el("span", { i18n: "reply_draft.web_appeal" })),
      el("button", { type: "button", id: "draft-reply", class: "primary", i18n: "reply_draft.web_button", onclick: guard(makeDraft) })),
    el("p", { id: "draft-error", class: "error", hidden: true }),
    el("div", { id: "draft-out", hidden: true }));
  $("view-claim").append(card);
  onLangChange(() => { labelDraftOptions(); renderDraft(); });
  // Another claim opened (or none): what is shown belongs to the one before.
  document.addEventListener("claimchange", () => { if (draftState.claimId) clearDraft(); });
}

function labelDraftOptions() {
  for (const o of $("draft-lang").options) o.textContent = o.value ? languageName(o.value) : t("reply_draft.web_auto_lang");
  for (const o of $("draft-remedy").options) o.textContent = t(`reply_draft.web_${o.value || "auto_remedy"}`);
  for (const o of $("draft-tone").options) o.textContent = t(`reply_draft.web_${o.value}`);
}

function clearDraft() {
  draftState.claimId = null;
  draftState.draft = null;
  $("draft-out").hidden = true;
  $("draft-out").replaceChildren();
  $("draft-error").hidden = true;
}

async function makeDraft() {
  if (!state.claim) return;
  const claimId = state.claim.id;
  const body = { tone: $("draft-tone").value, appeal: $("draft-appeal").checked };
  if ($("draft-lang").value) body.lang = $("draft-lang").value;
  if ($("draft-remedy").value) body.remedy = $("draft-remedy").value;
  clearDraft();
  draftState.claimId = claimId;  // what is shown (a draft or why there is none) belongs to this claim
  let draft;
  try {
    draft = await api("POST", `/v1/claims/${encodeURIComponent(claimId)}/reply-draft`, { json: body });
  } catch (e) {
    if (e.status === 401 || !state.claim || state.claim.id !== claimId) return;
    $("draft-error").textContent = e.message;
    $("draft-error").hidden = false;
    return;
  }
  if (!state.claim || state.claim.id !== claimId) return;
  draftState.draft = draft;
  renderDraft();
}

function noteList(notes, cls) {
  return el("ul", { class: "findings" },
    ...notes.map((n) => el("li", { class: cls, "data-code": n.code, text: state.lang === "zh" ? n.message_zh : n.message })));
}

async function copyDraft() {
  const box = $("draft-text");
  try {
    await navigator.clipboard.writeText(box.value);
  } catch (e) {  // no clipboard permission: the old way still copies a selection
    box.select();
    document.execCommand("copy");
  }
  toast(t("reply_draft.web_copied"));
}

function renderDraft() {
  const d = draftState.draft, out = $("draft-out");
  if (!d) return;
  const edited = $("draft-text") ? $("draft-text").value : d.text;  // a language switch keeps the seller's edits
  const buyer = el("div", { class: "draft-col" },
    el("h3", { text: t("reply_draft.web_buyer", { language: languageName(d.lang) }) }),
    el("textarea", { id: "draft-text", rows: "12", lang: d.lang, spellcheck: "false" }),
    el("div", { class: "actions" },
      el("button", { type: "button", id: "draft-copy", i18n: "reply_draft.web_copy", onclick: guard(copyDraft) }),
      el("button", { type: "button", id: "draft-use", i18n: "reply_draft.web_use",
        onclick: () => { $("c-reply").value = $("draft-text").value; toast(t("reply_draft.web_used")); } })));
  const zh = el("div", { class: "draft-col" }, el("h3", { i18n: "reply_draft.web_zh" }),
    el("div", { id: "draft-zh", class: "draft-zh", lang: "zh-CN", text: d.text_zh }));
  out.replaceChildren(...[  // replaceChildren would write a null as the text "null"
    d.report_current ? null : el("p", { class: "error", i18n: "reply_draft.web_stale" }),
    el("div", { class: "draft-pair" }, buyer, d.lang === "zh" ? null : zh),
    el("h3", { i18n: d.missing.length ? "reply_draft.missing" : "reply_draft.complete" }),
    d.missing.length ? noteList(d.missing, "warning") : null,
    d.next_steps.length ? el("h3", { i18n: "reply_draft.next_steps" }) : null,
    d.next_steps.length ? noteList(d.next_steps, "info") : null].filter(Boolean));
  $("draft-text").value = edited;  // a property, not an attribute: the seller may edit it before copying
  out.hidden = false;
}

document.addEventListener("DOMContentLoaded", buildDraftCard);
