/* NIK and KK number checks for the browser: a line-by-line port of
 * functions/chalicelib/nik.py (the rules live there; see its docstring).
 *
 * Both run against tests/vectors/nik.json (tests/browser/test_nik_js.py), so a
 * change to one without the other fails the tests. The server stays
 * authoritative; this copy only lets a resident see a mistake before sending.
 *
 * Works as a plain <script> (window.PortalNik) and in Node (module.exports).
 *
 *   PortalNik.parseNik("3171 0152 0890 0001", {today: "2026-11-27", provinces: ["31", ...]})
 *   // {value: "3171015208900001", error: null, birthDate: "1990-08-12", sex: "P", region: "31.71.01"}
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.PortalNik = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var NIK_LENGTH = 16;
  var KK_LENGTH = 16;
  var MALE = "L";
  var FEMALE = "P";
  // Removed before checking: what people type between groups (nik.SEPARATORS).
  var SEPARATORS = " \t\r\n\u00a0\u2007\u202f.-";
  // Python's str.isspace() characters: `not raw.strip()` means "only these, or nothing".
  var PY_BLANK = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
  var DECIMAL_DIGIT = /^\p{Nd}$/u; // unicodedata.category(ch) == "Nd"
  var ASCII_DIGIT = /^[0-9]$/;

  function result(value, error, extra) {
    var r = { value: value, error: error, birthDate: null, sex: null, region: null };
    if (extra) Object.keys(extra).forEach(function (k) { r[k] = extra[k]; });
    return r;
  }

  // nik._clean: {digits} or {error}.
  function clean(raw, length, prefix) {
    if (typeof raw !== "string") return { error: prefix + "_karakter_tidak_valid" };
    if (PY_BLANK.test(raw)) return { error: prefix + "_kosong" };
    var kept = [];
    for (var ch of raw) { // for-of walks code points, as Python does
      if (SEPARATORS.indexOf(ch) < 0) kept.push(ch);
    }
    if (kept.some(function (c) { return !ASCII_DIGIT.test(c) && !DECIMAL_DIGIT.test(c); })) {
      return { error: prefix + "_karakter_tidak_valid" };
    }
    if (kept.some(function (c) { return !ASCII_DIGIT.test(c); })) {
      return { error: prefix + "_angka_tidak_standar" };
    }
    if (kept.length < length) return { error: prefix + "_terlalu_pendek" };
    if (kept.length > length) return { error: prefix + "_terlalu_panjang" };
    return { digits: kept.join("") };
  }

  function regionError(digits, provinces, prefix) {
    if (provinces.indexOf(digits.slice(0, 2)) < 0) return prefix + "_provinsi_tidak_dikenal";
    if (digits.slice(2, 4) === "00") return prefix + "_kabupaten_tidak_valid";
    if (digits.slice(4, 6) === "00") return prefix + "_kecamatan_tidak_valid";
    return null;
  }

  function region(digits) {
    return digits.slice(0, 2) + "." + digits.slice(2, 4) + "." + digits.slice(4, 6);
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  function daysInMonth(year, month) {
    if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
    return [4, 6, 9, 11].indexOf(month) >= 0 ? 30 : 31;
  }

  /* parse_nik: options.today ("YYYY-MM-DD", WIB) decides the century of the
   * birth year; options.provinces lists the two-digit province codes. */
  function parseNik(raw, options) {
    var cleaned = clean(raw, NIK_LENGTH, "nik");
    if (cleaned.error) return result(null, cleaned.error);
    var digits = cleaned.digits;
    var error = regionError(digits, options.provinces, "nik");
    if (error) return result(null, error);
    var day = parseInt(digits.slice(6, 8), 10);
    var month = parseInt(digits.slice(8, 10), 10);
    var year2 = parseInt(digits.slice(10, 12), 10);
    var sex;
    if (day >= 1 && day <= 31) sex = MALE;
    else if (day >= 41 && day <= 71) { sex = FEMALE; day -= 40; }
    else return result(null, "nik_tanggal_tidak_valid");
    if (month < 1 || month > 12) return result(null, "nik_bulan_tidak_valid");
    var currentYear = parseInt(options.today.slice(0, 4), 10);
    var year = 2000 + year2 <= currentYear ? 2000 + year2 : 1900 + year2;
    if (day > daysInMonth(year, month)) return result(null, "nik_tanggal_tidak_ada");
    if (digits.slice(12, 16) === "0000") return result(null, "nik_nomor_urut_tidak_valid");
    return result(digits, null, {
      birthDate: pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2),
      sex: sex,
      region: region(digits)
    });
  }

  /* parse_kk: same cleaning; only the region digits are checked (see nik.py). */
  function parseKk(raw, options) {
    var cleaned = clean(raw, KK_LENGTH, "kk");
    if (cleaned.error) return result(null, cleaned.error);
    var error = regionError(cleaned.digits, options.provinces, "kk");
    if (error) return result(null, error);
    return result(cleaned.digits, null, { region: region(cleaned.digits) });
  }

  /* compare_nik: warning codes where a valid NIK disagrees with the stated
   * birth date ("YYYY-MM-DD") or sex ("L"/"P"); null arguments are not compared. */
  function compareNik(nik, stated) {
    if (!nik || nik.error) return [];
    var warnings = [];
    if (stated.birthDate != null && nik.birthDate !== stated.birthDate) warnings.push("nik_tanggal_lahir_berbeda");
    if (stated.sex != null && nik.sex !== stated.sex) warnings.push("nik_jenis_kelamin_berbeda");
    return warnings;
  }

  return {
    NIK_LENGTH: NIK_LENGTH,
    SEPARATORS: SEPARATORS,
    MALE: MALE,
    FEMALE: FEMALE,
    parseNik: parseNik,
    parseKk: parseKk,
    compareNik: compareNik
  };
});
