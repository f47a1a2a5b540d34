/* Answer and file checks in the browser: ports of chalicelib/fields.py and
 * chalicelib/filetypes.py (after form-common.js; nik.js does the NIK and KK).
 *
 * Each check returns the server's error code (or null); the page shows the
 * message the form definition carries for that code. The server stays
 * authoritative: its 422 answers are shown the same way.
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var PY_SPACE = P.PY_SPACE, BLANK = P.BLANK;

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

  P.pyStrip = pyStrip;
  P.collapse = collapse;
  P.checkField = checkField;
  P.sniff = sniff;
  P.fileProblems = fileProblems;
  P.EXTENSIONS = EXTENSIONS;
})();
