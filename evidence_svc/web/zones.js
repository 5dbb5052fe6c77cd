// Time zones for the web page: which zones the picker offers, and a time written in one zone the way the CLI and
// report write it ("2026-12-05 22:35 <Beijing time in Chinese>", "2026-12-05 15:35 Europe/Berlin", "2026-12-05 14:35
// UTC"), and a typed wall-clock time read back in that zone. Pure functions over Intl; no page state, no text of its
// own (the zone's name in words comes from the label catalogue through the caller). Loaded first.
"use strict";

// The same names as evidence_svc/rules.py (BEIJING_ZONES, UTC_NAMES), so the page names a zone as the CLI does.
const BEIJING_ZONES = new Set(["Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"]);
const UTC_NAMES = new Set(["UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu",
  "GMT", "Etc/GMT"]);
// Offered besides this computer's zone: China, UTC, and the zones of the big marketplaces.
const ZONE_CHOICES = ["Asia/Shanghai", "UTC", "America/Los_Angeles", "America/New_York", "Europe/London",
  "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney"];

function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { return "UTC"; }
}

function isZone(name) {
  if (!name) return false;
  try { new Intl.DateTimeFormat("en-US", { timeZone: name }); return true; } catch (e) { return false; }
}

function zoneChoices() {
  const here = browserZone();
  return [here, ...ZONE_CHOICES.filter((z) => z !== here)];
}

function wallParts(ms, zone) {
  const fmt = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const out = {};
  for (const p of fmt.formatToParts(new Date(ms))) out[p.type] = p.value;
  out.hour = String(Number(out.hour) % 24).padStart(2, "0");  // some engines say "24" at midnight
  return out;
}

// "YYYY-MM-DDTHH:MM" on the wall clock of `zone` at instant `ms` (the value a datetime-local input takes).
function wallClock(ms, zone) {
  const p = wallParts(ms, zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

function zoneOffset(ms, zone) {
  const p = wallParts(ms, zone);
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute),
    Number(p.second));
  return wall - Math.floor(ms / 1000) * 1000;
}

// The instant a wall-clock time "YYYY-MM-DDTHH:MM" in `zone` names; null for anything else.
function fromWallClock(value, zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!m) return null;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  const first = guess - zoneOffset(guess, zone);
  return new Date(guess - zoneOffset(first, zone));  // the offset at the answer, not at the guess (DST edges)
}

// How a reader is told the zone: "UTC", the catalogue's word for Beijing time in Chinese, otherwise the IANA name.
function zoneName(zone, lang, beijingWord) {
  if (UTC_NAMES.has(zone)) return "UTC";
  if (lang === "zh" && BEIJING_ZONES.has(zone)) return beijingWord;
  return zone;
}

// An ISO instant as "YYYY-MM-DD HH:MM <zone name>".
function timeInZone(iso, zone, name) {
  return `${wallClock(new Date(iso).getTime(), zone).replace("T", " ")} ${name}`;
}
