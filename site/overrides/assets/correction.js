/* The form page in correction mode (after form-common.js and credential.js; before form.js).
 *
 * When staff set "perlu perbaikan" they name the questions and attachments the
 * resident must redo. The status page links to this form's page as
 * /formulir/<id>/#perbaikan, with the tracking code and token kept in this
 * tab's sessionStorage (credential.js), never in the URL. Here we ask the
 * status API what to correct, show the staff note, the deadline and exactly
 * those questions and file pickers (the same markup, checks and uploads as a
 * new application: form.js), and send them to /corrections. When the
 * correction is received, the status page opens and shows "Sudah diperbaiki".
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var doc = P.doc, session = P.session, apiWithRetry = P.apiWithRetry, failureMessage = P.failureMessage;
  var credential = P.credential;
  var HASH = "#perbaikan";
  var CORRECTED_KEY = "portal-corrected"; // the status page says "Perbaikan terkirim" once

  function isCorrection() {
    return location.hash.indexOf(HASH) === 0;
  }

  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  /* Show what can be done instead: the status page, or applying again. */
  function problem(page, message, applyAgain) {
    var box = page.querySelector("[data-correction-problem]");
    page.querySelector("#portal-correction-loading").hidden = true;
    box.querySelector("[data-correction-problem-text]").textContent = message;
    box.querySelector("[data-correction-apply]").hidden = !applyAgain;
    box.hidden = false;
    var heading = box.querySelector("h2");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  /* Only what staff asked for: the page's other questions and texts are hidden. */
  function showOnly(page, definition, asked) {
    var fieldIds = asked.fields.map(function (f) { return f.id; });
    var attachmentIds = asked.attachments.map(function (a) { return a.id; });
    each(page, '[data-part="fields"]', function (node) { node.hidden = !fieldIds.length; });
    each(page, '[data-part="attachments"]', function (node) { node.hidden = !attachmentIds.length; });
    each(page, "#portal-form [data-field]", function (node) {
      var id = node.getAttribute("data-field");
      var wanted = id.indexOf("files.") === 0 ? attachmentIds.indexOf(id.slice(6)) >= 0 : fieldIds.indexOf(id) >= 0;
      node.hidden = !wanted;
    });
    var fields = definition.fields.filter(function (f) { return fieldIds.indexOf(f.id) >= 0; });
    // An attachment asked for needs a new file, even one that was optional (chalicelib.corrections).
    var attachments = definition.attachments.filter(function (a) { return attachmentIds.indexOf(a.id) >= 0; })
      .map(function (a) {
        if (a.min_count >= 1) return a;
        var label = page.querySelector('[data-field="files.' + a.id + '"] .portal-label');
        if (label) label.textContent = a.label; // no "(opsional)" now
        return Object.assign({}, a, { min_count: 1 });
      });
    return { fields: fields, attachments: attachments };
  }

  function fill(page, data) {
    var values = {
      tracking_code: data.tracking_code,
      deadline_text: data.correction.deadline_text || "",
      note: data.correction.note || ""
    };
    each(page, "[data-correction-field]", function (node) {
      node.textContent = values[node.getAttribute("data-correction-field")];
    });
  }

  function correctionMode(page, saved, asked) {
    var statusUrl = new URL(page.getAttribute("data-status-url"), location.href).href;
    return {
      fields: asked.fields,
      attachments: asked.attachments,
      draft: false,
      keyName: "portal-correct:" + saved.code,
      checkHash: HASH + "-periksa",
      createPath: "/corrections",
      completePath: function (id) { return "/corrections/" + id + "/complete"; },
      envelope: function () { return { tracking_code: saved.code, token: saved.token }; },
      sentText: "Perbaikan terkirim. Membuka status permohonan…",
      finish: function () {
        session.set(CORRECTED_KEY, saved.code);
        location.assign(statusUrl);
      }
    };
  }

  /* Called by form.js; true when this page is a correction (form.js then waits for `start`). */
  function startCorrection(page, definition, start) {
    if (!isCorrection()) return false;
    var fromLink = credential.fromFragment(location.hash.slice(HASH.length));
    if (fromLink) credential.remember(fromLink.code, fromLink.token);
    if (location.hash !== HASH) credential.clearFragment(HASH);
    var step = doc.getElementById("portal-step-form");
    var intro = doc.getElementById("portal-correction");
    step.hidden = true;
    intro.hidden = false;
    each(page, "[data-application-only]", function (node) { node.hidden = true; });
    each(page, "[data-correction-only]", function (node) { node.hidden = false; });
    each(page, "[data-correction-text]", function (node) {
      node.textContent = node.getAttribute("data-correction-text");
    });
    var saved = credential.recall();
    if (!saved) {
      problem(page, "Halaman perbaikan perlu kode pelacakan dan token status Anda. Buka halaman cek " +
        "status, masukkan keduanya, lalu pilih Perbaiki permohonan.", false);
      return true;
    }
    apiWithRetry(page.getAttribute("data-api"), "/status", { tracking_code: saved.code, token: saved.token })
      .then(function (answer) {
        if (answer.status === 0) {
          return problem(page, "Koneksi internet terputus atau server tidak menjawab. Periksa koneksi, lalu " +
            "muat ulang halaman ini.", false);
        }
        if (answer.status !== 200) return problem(page, failureMessage(answer), false);
        var data = answer.data;
        var asked = data.correction;
        if (data.form_id !== definition.id || data.status !== "perlu_perbaikan" || !asked) {
          return problem(page, "Permohonan " + data.tracking_code + " sedang tidak menunggu perbaikan dari " +
            "Anda (statusnya: " + data.status_label + "). Buka halaman cek status untuk melihat keadaan terbaru.", false);
        }
        if (!asked.open) {
          return problem(page, "Batas waktu perbaikan permohonan " + data.tracking_code + " sudah lewat (" +
            asked.deadline_text + "), jadi perbaikan tidak bisa dikirim lagi lewat situs ini.", true);
        }
        fill(page, data);
        var spec = showOnly(page, definition, asked);
        doc.getElementById("portal-correction-loading").hidden = true;
        intro.querySelector("[data-correction-ready]").hidden = false;
        doc.title = "Perbaiki permohonan – " + doc.title;
        step.hidden = false;
        start(correctionMode(page, saved, spec));
      });
    return true;
  }

  P.startCorrection = startCorrection;
  P.CORRECTED_KEY = CORRECTED_KEY;
})();
