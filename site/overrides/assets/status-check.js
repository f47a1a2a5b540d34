/* The status check (after form-common.js, credential.js and copy.js).
 *
 * Tracking code + status token -> POST /status -> the application's state,
 * shown with the block for it in the page (status-check.html):
 *
 *   diterima, diproses   what happens next, the history
 *   perlu_perbaikan      the staff note, what to redo, the deadline and a link
 *                        to the form page in correction mode (correction.js);
 *                        or, after the deadline, "apply again"
 *   diperbaiki           the correction is back in the queue
 *   selesai              the documents, each with "Unduh" (POST /documents,
 *                        then the short-lived link), or where and from when
 *                        to collect a card
 *   ditolak              the reason
 *
 * A status link carries the code and token in the URL fragment: read, checked
 * at once, and removed from the address bar. The credential is then kept for
 * this tab only (sessionStorage), so a reload, or coming back from the
 * correction page, shows the status again.
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var doc = P.doc, RECEIPT_KEY = P.RECEIPT_KEY, el = P.el, hiddenText = P.hiddenText, session = P.session,
    api = P.api, failureMessage = P.failureMessage, ErrorDisplay = P.ErrorDisplay, BLANK = P.BLANK;
  var credential = P.credential;
  var CORRECTED_KEY = "portal-corrected"; // set by correction.js when a correction was received
  var DAYS = ["senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"];

  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  function setText(root, attribute, values) {
    each(root, "[" + attribute + "]", function (node) {
      var value = values[node.getAttribute(attribute)];
      node.textContent = value === null || value === undefined ? "" : value;
    });
  }

  function capitalise(word) {
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  function initStatus(root) {
    var form = doc.getElementById("portal-status-form");
    var result = doc.getElementById("portal-status-result");
    var apiBase = root.getAttribute("data-api");
    var formsUrl = root.getAttribute("data-forms-url");
    var officesUrl = root.getAttribute("data-offices-url");
    var errors = ErrorDisplay(root);
    var code = form.elements.namedItem("tracking_code");
    var token = form.elements.namedItem("token");
    var shown = null; // {code, token} of the status on screen

    function formUrl(formId) {
      return new URL(formsUrl.replace(/\/?$/, "/") + encodeURIComponent(formId) + "/", location.href).href;
    }

    // -- the states

    function renderCorrection(block, data) {
      var asked = data.correction;
      if (!asked) { // asked for before corrections could be sent online: the note only
        var last = (data.history || []).filter(function (h) { return h.status === "perlu_perbaikan"; }).pop();
        setText(block, "data-correction-field", { note: last ? last.note : "" });
        block.querySelector("[data-correction-open]").hidden = true;
        block.querySelector("[data-correction-closed]").hidden = true;
        return;
      }
      setText(block, "data-correction-field", asked);
      block.querySelector("[data-correction-open]").hidden = !asked.open;
      block.querySelector("[data-correction-closed]").hidden = asked.open;
      var list = block.querySelector("[data-correction-list]");
      list.textContent = "";
      asked.fields.forEach(function (f) { list.appendChild(el("li", { text: "Pertanyaan: " + f.label })); });
      asked.attachments.forEach(function (a) { list.appendChild(el("li", { text: "Dokumen: " + a.label })); });
      block.querySelector("[data-correction-link]").href = formUrl(data.form_id) + "#perbaikan";
    }

    function renderDocuments(block, data) {
      var outcome = data.result;
      setText(block, "data-result-field", outcome);
      var available = outcome.available && outcome.documents.length > 0;
      block.querySelector("[data-documents-available]").hidden = !available;
      block.querySelector("[data-documents-gone]").hidden = available;
      var list = block.querySelector("[data-documents]");
      list.textContent = "";
      outcome.documents.forEach(function (d) {
        var field = "dokumen-" + d.index;
        var button = el("button", { type: "button", className: "portal-button portal-button--small", id: "f-" + field },
          ["Unduh", hiddenText(" " + d.name)]);
        var state = el("span", { className: "portal-document__state", role: "status" });
        button.addEventListener("click", function () { download(d, button, state); });
        list.appendChild(el("li", { className: "portal-document", "data-field": field }, [
          el("span", { className: "portal-document__name", text: d.name + " (PDF, " + d.size_text + ")" }),
          button, state
        ]));
      });
    }

    function renderCard(block, data) {
      var place = data.result.collection || {};
      setText(block, "data-collection-field", place);
      block.querySelector("[data-office-link]").href =
        new URL(officesUrl.replace(/\/?$/, "/") + encodeURIComponent(place.office || "") + "/", location.href).href;
      var hours = block.querySelector("[data-collection-hours]");
      hours.textContent = "";
      var days = Object.keys(place.hours || {}).sort(function (a, b) { return DAYS.indexOf(a) - DAYS.indexOf(b); });
      days.forEach(function (day) { hours.appendChild(el("li", { text: capitalise(day) + ": " + place.hours[day] })); });
      hours.hidden = !days.length;
      block.querySelector('[data-collection-missing="hours"]').hidden = days.length > 0;
      block.querySelector('[data-collection-field="address"]').hidden = !place.address;
      block.querySelector('[data-collection-missing="address"]').hidden = !!place.address;
      var bring = block.querySelector("[data-collection-bring]");
      bring.textContent = "";
      (place.bring || []).forEach(function (item) { bring.appendChild(el("li", { text: item })); });
    }

    function renderRejection(block, data) {
      var reason = (data.history || []).filter(function (h) { return h.status === "ditolak" && h.note; }).pop();
      block.querySelector("[data-rejection-reason]").textContent = reason ? reason.note : "";
    }

    /* Which block shows: the status, and for "selesai" the kind of result. */
    function stateOf(data) {
      if (data.status === "selesai") return data.result && data.result.kind === "card" ? "selesai-card" : "selesai-document";
      return data.status;
    }

    function render(data) {
      var state = stateOf(data);
      setText(result, "data-status-field", {
        tracking_code: data.tracking_code, token: shown.token, form_title: data.form_title,
        received_at_text: data.received_at_text, status_label: data.status_label
      });
      each(result, "[data-form-link]", function (link) { link.href = formUrl(data.form_id); });
      each(result, "[data-form-title]", function (node) { node.textContent = data.form_title || ""; });
      each(result, "[data-status-state]", function (block) {
        var mine = block.getAttribute("data-status-state").split(" ").indexOf(state) >= 0;
        block.hidden = !mine;
        if (!mine) return;
        if (state === "perlu_perbaikan") renderCorrection(block, data);
        else if (state === "selesai-document" && data.result) renderDocuments(block, data);
        else if (state === "selesai-card" && data.result) renderCard(block, data);
        else if (state === "ditolak") renderRejection(block, data);
      });
      var history = result.querySelector("[data-status-history]");
      history.textContent = "";
      (data.history || []).forEach(function (h) {
        history.appendChild(el("li", {}, [
          el("strong", { text: h.status_label }), " – " + (h.at_text || ""),
          h.note ? el("p", { className: "portal-history__note", text: h.note }) : null
        ]));
      });
      var notice = result.querySelector("[data-status-notice]");
      notice.hidden = !(session.get(CORRECTED_KEY) === data.tracking_code && data.status === "diperbaiki");
      session.remove(CORRECTED_KEY);
      P.copyButtons(result);
      result.hidden = false;
      var heading = notice.hidden ? result.querySelector("#portal-status-title") : notice.querySelector("h2");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
      heading.scrollIntoView({ block: "start" });
    }

    // -- downloads

    /* A link that works for minutes, asked for on each click; the browser then
     * saves the PDF (the link answers with Content-Disposition: attachment). */
    function download(item, button, state) {
      button.disabled = true;
      state.textContent = "Menyiapkan unduhan…";
      api(apiBase, "/documents", { tracking_code: shown.code, token: shown.token, index: item.index })
        .then(function (answer) {
          button.disabled = false;
          if (answer.status === 200 && answer.data.url) {
            errors.clear();
            state.textContent = "Unduhan dimulai. Jika tidak ada berkas yang tersimpan, pilih Unduh lagi.";
            location.assign(answer.data.url);
            return;
          }
          state.textContent = "";
          errors.show([{ field: "dokumen-" + item.index, message: failureMessage(answer) }]);
        });
    }

    // -- checking

    function check() {
      result.hidden = true;
      var problems = [];
      var normal = null;
      if (BLANK.test(code.value)) problems.push({ field: "tracking_code", message: "Masukkan kode pelacakan" });
      else if (!(normal = credential.normaliseTrackingCode(code.value))) {
        problems.push({ field: "tracking_code", message: "Kode pelacakan tidak dikenali. Periksa lagi 10 huruf dan angkanya, seperti K7QM-2XRD-9F" });
      }
      if (BLANK.test(token.value)) problems.push({ field: "token", message: "Masukkan token status" });
      if (errors.show(problems)) return;
      var button = form.querySelector("button[type=submit]");
      var typed = credential.displayToken(token.value);
      button.disabled = true;
      api(apiBase, "/status", { tracking_code: normal, token: typed }).then(function (answer) {
        button.disabled = false;
        if (answer.status === 200) {
          errors.clear();
          shown = { code: answer.data.tracking_code, token: typed };
          credential.remember(shown.code, shown.token);
          render(answer.data);
          return;
        }
        // 404: code and token do not match (beside the token); 429: the code is locked for a while.
        errors.show([{ field: answer.status === 404 ? "token" : null, message: failureMessage(answer) }]);
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      check();
    });

    // -- where the code and token come from

    var fromLink = credential.fromFragment(location.hash);
    if (location.hash) credential.clearFragment();
    var fromQuery = new URLSearchParams(location.search).get("kode"); // links of older receipts
    var saved = fromLink || credential.recall();
    if (saved) {
      code.value = saved.code;
      token.value = saved.token;
      check();
    } else if (fromQuery) {
      code.value = fromQuery;
      var receipt = session.get(RECEIPT_KEY);
      if (receipt && receipt.tracking_code === fromQuery) token.value = receipt.status_token || "";
    }
  }

  // ------------------------------------------------------------------ start

  var statusPage = doc.getElementById("portal-status");
  if (statusPage) initStatus(statusPage);
})();
