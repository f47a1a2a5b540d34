/* The form page: answer, check, send (after form-common.js, form-checks.js,
 * uploads.js, drafts.js and, for corrections, credential.js and correction.js).
 *
 * The page is complete HTML without this script (progressive enhancement);
 * this adds what needs JavaScript:
 *
 *  - checks that mirror the server's (form-checks.js, nik.js), with the
 *    messages the definition carries, shown the GOV.UK way: an error summary
 *    at the top linking to each question, the message beside it;
 *  - a "Periksa kembali jawaban Anda" step, then sending: create, upload each
 *    file straight to storage through its presigned POST (uploads.js: progress
 *    bar, automatic retries with backoff, a "Coba lagi" button), complete;
 *  - a draft of the typed answers (drafts.js).
 *
 * One page, two modes. A new application (the default) posts to /submissions
 * and hands the receipt to the receipt page. A correction (correction.js,
 * opened from the status page) shows only the questions and attachments staff
 * asked for, posts to /corrections and returns to the status page; the
 * checks, errors and uploads are the same code.
 *
 * Nothing here writes to the console: answers are personal data.
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var doc = P.doc, RECEIPT_KEY = P.RECEIPT_KEY, MSG = P.MSG, el = P.el, hiddenText = P.hiddenText,
    domId = P.domId, session = P.session, todayWIB = P.todayWIB, formatDate = P.formatDate,
    formatBytes = P.formatBytes, apiWithRetry = P.apiWithRetry, failureMessage = P.failureMessage,
    ErrorDisplay = P.ErrorDisplay, BLANK = P.BLANK;
  var pyStrip = P.pyStrip, collapse = P.collapse, checkField = P.checkField, sniff = P.sniff,
    fileProblems = P.fileProblems, EXTENSIONS = P.EXTENSIONS;

  /* A new application: every question and attachment, a draft, the receipt at the end. */
  function applicationMode(page, definition) {
    var receiptUrl = new URL(page.getAttribute("data-receipt-url"), location.href).href;
    return {
      fields: definition.fields,
      attachments: definition.attachments,
      draft: true,
      keyName: "portal-send:" + definition.id,
      createPath: "/submissions",
      completePath: function (id) { return "/submissions/" + id + "/complete"; },
      envelope: function () { return { form_id: definition.id }; },
      sentText: "Permohonan terkirim. Membuka tanda terima…",
      finish: function (receipt) {
        session.set(RECEIPT_KEY, receipt);
        location.assign(receiptUrl);
      }
    };
  }

  // ------------------------------------------------------------------ the form page

  function initForm(page, definition, mode) {
    var form = doc.getElementById("portal-form");
    var apiBase = page.getAttribute("data-api");
    var errors = ErrorDisplay(page);
    var steps = {
      form: doc.getElementById("portal-step-form"),
      check: doc.getElementById("portal-step-check"),
      send: doc.getElementById("portal-step-send")
    };
    var ctx = { today: todayWIB(), provinces: definition.provinces };
    var fields = {};
    definition.fields.forEach(function (f) { fields[f.id] = f; });
    var chosen = {}; // attachment id -> [{file, sniffed: Promise}]
    var confirmed = {}; // "field:code" -> the answers it was confirmed for
    var draft = mode.draft ? P.Draft(definition.id, form) : null;

    // -- reading answers

    function control(id) { return form.elements.namedItem(id); }

    function firstControl() {
      return form.querySelector(".portal-field:not([hidden]) input, .portal-field:not([hidden]) select, " +
        ".portal-field:not([hidden]) textarea");
    }

    /* The answer as the API wants it: date boxes joined as YYYY-MM-DD (a
     * partly filled date stays non-ISO, so it fails as "tanggal_format"). */
    function readValue(f) {
      if (f.type === "date") {
        var parts = ["tahun", "bulan", "hari"].map(function (p) { return control(f.id + "-" + p).value.trim(); });
        if (!parts.join("")) return "";
        if (parts.some(function (p) { return !p; })) return parts.reverse().join(" ");
        var pad = function (p) { return /^[0-9]$/.test(p) ? "0" + p : p; };
        return parts[0] + "-" + pad(parts[1]) + "-" + pad(parts[2]);
      }
      var node = control(f.id);
      return node ? node.value : "";
    }

    function readValues() {
      var values = {};
      mode.fields.forEach(function (f) { values[f.id] = readValue(f); });
      return values;
    }

    // -- checking answers

    /* FormDefinition.validate in the browser: errors per field, then the NIK
     * warnings (a valid NIK that disagrees with the date of birth or sex). */
    function checkAnswers(values) {
      var items = [];
      var ok = {};
      mode.fields.forEach(function (f) {
        var code = checkField(f, values[f.id], ctx);
        if (code) items.push({ field: f.id, code: code, message: f.messages[code] || code, kind: "error" });
        else ok[f.id] = true;
      });
      mode.fields.forEach(function (f) {
        if (f.type !== "nik" || !ok[f.id] || BLANK.test(values[f.id])) return;
        var nik = window.PortalNik.parseNik(values[f.id], ctx);
        var stated = {
          birthDate: f.check_birth_date && ok[f.check_birth_date] && !BLANK.test(values[f.check_birth_date])
            ? pyStrip(values[f.check_birth_date]) : null,
          sex: f.check_sex && ok[f.check_sex] && !BLANK.test(values[f.check_sex]) ? pyStrip(values[f.check_sex]) : null
        };
        window.PortalNik.compareNik(nik, stated).forEach(function (code) {
          items.push(warning(f.id, code, f.messages[code] || code, values));
        });
      });
      return items;
    }

    // What a confirmation is about: if these answers change, it must be given again.
    function warningBasis(fieldId, values) {
      var f = fields[fieldId] || {};
      return [values[fieldId], values[f.check_birth_date] || "", values[f.check_sex] || ""].join("|");
    }

    function warning(fieldId, code, message, values) {
      var key = fieldId + ":" + code;
      return {
        field: fieldId, code: code, message: message, kind: "warning", key: key,
        confirmId: domId(fieldId) + "-confirm-" + code,
        confirmed: confirmed[key] === warningBasis(fieldId, values),
        basis: warningBasis(fieldId, values)
      };
    }

    function onConfirm(item, checked) {
      if (checked) confirmed[item.key] = item.basis; else delete confirmed[item.key];
    }

    function confirmedWarnings(values) {
      return Object.keys(confirmed).filter(function (key) {
        return confirmed[key] === warningBasis(key.split(":")[0], values);
      });
    }

    /* Every file chosen, checked against its attachment's limits (async: the
     * first bytes are read). Returns {items, declared}. */
    function checkFiles() {
      var pending = [];
      mode.attachments.forEach(function (spec) {
        (chosen[spec.id] || []).forEach(function (entry) {
          pending.push(entry.sniffed.then(function (type) { entry.type = type; }));
        });
      });
      return Promise.all(pending).then(function () {
        var items = [];
        var declared = [];
        mode.attachments.forEach(function (spec) {
          var field = "files." + spec.id;
          var entries = chosen[spec.id] || [];
          var codes = [];
          entries.forEach(function (entry) {
            fileProblems(spec, entry.file, entry.type).forEach(function (code) {
              if (codes.indexOf(code) < 0) codes.push(code);
            });
            var byName = EXTENSIONS[(entry.file.name.split(".").pop() || "").toLowerCase()];
            declared.push({
              attachment: spec.id, name: entry.file.name, size: entry.file.size,
              type: entry.type || byName || entry.file.type, file: entry.file
            });
          });
          if (entries.length < spec.min_count) codes.push("berkas_kurang");
          else if (entries.length > spec.max_count) codes.push("berkas_terlalu_banyak");
          codes.forEach(function (code) {
            items.push({ field: field, code: code, message: spec.messages[code] || code, kind: "error" });
          });
        });
        return { items: items, declared: declared };
      });
    }

    function unresolved(items) {
      return items.filter(function (i) { return i.kind !== "warning" || !i.confirmed; });
    }

    /* Order problems as the page reads: questions, then documents. */
    function byPageOrder(items) {
      var order = {};
      definition.fields.forEach(function (f, i) { order[f.id] = i; });
      definition.attachments.forEach(function (a, i) { order["files." + a.id] = 1000 + i; });
      return items.slice().sort(function (a, b) {
        var x = order[a.field] === undefined ? -1 : order[a.field];
        var y = order[b.field] === undefined ? -1 : order[b.field];
        return x - y;
      });
    }

    function showProblems(items) {
      return errors.show(byPageOrder(items), onConfirm);
    }

    // -- steps

    function showStep(name, focus) {
      Object.keys(steps).forEach(function (key) { steps[key].hidden = key !== name; });
      var base = errors.baseTitle();
      if (name !== "form") doc.title = steps[name].querySelector("h2").textContent + " – " + base;
      else if (doc.title.indexOf("Galat: ") !== 0) doc.title = base;
      if (focus !== false && name !== "form") {
        var heading = steps[name].querySelector("h2");
        heading.focus();
        heading.scrollIntoView({ block: "start" });
      }
    }

    function backToQuestions(event) {
      event.preventDefault();
      showStep("form");
      var first = firstControl();
      if (first) first.focus();
    }

    var current = null; // {values, declared} being checked or sent

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = readValues();
      var answers = checkAnswers(values);
      checkFiles().then(function (files) {
        var all = answers.concat(files.items);
        if (unresolved(all).length) { showProblems(all); return; }
        errors.clear();
        current = { values: values, declared: files.declared };
        renderCheck(values, files.declared);
        showStep("check");
        history.pushState({ portalStep: "check" }, "", mode.checkHash || "#periksa");
      });
    });

    window.addEventListener("popstate", function () {
      if (!steps.check.hidden) showStep("form");
    });

    // -- "Periksa kembali jawaban Anda"

    function displayValue(f, value) {
      if (BLANK.test(value)) return "Tidak diisi";
      if (f.type === "date") return formatDate(pyStrip(value));
      if (f.type === "choice") {
        var choice = f.choices.filter(function (c) { return c.value === pyStrip(value); })[0];
        return choice ? choice.label : value;
      }
      return f.type === "text" && f.multiline ? pyStrip(value) : collapse(value);
    }

    function changeLink(targetId, label) {
      var link = el("a", { href: "#" + targetId }, ["Ubah", hiddenText(" " + label)]);
      link.addEventListener("click", function (event) {
        event.preventDefault();
        showStep("form");
        var target = doc.getElementById(targetId);
        (target.closest(".portal-field") || target).scrollIntoView({ block: "start" });
        target.focus({ preventScroll: true });
      });
      return link;
    }

    function summaryRow(label, value, targetId) {
      return el("div", { className: "portal-summary-list__row" }, [
        el("dt", { text: label }),
        el("dd", { className: "portal-summary-list__value" }, [value]),
        el("dd", { className: "portal-summary-list__actions" }, [changeLink(targetId, label)])
      ]);
    }

    function renderCheck(values, declared) {
      var answers = doc.getElementById("portal-check-answers");
      var files = doc.getElementById("portal-check-files");
      answers.textContent = "";
      files.textContent = "";
      mode.fields.forEach(function (f) {
        answers.appendChild(summaryRow(f.label, displayValue(f, values[f.id]), domId(f.id)));
      });
      mode.attachments.forEach(function (spec) {
        var mine = declared.filter(function (d) { return d.attachment === spec.id; });
        var value = mine.length
          ? el("ul", { className: "portal-plain-list" }, mine.map(function (d) {
            return el("li", { text: d.name + " (" + formatBytes(d.size) + ")" });
          }))
          : "Tidak ada berkas";
        files.appendChild(summaryRow(spec.label, value, domId("files." + spec.id)));
      });
    }

    form.addEventListener("reset", function () { errors.clear(); });
    doc.getElementById("portal-check-back").addEventListener("click", backToQuestions);

    // -- files chosen

    form.querySelectorAll("input[type=file]").forEach(function (input) {
      var id = input.name.replace(/^files\./, "");
      var list = input.parentNode.querySelector("[data-file-list]");
      function refresh() {
        chosen[id] = Array.prototype.map.call(input.files, function (file) {
          return { file: file, sniffed: sniff(file) };
        });
        list.textContent = "";
        chosen[id].forEach(function (entry) {
          list.appendChild(el("li", { text: entry.file.name + " (" + formatBytes(entry.file.size) + ")" }));
        });
        list.hidden = !chosen[id].length;
      }
      input.addEventListener("change", refresh);
      form.addEventListener("reset", function () { setTimeout(refresh, 0); });
      if (input.files.length) refresh(); // a browser may keep files across a soft reload
    });

    // -- sending

    var sending = false;
    var sendStatus = doc.getElementById("portal-send-status");
    var sendActions = doc.getElementById("portal-send-actions");
    var sentKey = null; // the idempotency key of the last create: complete presents it as proof
    var uploads = P.UploadQueue(doc.getElementById("portal-uploads"), {
      retry: function () { send(); },
      refresh: function () { return createSubmission(); }
    });

    /* One key per set of answers and files: a retry (or a reload and a second
     * try with the same answers) gets the same submission back from the API. */
    function idempotencyKey(signature) {
      var saved = session.get(mode.keyName);
      if (saved && saved.sig === signature) return saved.key;
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      var key = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      session.set(mode.keyName, { key: key, sig: signature });
      return key;
    }

    /* A short fingerprint of the answers (FNV-1a), so the key can be reused
     * without keeping the answers themselves in yet another place. */
    function fingerprint(text) {
      var hash = 0x811c9dc5;
      for (var i = 0; i < text.length; i += 1) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
      }
      return hash.toString(16);
    }

    function requestBody(forceNewKey) {
      var files = current.declared.map(function (d) {
        return { attachment: d.attachment, name: d.name, size: d.size, type: d.type };
      });
      var signature = fingerprint(JSON.stringify([current.values, files]));
      if (forceNewKey) session.remove(mode.keyName);
      sentKey = idempotencyKey(signature);
      var body = mode.envelope();
      body.idempotency_key = sentKey;
      body.values = current.values;
      body.files = files;
      body.confirmed_warnings = confirmedWarnings(current.values);
      return body;
    }

    function setStatus(text, alert) {
      sendStatus.textContent = text;
      sendStatus.setAttribute("role", alert ? "alert" : "status");
    }

    function waitingText(wait) {
      setStatus("Koneksi terganggu. Mencoba lagi dalam " + Math.round(wait / 1000) + " detik…");
    }

    /* POST the answers; a 409 (the key was used for other answers) gets a new key once. */
    function createSubmission(retried) {
      return apiWithRetry(apiBase, mode.createPath, requestBody(retried), waitingText).then(function (answer) {
        if (answer.status === 200 || answer.status === 201) return answer.data;
        var reused = answer.data && answer.data.code === "idempotency_key_reused";
        if (answer.status === 409 && reused && !retried) return createSubmission(true);
        throw { status: answer.status, data: answer.data, message: failureMessage(answer) };
      });
    }

    /* complete's 422: a file that did not arrive whole can be sent again; any
     * other problem (wrong type, too large) needs another file: back to the form. */
    function completeRefused(offer, answer) {
      var list = (answer.data && answer.data.errors) || [];
      if (P.onlyResendable(list)) {
        list.forEach(function (e) { uploads.resend(offer.submission_id, e.index, e.message); });
        return failed(answer.data.message);
      }
      backToForm(list);
    }

    function failed(message) {
      setStatus(message, true);
      sendActions.hidden = false;
      uploads.showRetryButtons();
      sending = false;
    }

    function backToForm(list) {
      sending = false;
      showStep("form", false);
      var values = readValues();
      showProblems(list.map(function (e) {
        if (e.severity === "warning") return warning(e.field, e.code, e.message, values);
        return { field: e.field, code: e.code, message: e.message, kind: "error" };
      }));
    }

    function send() {
      if (sending || !current) return;
      sending = true;
      showStep("send");
      sendActions.hidden = true;
      setStatus("Mengirim jawaban Anda…");
      var offer;
      createSubmission().then(function (created) {
        offer = created;
        if (offer.status === "received") return finish(offer.receipt);
        if (offer.uploads.length) setStatus("Mengunggah berkas. Jangan tutup halaman ini.");
        var files = current.declared.map(function (d) { return d.file; });
        return uploads.uploadAll(offer, files).then(function (failures) {
          if (failures) {
            return failed(failures === 1 ? "1 berkas belum terkirim. Periksa koneksi internet, lalu pilih Coba lagi."
              : failures + " berkas belum terkirim. Periksa koneksi internet, lalu pilih Coba lagi.");
          }
          setStatus("Memeriksa berkas yang sudah terkirim…");
          return apiWithRetry(apiBase, mode.completePath(offer.submission_id),
            { idempotency_key: sentKey }, waitingText)
            .then(function (answer) {
              if (answer.status === 200) return finish(answer.data);
              if (answer.status === 422) return completeRefused(offer, answer);
              return failed(failureMessage(answer));
            });
        });
      }).catch(function (problem) {
        if (problem && problem.status === 422 && problem.data && problem.data.errors) return backToForm(problem.data.errors);
        failed((problem && problem.message) || MSG.server);
      });
    }

    /* Forget the draft and the key, then hand over (the receipt, or the status). */
    function finish(answer) {
      if (draft) draft.clear();
      session.remove(mode.keyName);
      setStatus(mode.sentText);
      mode.finish(answer);
    }

    doc.getElementById("portal-send").addEventListener("click", send);
    doc.getElementById("portal-send-retry").addEventListener("click", send);
    doc.getElementById("portal-send-back").addEventListener("click", backToQuestions);

    if (draft) draft.restore();
  }

  // ------------------------------------------------------------------ start

  var formPage = doc.getElementById("portal-form-page");
  if (formPage && window.PortalNik) {
    var definition = JSON.parse(doc.getElementById("portal-form-definition").textContent);
    var start = function (mode) { initForm(formPage, definition, mode); };
    if (!(P.startCorrection && P.startCorrection(formPage, definition, start))) {
      start(applicationMode(formPage, definition));
    }
  }
})();
