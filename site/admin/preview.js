/* The preview of an announcement as residents will read it.
 *
 * The closure notice in the markup and wording of the site's macro
 * (site/overrides/portal/macros.html, closure_notice), styled by the site's own
 * CSS; then the status it produces: each office's line while it is closed, the
 * home page's summary, and what the site says today (WIB). Dates are written as
 * portal.dates writes them ("Jumat, 9 Oktober 2020"), from fixed tables.
 */

import { closureProblem, isClosure } from "./widgets.js";
import { MESSAGES } from "./messages.js";

const DAYS = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
  "Oktober", "November", "Desember"];
const SECTIONS = { kantor: "kantor", layanan: "layanan", formulir: "formulir", pengumuman: "pengumuman" };

function toDate(iso) {
  return new Date(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)));
}
function iso(date) {
  return date.toISOString().slice(0, 10);
}
function addDays(day, n) {
  const d = toDate(day);
  d.setUTCDate(d.getUTCDate() + n);
  return iso(d);
}
export function formatDate(day, { weekday = true, year = true } = {}) {
  const d = toDate(day);
  let text = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  if (year) text += ` ${d.getUTCFullYear()}`;
  return weekday ? `${DAYS[d.getUTCDay()]}, ${text}` : text;
}
export function formatRange(first, last) {
  if (first === last) return formatDate(first);
  return `${formatDate(first, { year: first.slice(0, 4) !== last.slice(0, 4) })} sampai ${formatDate(last)}`;
}
function todayWIB() {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Jakarta", year: "numeric", month: "2-digit", day: "2-digit",
  }).format(new Date());
}

/** The closure's facts, or null while it is incomplete or invalid. */
export function closureFacts(closure, data) {
  const offices = [].concat(closure.offices || []).filter(Boolean);
  if (!offices.length || !closure.first_day) return null;
  if (closureProblem(closure, "days", data.max_days) || closureProblem(closure, "last_day", data.max_days)) {
    return null;
  }
  const first = closure.first_day;
  const last = closure.last_day || addDays(first, Number(closure.days) - 1);
  const all = offices.includes("all");
  const names = Object.fromEntries(data.offices.map((o) => [o.id, o.name]));
  const chosen = all ? data.offices : offices.map((id) => ({ id, name: names[id] || id }));
  const days = Math.round((toDate(last) - toDate(first)) / 86400000) + 1;
  return { first, last, reopens: addDays(last, 1), days, all, chosen,
    label: all ? data.all_label : chosen.map((o) => o.name).join(", ") };
}

/** [teks](kantor:ID) as a link to the page it will point to. */
function inlineLinks(h, text) {
  const parts = [];
  const pattern = /\[([^\]]+)\]\(\s*(?:(kantor|layanan|formulir|pengumuman):([^)\s#]*)|([^)\s]+))\s*\)/g;
  let at = 0;
  let match;
  while ((match = pattern.exec(text))) {
    parts.push(text.slice(at, match.index));
    const href = match[2] ? `../${SECTIONS[match[2]]}/${match[3] ? `${match[3]}/` : ""}` : match[4];
    parts.push(h("a", { href, key: match.index }, match[1]));
    at = pattern.lastIndex;
  }
  parts.push(text.slice(at));
  return parts;
}

function notice(h, title, closure, facts, today) {
  const upcoming = facts.first > today;
  return h("section", { className: `portal-notice${upcoming ? " portal-notice--upcoming" : ""}` },
    h("h2", { className: "portal-notice__title" }, title || `${facts.label} tutup`),
    h("dl", { className: "portal-notice__facts" },
      h("dt", null, "Yang tutup"),
      h("dd", null, `Layanan tatap muka di ${facts.all ? facts.label.toLowerCase() : facts.label}`),
      h("dt", null, "Tanggal tutup"),
      h("dd", null, `${formatRange(facts.first, facts.last)} (${facts.days} hari)`),
      h("dt", null, "Buka kembali"),
      h("dd", null, h("strong", null, formatDate(facts.reopens))),
      h("dt", null, "Alasan"),
      h("dd", null, closure.reason || "—"),
      h("dt", null, "Yang bisa Anda lakukan"),
      h("dd", null, inlineLinks(h, closure.instead || "—"))));
}

function statusPart(h, facts, data, today) {
  const total = data.offices.length;
  const count = facts.all ? total : facts.chosen.length;
  const summary = count >= total ? "Semua kantor tutup untuk layanan tatap muka."
    : `${count} dari ${total} kantor tutup untuk layanan tatap muka.`;
  let now;
  if (today < facts.first) {
    now = `Penutupan ini tampil di beranda sebagai penutupan yang akan datang. Kantor masih buka seperti biasa sampai ${formatDate(addDays(facts.first, -1))}.`;
  } else if (today <= facts.last) {
    now = "Penutupan ini sedang berlaku: kantor di atas tertulis tutup hari ini, dan bilah pengumuman di setiap halaman menautkannya.";
  } else {
    now = "Penutupan ini sudah selesai: tidak tampil di beranda, hanya di riwayat kantor dan daftar pengumuman.";
  }
  return [
    h("h2", { key: "h" }, "Status yang ditampilkan selama penutupan"),
    h("p", { key: "s", className: `portal-summary portal-summary--${count >= total ? "major" : "minor"}` },
      summary),
    h("table", { key: "t", className: "portal-offices" },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, "Kantor"), h("th", { scope: "col" }, "Status"))),
      h("tbody", null, facts.chosen.map((o) => h("tr", { key: o.id },
        h("td", null, o.name),
        h("td", null, h("span", { className: "portal-status portal-status--closed" },
          `Tutup, buka kembali ${formatDate(facts.reopens)}`)))))),
    h("p", { key: "n", className: "portal-preview__today" }, `Hari ini, ${formatDate(today)} (WIB): ${now}`),
  ];
}

export function closurePreview(data) {
  const h = window.h;
  return function ClosurePreview({ entry, widgetFor }) {
    const values = entry.get("data").toJS();
    const closure = values.closure || {};
    const hasClosure = isClosure(closure);
    const today = window.PORTAL_TODAY || todayWIB();
    const facts = hasClosure ? closureFacts(closure, data) : null;
    return h("div", { className: "md-typeset portal-preview" },
      h("p", { className: "portal-preview__label" }, "Pratinjau: begini warga membaca pengumuman ini."),
      h("h1", null, values.title || "(judul belum diisi)"),
      !hasClosure ? h("p", null, MESSAGES.previewPlain)
        : facts ? [notice(h, values.title, closure, facts, today), ...statusPart(h, facts, data, today)]
          : h("p", { className: "portal-preview__incomplete" }, MESSAGES.previewIncomplete),
      h("h2", null, "Isi pengumuman"),
      widgetFor("body"));
  };
}
