/* Online applications in the browser, shared part: helpers, the API, GOV.UK errors.
 *
 * Loaded before form.js (the form page), receipt.js and status-check.js, which
 * take what they need from window.PortalForm; the build bundles each page's
 * files into one script (site/portal/assets.py).
 *
 * Nothing here writes to the console: answers are personal data.
 */
(function () {
  "use strict";

  var doc = document;
  doc.documentElement.classList.add("portal-js");

  var UPLOAD_TRIES = 3; // per file, before the "Coba lagi" button shows
  var API_TRIES = 3; // create and complete, on network errors and 5xx
  var RETRY_BASE_MS = 1000; // waits 1 s, 2 s, ... between tries
  var DRAFT_MAX_AGE_MS = 30 * 24 * 3600 * 1000; // a kept draft older than this is dropped
  var RECEIPT_KEY = "portal-receipt";
  var MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
    "September", "Oktober", "November", "Desember"];
  var MSG = {
    network: "Koneksi internet terputus atau server tidak menjawab. Isian Anda belum hilang; periksa koneksi lalu pilih Coba lagi.",
    server: "Terjadi kesalahan pada server. Isian Anda belum hilang; coba lagi beberapa saat lagi.",
    summaryErrors: "Ada yang perlu diperbaiki",
    summaryWarnings: "Periksa lagi sebelum melanjutkan",
    confirm: "Ya, sudah saya periksa dan keduanya benar"
  };

  // ------------------------------------------------------------------ helpers

  /* Build an element; text goes in as text nodes, never as HTML (file names
   * and answers are the resident's own input). */
  function el(tag, attrs, children) {
    var node = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? doc.createTextNode(child) : child);
    });
    return node;
  }

  function hiddenText(text) {
    return el("span", { className: "portal-visually-hidden", text: text });
  }

  function domId(field) {
    return "f-" + field.replace(/\./g, "-");
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  /* Web storage can be switched off or full: never let that break the form. */
  function store(kind) {
    var area = null;
    try { area = window[kind]; } catch (e) { area = null; }
    return {
      get: function (key) {
        try { return area ? JSON.parse(area.getItem(key) || "null") : null; } catch (e) { return null; }
      },
      set: function (key, value) {
        try { if (area) area.setItem(key, JSON.stringify(value)); } catch (e) { /* full or blocked */ }
      },
      remove: function (key) {
        try { if (area) area.removeItem(key); } catch (e) { /* blocked */ }
      }
    };
  }
  var session = store("sessionStorage");
  var local = store("localStorage");

  /* Today's date in Asia/Jakarta as YYYY-MM-DD, as the server decides "today". */
  function todayWIB() {
    if (window.PORTAL_TODAY) return window.PORTAL_TODAY;
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Jakarta", year: "numeric", month: "2-digit", day: "2-digit"
    }).format(new Date());
  }

  function formatDate(iso) {
    var p = iso.split("-");
    return parseInt(p[2], 10) + " " + MONTHS[parseInt(p[1], 10) - 1] + " " + parseInt(p[0], 10);
  }

  /* Same wording as chalicelib.fields.format_bytes: "5 MB", "1,5 MB", "200 KB". */
  function formatBytes(size) {
    var mb = size >= 1024 * 1024;
    var amount = (size / (mb ? 1024 * 1024 : 1024)).toFixed(1).replace(/\.0$/, "").replace(".", ",");
    return amount + (mb ? " MB" : " KB");
  }

  /* POST JSON to the API. text/plain keeps a cross-origin call free of a CORS
   * preflight (one round trip less on mobile data); the API reads JSON either way. */
  function api(base, path, body) {
    return fetch(base.replace(/\/+$/, "") + path, {
      method: "POST",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: body === undefined ? "" : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }, function () {
      return { status: 0, data: {} }; // offline, DNS, connection reset
    });
  }

  /* Call the API, trying again with exponential backoff while the failure is
   * the network's or the server's (status 0 or 5xx). */
  function apiWithRetry(base, path, body, onWait) {
    var attempt = 0;
    function run() {
      attempt += 1;
      return api(base, path, body).then(function (answer) {
        var transient = answer.status === 0 || answer.status >= 500;
        if (!transient || attempt >= API_TRIES) return answer;
        var wait = RETRY_BASE_MS * Math.pow(2, attempt - 1);
        if (onWait) onWait(wait);
        return sleep(wait).then(run);
      });
    }
    return run();
  }

  function failureMessage(answer) {
    if (answer.status === 0) return MSG.network;
    return (answer.data && answer.data.message) || MSG.server;
  }

  // ------------------------------------------------------------------ GOV.UK errors

  /* The error summary and the messages beside each question, for one page.
   * Items: {field, message, kind: "error"|"warning", confirmId?, confirmed?}. */
  function ErrorDisplay(page) {
    var slot = page.querySelector("[data-error-summary]");
    var baseTitle = doc.title;

    function describedTarget(group) {
      return group.querySelector("fieldset") || group.querySelector("input, select, textarea");
    }

    function clear() {
      slot.textContent = "";
      page.querySelectorAll(".portal-error-message, .portal-confirm").forEach(function (n) { n.remove(); });
      page.querySelectorAll(".portal-field--error").forEach(function (n) { n.classList.remove("portal-field--error"); });
      page.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
      page.querySelectorAll("[data-described]").forEach(function (n) {
        var base = n.getAttribute("data-described");
        if (base) n.setAttribute("aria-describedby", base); else n.removeAttribute("aria-describedby");
        n.removeAttribute("data-described");
      });
      doc.title = baseTitle;
    }

    function describe(node, id) {
      if (!node.hasAttribute("data-described")) node.setAttribute("data-described", node.getAttribute("aria-describedby") || "");
      var ids = (node.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      ids.push(id);
      node.setAttribute("aria-describedby", ids.join(" "));
    }

    // The message goes after the hint (or the label), before the control.
    function insertMessage(group, node) {
      var container = group.querySelector("fieldset") || group;
      var after = container.querySelector(".portal-hint") || container.querySelector("legend, label");
      if (after && after.parentNode === container) container.insertBefore(node, after.nextSibling);
      else container.insertBefore(node, container.firstChild);
    }

    function inlineError(group, item) {
      var id = domId(item.field) + "-error";
      var message = el("p", { className: "portal-error-message", id: id }, [hiddenText("Galat: "), item.message]);
      insertMessage(group, message);
      group.classList.add("portal-field--error");
      var target = describedTarget(group);
      if (target) describe(target, id);
      group.querySelectorAll("input:not([type=checkbox]), select, textarea").forEach(function (n) {
        n.setAttribute("aria-invalid", "true");
      });
    }

    // A warning the resident confirms with a tick (NIK vs date of birth or sex).
    function inlineWarning(group, item, onConfirm) {
      var messageId = item.confirmId + "-message";
      var box = el("input", { type: "checkbox", id: item.confirmId, "aria-describedby": messageId });
      box.checked = !!item.confirmed;
      box.addEventListener("change", function () { onConfirm(item, box.checked); });
      group.appendChild(el("div", { className: "portal-confirm" }, [
        el("p", { className: "portal-confirm__message", id: messageId }, [hiddenText("Periksa: "), item.message]),
        el("div", { className: "portal-checkbox" }, [box, el("label", { "for": item.confirmId, text: MSG.confirm })])
      ]));
    }

    function focusTarget(id) {
      var target = doc.getElementById(id);
      if (!target) return;
      var group = target.closest(".portal-field") || target;
      group.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    }

    /* Show the items; returns false when there is nothing to show. */
    function show(items, onConfirm) {
      clear();
      if (!items.length) return false;
      var hasErrors = items.some(function (i) { return i.kind !== "warning"; });
      var seen = {};
      var links = [];
      items.forEach(function (item) {
        var group = item.field ? page.querySelector('[data-field="' + item.field + '"]') : null;
        if (group && item.kind === "warning") inlineWarning(group, item, onConfirm);
        else if (group && !seen[item.field]) { seen[item.field] = true; inlineError(group, item); }
        if (item.kind === "warning" && item.confirmed) return; // ticked already: beside the field only
        var target = item.kind === "warning" ? item.confirmId : group ? domId(item.field) : null;
        var link = target ? el("a", { href: "#" + target, text: item.message }) : doc.createTextNode(item.message);
        if (target) {
          link.addEventListener("click", function (event) { event.preventDefault(); focusTarget(target); });
        }
        links.push(el("li", {}, [link]));
      });
      var title = el("h2", { className: "portal-error-summary__title", id: "portal-error-summary-title",
        text: hasErrors ? MSG.summaryErrors : MSG.summaryWarnings });
      var summary = el("div", {
        className: "portal-error-summary" + (hasErrors ? "" : " portal-error-summary--warning"),
        role: "alert", tabindex: "-1", "aria-labelledby": "portal-error-summary-title"
      }, [title, el("ul", { className: "portal-error-summary__list" }, links)]);
      slot.appendChild(summary);
      if (hasErrors) doc.title = "Galat: " + baseTitle;
      summary.focus();
      summary.scrollIntoView({ block: "start" });
      return true;
    }

    return { show: show, clear: clear, baseTitle: function () { return baseTitle; } };
  }

  // ------------------------------------------------------------------ shared

  var PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var BLANK = new RegExp("^[" + PY_SPACE + "]*$");

  window.PortalForm = {
    doc: doc,
    UPLOAD_TRIES: UPLOAD_TRIES,
    API_TRIES: API_TRIES,
    RETRY_BASE_MS: RETRY_BASE_MS,
    DRAFT_MAX_AGE_MS: DRAFT_MAX_AGE_MS,
    RECEIPT_KEY: RECEIPT_KEY,
    MONTHS: MONTHS,
    MSG: MSG,
    el: el,
    hiddenText: hiddenText,
    domId: domId,
    sleep: sleep,
    store: store,
    session: session,
    local: local,
    todayWIB: todayWIB,
    formatDate: formatDate,
    formatBytes: formatBytes,
    api: api,
    apiWithRetry: apiWithRetry,
    failureMessage: failureMessage,
    ErrorDisplay: ErrorDisplay,
    PY_SPACE: PY_SPACE,
    BLANK: BLANK
  };
})();
