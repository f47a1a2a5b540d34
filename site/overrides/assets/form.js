/* Online applications in the browser: the form page (after form-common.js).
 *
 * The pages are complete HTML without this script (progressive enhancement);
 * this adds what needs JavaScript:
 *
 *  - checks that mirror the server's (chalicelib/fields.py, nik.py via nik.js),
 *    with the messages the definition carries, shown the GOV.UK way: an error
 *    summary at the top linking to each question, the message beside it;
 *  - a "Periksa kembali jawaban Anda" step, then sending: create the
 *    submission, upload each file straight to storage through its presigned
 *    POST (progress bar, automatic retries with backoff, a "Coba lagi" button),
 *    complete it, and open the receipt page;
 *  - a draft of the typed answers (never files) in sessionStorage, or in
 *    localStorage only if the resident asks (a warnet computer must not keep
 *    someone's NIK);
 *  - the hand-over to the receipt page (receipt.js) through sessionStorage.
 *
 * Nothing here writes to the console: answers are personal data.
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var doc = P.doc, UPLOAD_TRIES = P.UPLOAD_TRIES, RETRY_BASE_MS = P.RETRY_BASE_MS, DRAFT_MAX_AGE_MS = P.DRAFT_MAX_AGE_MS, RECEIPT_KEY = P.RECEIPT_KEY, MSG = P.MSG, el = P.el, hiddenText = P.hiddenText, domId = P.domId, sleep = P.sleep, session = P.session, local = P.local, todayWIB = P.todayWIB, formatDate = P.formatDate, formatBytes = P.formatBytes, api = P.api, apiWithRetry = P.apiWithRetry, failureMessage = P.failureMessage, ErrorDisplay = P.ErrorDisplay, PY_SPACE = P.PY_SPACE, BLANK = P.BLANK;

  // ------------------------------------------------------------------ field checks

  /* Ports of chalicelib/fields.py validators. Each returns an error code or
   * null. The server stays authoritative: its 422 answers are shown the same way. */
  var SPACES = new RegExp("[" + PY_SPACE + "]+", "g");
  var TRIM = new RegExp("^[" + PY_SPACE + "]+|[" + PY_SPACE + "]+$", "g");
  var TRIM_END = new RegExp("[" + PY_SPACE + "]+$");
  var UNSTORABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u;
  var UNSTORABLE_TEXT = /(?![\n\t])[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u;
  var LETTER = /\p{L}/u;
  var LATIN = /^(?:\p{Script=Latin}|\p{Mn})$/u;
  var EMAIL = /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$/;
  var ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

  function pyStrip(text) { return text.replace(TRIM, ""); }
  function collapse(text) { return text.split(SPACES).filter(Boolean).join(" "); }
  function length(text) { return Array.from(text).length; } // code points, like Python's len

  function daysInMonth(year, month) {
    return new Date(Date.UTC(year, month, 0)).getUTCDate();
  }

  function ageOn(born, today) {
    var b = born.split("-").map(Number);
    var t = today.split("-").map(Number);
    return t[0] - b[0] - ((t[1] < b[1] || (t[1] === b[1] && t[2] < b[2])) ? 1 : 0);
  }

  var CHECKS = {
    nik: function (f, raw, ctx) {
      return window.PortalNik.parseNik(raw, { today: ctx.today, provinces: ctx.provinces }).error;
    },
    kk: function (f, raw, ctx) {
      return window.PortalNik.parseKk(raw, { provinces: ctx.provinces }).error;
    },
    name: function (f, raw) {
      if (length(raw) > 4 * f.max_length + 100) return "nama_terlalu_panjang";
      if (UNSTORABLE.test(raw)) return "nama_karakter_tidak_valid";
      var text = collapse(raw.normalize("NFC").replace(/[\u2019\u2018\u02bc`]/g, "'"));
      for (var ch of text) {
        var latin = /^[A-Za-z]$/.test(ch) || (ch > "\x7f" && LATIN.test(ch) && (LETTER.test(ch) || /\p{Mn}/u.test(ch)));
        if (!latin && " '.,-".indexOf(ch) < 0) return "nama_karakter_tidak_valid";
      }
      if (!LETTER.test(text)) return "nama_tanpa_huruf";
      if (length(text) > f.max_length) return "nama_terlalu_panjang";
      var words = text.split(" ").filter(function (w) { return LETTER.test(w); });
      if (words.length < f.min_words) return "nama_kurang_kata";
      return null;
    },
    /* A reasonable mirror of the phonenumbers check for Indonesian numbers:
     * the server's answer decides the rare cases this gets wrong. */
    phone: function (f, raw) {
      var text = collapse(raw);
      if (/[^0-9+\-(). ]/.test(text)) return "telepon_karakter_tidak_valid";
      var digits = text.replace(/[^0-9]/g, "");
      if (text.length > 32 || digits.length < 6 || digits.length > 17) return "telepon_format";
      var national;
      if (text.charAt(0) === "+") {
        if (digits.slice(0, 2) !== "62") return "telepon_bukan_indonesia";
        national = digits.slice(2).replace(/^0/, "");
      } else if (digits.charAt(0) === "0") {
        national = digits.slice(1);
      } else if (digits.slice(0, 2) === "62" && digits.length >= 11) {
        national = digits.slice(2);
      } else {
        national = digits;
      }
      if (/^8[1-35-9][0-9]{7,10}$/.test(national)) return null; // a mobile number
      if (national.charAt(0) === "8" || !/^[2-79][0-9]{6,10}$/.test(national)) return "telepon_tidak_valid";
      return f.mobile ? "telepon_bukan_hp" : null;
    },
    email: function (f, raw) {
      var text = pyStrip(raw);
      if (text.length > 254) return "email_terlalu_panjang";
      var match = EMAIL.exec(text);
      if (!match || match[1].length > 64) return "email_format";
      return null;
    },
    date: function (f, raw, ctx) {
      var text = pyStrip(raw);
      if (!ISO_DATE.test(text)) return "tanggal_format";
      var p = text.split("-").map(Number);
      if (p[0] < 1 || p[1] < 1 || p[1] > 12 || p[2] < 1 || p[2] > daysInMonth(p[0], p[1])) return "tanggal_tidak_ada";
      if (f.not_future && text > ctx.today) return "tanggal_di_masa_depan";
      if (f.min && text < f.min) return "tanggal_terlalu_awal";
      if (f.max && text > f.max) return "tanggal_terlalu_akhir";
      if (f.min_age != null && ageOn(text, ctx.today) < f.min_age) return "tanggal_usia_kurang";
      if (f.max_age != null && ageOn(text, ctx.today) > f.max_age) return "tanggal_usia_lebih";
      return null;
    },
    choice: function (f, raw) {
      var text = pyStrip(raw);
      return f.choices.some(function (c) { return c.value === text; }) ? null : "pilihan_tidak_valid";
    },
    text: function (f, raw) {
      if (length(raw) > 4 * f.max_length + 100) return "teks_terlalu_panjang";
      var text = raw.replace(/\r\n/g, "\n").replace(/\r/g, "\n");
      if (UNSTORABLE_TEXT.test(text)) return "teks_karakter_tidak_valid";
      text = text.normalize("NFC");
      text = f.multiline
        ? pyStrip(text).split("\n").map(function (line) { return line.replace(TRIM_END, ""); }).join("\n")
        : collapse(text);
      if (length(text) > f.max_length) return "teks_terlalu_panjang";
      if (length(text) < (f.min_length || 0)) return "teks_terlalu_pendek";
      return null;
    },
    number: function (f, raw) {
      var text = pyStrip(raw);
      if (!/^-?[0-9]+$/.test(text)) return "angka_format";
      if (text.replace(/^-/, "").replace(/^0+/, "").length > 15) {
        return text.charAt(0) === "-" ? "angka_terlalu_kecil" : "angka_terlalu_besar";
      }
      var value = parseInt(text, 10);
      if (value < f.min) return "angka_terlalu_kecil";
      if (value > f.max) return "angka_terlalu_besar";
      return null;
    }
  };

  /* validate_field: empty answers first, then the type's own check. */
  function checkField(f, raw, ctx) {
    if (raw === "" || BLANK.test(raw)) return f.required ? "wajib_diisi" : null;
    return CHECKS[f.type](f, raw, ctx);
  }

  // ------------------------------------------------------------------ files

  var SIGNATURES = [ // chalicelib/filetypes.py: the type is what the first bytes say
    [[0x25, 0x50, 0x44, 0x46, 0x2d], "application/pdf"],
    [[0xff, 0xd8, 0xff], "image/jpeg"],
    [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "image/png"]
  ];
  var EXTENSIONS = { pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" };

  /* Read a file's first bytes once: a renamed photo is caught here, before a
   * resident spends mobile data uploading it. */
  function sniff(file) {
    return file.slice(0, 8).arrayBuffer().then(function (buffer) {
      var head = new Uint8Array(buffer);
      var found = SIGNATURES.filter(function (s) {
        return s[0].every(function (byte, i) { return head[i] === byte; });
      })[0];
      return found ? found[1] : null;
    }, function () { return undefined; }); // unreadable: leave it to the server
  }

  /* FormDefinition.check_files, plus what only the browser knows (the bytes). */
  function fileProblems(spec, file, sniffed) {
    var codes = [];
    var name = file.name || "";
    if (!name.trim() || length(name) > 200 || /[\/\\]/.test(name) || UNSTORABLE.test(name)) codes.push("berkas_nama_tidak_valid");
    if (file.size < 1) codes.push("berkas_kosong");
    else if (file.size > spec.max_bytes) codes.push("berkas_terlalu_besar");
    var byName = EXTENSIONS[name.split(".").pop().toLowerCase()];
    var accepted = function (type) { return spec.accept.indexOf(type) >= 0; };
    var extension = name.indexOf(".") >= 0 ? name.split(".").pop().toLowerCase() : "";
    var declared = sniffed || byName || file.type;
    if ((extension && !(byName && accepted(byName))) || (file.type && !accepted(file.type)) ||
        sniffed === null || !declared || !accepted(declared)) codes.push("berkas_jenis_tidak_diterima");
    return codes;
  }

  // ------------------------------------------------------------------ the form page

  function initForm(page) {
    var definition = JSON.parse(doc.getElementById("portal-form-definition").textContent);
    var form = doc.getElementById("portal-form");
    var apiBase = page.getAttribute("data-api");
    var receiptUrl = new URL(page.getAttribute("data-receipt-url"), location.href).href;
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
    var draft = Draft(definition.id, form);

    // -- reading answers

    function control(id) { return form.elements.namedItem(id); }

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
      definition.fields.forEach(function (f) { values[f.id] = readValue(f); });
      return values;
    }

    // -- checking answers

    /* FormDefinition.validate in the browser: errors per field, then the NIK
     * warnings (a valid NIK that disagrees with the date of birth or sex). */
    function checkAnswers(values) {
      var items = [];
      var ok = {};
      definition.fields.forEach(function (f) {
        var code = checkField(f, values[f.id], ctx);
        if (code) items.push({ field: f.id, code: code, message: f.messages[code] || code, kind: "error" });
        else ok[f.id] = true;
      });
      definition.fields.forEach(function (f) {
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
      var f = fields[fieldId];
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
      definition.attachments.forEach(function (spec) {
        (chosen[spec.id] || []).forEach(function (entry) {
          pending.push(entry.sniffed.then(function (type) { entry.type = type; }));
        });
      });
      return Promise.all(pending).then(function () {
        var items = [];
        var declared = [];
        definition.attachments.forEach(function (spec) {
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
      if (name === "check") doc.title = "Periksa kembali jawaban Anda – " + base;
      else if (name === "send") doc.title = "Mengirim permohonan – " + base;
      else if (doc.title.indexOf("Galat: ") !== 0) doc.title = base;
      if (focus !== false && name !== "form") {
        var heading = steps[name].querySelector("h2");
        heading.focus();
        heading.scrollIntoView({ block: "start" });
      }
    }

    var current = null; // {values, declared, confirmed} being checked or sent

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
        history.pushState({ portalStep: "check" }, "", "#periksa");
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
      definition.fields.forEach(function (f) {
        answers.appendChild(summaryRow(f.label, displayValue(f, values[f.id]), domId(f.id)));
      });
      definition.attachments.forEach(function (spec) {
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

    doc.getElementById("portal-check-back").addEventListener("click", function (event) {
      event.preventDefault();
      showStep("form");
      form.querySelector("input, select, textarea").focus();
    });

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
    var uploadList = doc.getElementById("portal-uploads");
    var progress = {}; // "<submission>:<index>" -> {done, item}
    var shownSubmission = null; // whose uploads the list shows

    /* One key per set of answers and files: a retry (or a reload and a second
     * try with the same answers) gets the same submission back from the API. */
    function idempotencyKey(signature) {
      var storeKey = "portal-send:" + definition.id;
      var saved = session.get(storeKey);
      if (saved && saved.sig === signature) return saved.key;
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      var key = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      session.set(storeKey, { key: key, sig: signature });
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
      if (forceNewKey) session.remove("portal-send:" + definition.id);
      return {
        form_id: definition.id,
        idempotency_key: idempotencyKey(signature),
        values: current.values,
        files: files,
        confirmed_warnings: confirmedWarnings(current.values)
      };
    }

    function setStatus(text, alert) {
      sendStatus.textContent = text;
      sendStatus.setAttribute("role", alert ? "alert" : "status");
    }

    function waitingText(wait) {
      setStatus("Koneksi terganggu. Mencoba lagi dalam " + Math.round(wait / 1000) + " detik…");
    }

    /* POST /submissions; a 409 (the key was used for other answers) gets a new key once. */
    function createSubmission(retried) {
      return apiWithRetry(apiBase, "/submissions", requestBody(retried), waitingText).then(function (answer) {
        if (answer.status === 200 || answer.status === 201) return answer.data;
        if (answer.status === 409 && !retried) return createSubmission(true);
        throw { status: answer.status, data: answer.data, message: failureMessage(answer) };
      });
    }

    function uploadItem(upload) {
      var name = upload.name;
      var bar = el("progress", { max: "100", value: "0", "aria-label": "Unggahan " + name });
      var state = el("span", { className: "portal-upload__state", text: "Menunggu giliran" });
      var retry = el("button", { type: "button", className: "portal-button portal-button--secondary portal-button--small", hidden: true },
        ["Coba lagi", hiddenText(" mengunggah " + name)]);
      retry.addEventListener("click", function () { send(); });
      var item = el("li", { className: "portal-upload" }, [
        el("span", { className: "portal-upload__name", text: name + " (" + formatBytes(upload.size) + ")" }),
        bar, state, retry
      ]);
      uploadList.appendChild(item);
      return {
        progress: function (fraction) {
          bar.value = Math.round(fraction * 100);
          state.textContent = "Mengunggah… " + bar.value + "%";
        },
        set: function (text, failed) { // its "Coba lagi" shows when the whole pass has ended
          state.textContent = text;
          item.classList.toggle("portal-upload--failed", !!failed);
          retry.hidden = true;
          if (!failed && text === "Terkirim") { bar.value = 100; item.classList.add("portal-upload--done"); }
        }
      };
    }

    /* One presigned POST: the policy's fields first, the file last, as S3 wants.
     * The file goes under a neutral name (its own name may be personal). */
    function postFile(upload, file, onProgress) {
      return new Promise(function (resolve, reject) {
        var data = new FormData();
        Object.keys(upload.fields).forEach(function (name) { data.append(name, upload.fields[name]); });
        data.append("file", file.slice(0, file.size, upload.type), "berkas");
        var xhr = new XMLHttpRequest();
        xhr.open("POST", upload.url);
        xhr.timeout = 10 * 60 * 1000;
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) onProgress(event.loaded / event.total);
        });
        xhr.addEventListener("load", function () {
          if (xhr.status >= 200 && xhr.status < 300) resolve();
          else reject({ status: xhr.status });
        });
        ["error", "abort", "timeout"].forEach(function (type) {
          xhr.addEventListener(type, function () { reject({ status: 0 }); });
        });
        xhr.send(data);
      });
    }

    /* Up to UPLOAD_TRIES tries with exponential backoff. A refused policy
     * (403: it expired on a slow connection) gets fresh upload URLs first. */
    function uploadWithRetry(upload, file, item) {
      var attempt = 0;
      function run() {
        attempt += 1;
        item.set("Mengunggah…");
        return postFile(upload, file, item.progress).then(function () {
          item.set("Terkirim");
        }, function (failure) {
          if (attempt >= UPLOAD_TRIES) {
            item.set("Gagal terkirim", true);
            throw failure;
          }
          var wait = RETRY_BASE_MS * Math.pow(2, attempt - 1);
          item.set("Gagal, dicoba lagi dalam " + Math.round(wait / 1000) + " detik…");
          return sleep(wait).then(function () {
            if (failure.status !== 403) return null;
            return createSubmission().then(function (fresh) {
              fresh.uploads.forEach(function (u) { if (u.index === upload.index) upload = u; });
            });
          }).then(run);
        });
      }
      return run();
    }

    function uploadAll(offer) {
      var failed = 0;
      if (shownSubmission !== offer.submission_id) { // other answers: a new submission
        uploadList.textContent = "";
        progress = {};
        shownSubmission = offer.submission_id;
      }
      var chain = Promise.resolve();
      offer.uploads.slice().sort(function (a, b) { return a.index - b.index; }).forEach(function (upload) {
        var slot = offer.submission_id + ":" + upload.index;
        if (!progress[slot]) progress[slot] = { done: false, item: uploadItem(upload) };
        var entry = progress[slot];
        if (entry.done) return;
        chain = chain.then(function () {
          return uploadWithRetry(upload, current.declared[upload.index].file, entry.item).then(function () {
            entry.done = true;
          }, function () { failed += 1; });
        });
      });
      return chain.then(function () { return failed; });
    }

    /* complete's 422: a file that did not arrive whole can be sent again; any
     * other problem (wrong type, too large) needs another file: back to the form. */
    function completeRefused(offer, answer) {
      var list = (answer.data && answer.data.errors) || [];
      var resend = list.length && list.every(function (e) {
        return (e.code === "file_missing" || e.code === "file_size_mismatch") && e.index !== undefined;
      });
      if (resend) {
        list.forEach(function (e) {
          var entry = progress[offer.submission_id + ":" + e.index];
          if (entry) { entry.done = false; entry.item.set(e.message, true); }
        });
        return failed(answer.data.message);
      }
      backToForm(list);
    }

    function failed(message) {
      setStatus(message, true);
      sendActions.hidden = false;
      uploadList.querySelectorAll(".portal-upload--failed button").forEach(function (b) { b.hidden = false; });
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
        return uploadAll(offer).then(function (failures) {
          if (failures) {
            return failed(failures === 1 ? "1 berkas belum terkirim. Periksa koneksi internet, lalu pilih Coba lagi."
              : failures + " berkas belum terkirim. Periksa koneksi internet, lalu pilih Coba lagi.");
          }
          setStatus("Memeriksa berkas yang sudah terkirim…");
          return apiWithRetry(apiBase, "/submissions/" + offer.submission_id + "/complete", undefined, waitingText)
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

    /* Hand the receipt to the receipt page in this tab, then forget the draft. */
    function finish(receipt) {
      session.set(RECEIPT_KEY, receipt);
      draft.clear();
      session.remove("portal-send:" + definition.id);
      setStatus("Permohonan terkirim. Membuka tanda terima…");
      location.assign(receiptUrl);
    }

    doc.getElementById("portal-send").addEventListener("click", send);
    doc.getElementById("portal-send-retry").addEventListener("click", send);
    doc.getElementById("portal-send-back").addEventListener("click", function (event) {
      event.preventDefault();
      showStep("form");
      form.querySelector("input, select, textarea").focus();
    });

    draft.restore();
  }

  // ------------------------------------------------------------------ drafts

  /* The typed answers (never files), saved on every change. sessionStorage by
   * default: it ends with the tab, so a shared computer does not keep them;
   * localStorage only when the resident ticks "Simpan draf di perangkat ini". */
  function Draft(formId, form) {
    var key = "portal-draft:" + formId;
    var keep = doc.getElementById("portal-draft-keep");
    var status = doc.getElementById("portal-draft-status");
    var clearButton = doc.getElementById("portal-draft-clear");
    var initialStatus = status.textContent;

    function saved() { return local.get(key) || session.get(key); }

    function collect() {
      var values = {};
      var any = false;
      Array.prototype.forEach.call(form.elements, function (node) {
        if (!node.name || node.type === "file" || node.type === "submit" || node.type === "button") return;
        if (node.type === "radio" || node.type === "checkbox") {
          if (node.checked) { values[node.name] = node.value; any = true; }
        } else if (node.value !== "") {
          values[node.name] = node.value;
          any = true;
        }
      });
      return any ? values : null;
    }

    function save() {
      var values = collect();
      var target = keep.checked ? local : session;
      (keep.checked ? session : local).remove(key);
      if (values) target.set(key, { values: values, saved: Date.now() }); else target.remove(key);
    }

    function clear() {
      local.remove(key);
      session.remove(key);
    }

    function restore() {
      var kept = local.get(key);
      if (kept && Date.now() - (kept.saved || 0) > DRAFT_MAX_AGE_MS) { local.remove(key); kept = null; }
      keep.checked = !!kept;
      var data = kept || session.get(key);
      if (!data || !data.values) return;
      Object.keys(data.values).forEach(function (name) {
        var value = data.values[name];
        form.querySelectorAll('[name="' + name + '"]').forEach(function (node) {
          if (node.type === "radio" || node.type === "checkbox") node.checked = node.value === value;
          else if (node.type !== "file") node.value = value;
        });
      });
      status.textContent = "Draf Anda dipulihkan. Berkas tidak ikut disimpan, jadi pilih berkasnya lagi.";
    }

    form.addEventListener("input", save);
    form.addEventListener("change", save);
    keep.addEventListener("change", function () {
      save();
      status.textContent = keep.checked
        ? "Draf disimpan di perangkat ini sampai Anda mengirim permohonan atau memilih Hapus draf."
        : initialStatus;
    });
    clearButton.addEventListener("click", function () {
      clear();
      keep.checked = false;
      form.reset();
      status.textContent = "Draf dihapus dan formulir dikosongkan.";
    });

    return { restore: restore, clear: clear, saved: saved };
  }

  // ------------------------------------------------------------------ start

  var formPage = doc.getElementById("portal-form-page");
  if (formPage && window.PortalNik) initForm(formPage);
})();
