// Talking to the service: every /v1 call with the reader's key, an upload with its progress, and signing in and out
// (the key is kept in sessionStorage, or localStorage when "remember" is ticked). An error the service sends reads
// in the page's language (its message or message_zh). Built on page.js; it draws nothing but the sign-in view.
"use strict";

class ApiError extends Error {
  constructor(status, body) {
    const err = body && body.error;
    super(err ? (state.lang === "zh" && err.message_zh ? err.message_zh : err.message) : `HTTP ${status}`);
    this.status = status;
    this.code = err && err.code;
  }
}

async function api(method, path, { json, raw } = {}) {
  const headers = { Authorization: `Bearer ${state.key}` };
  let body;
  if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  let res;
  try {
    res = await fetch(path, { method, headers, body });
  } catch (e) {
    throw new Error(t("network"));
  }
  if (res.status === 401 && state.key) { signOut(t("bad_key")); throw new ApiError(401, null); }
  if (!res.ok) {
    let data = null;
    try { data = await res.json(); } catch (e) { /* not JSON */ }
    throw new ApiError(res.status, data);
  }
  if (raw) return res;
  return res.status === 204 ? null : res.json();
}

function uploadOne(claimId, file, onProgress) {
  // XMLHttpRequest rather than fetch: it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/v1/claims/${encodeURIComponent(claimId)}/files`);
    xhr.setRequestHeader("Authorization", `Bearer ${state.key}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { /* empty */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new Error(t("network")));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

async function signIn(key, remember) {
  state.key = key.trim();
  try {
    await api("GET", "/v1/claims?limit=1");
  } catch (e) {
    state.key = null;
    const box = $("signin-error");
    box.textContent = e.status === 401 || e.status === undefined ? t("bad_key") : e.message;
    box.hidden = false;
    return;
  }
  (remember ? localStorage : sessionStorage).setItem("evidence.key", state.key);
  $("view-signin").hidden = true;
  $("view-app").hidden = false;
  $("sign-out").hidden = false;
  await loadClaims();
  const wanted = claimInUrl();
  if (wanted) await openClaim(wanted);
  else show(state.claims.length ? "view-empty" : "view-new");
}

function signOut(message) {
  state.key = null;
  closeClaim();
  localStorage.removeItem("evidence.key");
  sessionStorage.removeItem("evidence.key");
  $("view-app").hidden = true;
  $("sign-out").hidden = true;
  $("view-signin").hidden = false;
  const box = $("signin-error");
  box.hidden = !message;
  box.textContent = message || "";
}
