/* The status check: tracking code and token to status and history (after form-common.js). */
(function () {
  "use strict";

  var P = window.PortalForm;
  var doc = P.doc, RECEIPT_KEY = P.RECEIPT_KEY, el = P.el, session = P.session, api = P.api, failureMessage = P.failureMessage, ErrorDisplay = P.ErrorDisplay, BLANK = P.BLANK;

  // ------------------------------------------------------------------ status page

  var TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

  /* chalicelib.tracking.normalise_tracking_code: case, spaces, dots and
   * hyphens forgiven; the check character catches a mistyped character. */
  function normaliseTrackingCode(text) {
    var compact = text.replace(/[ \-._\t]/g, "").toUpperCase();
    if (compact.length !== 10) return null;
    var total = 0;
    for (var i = 0; i < compact.length; i += 1) {
      if (TRACKING_ALPHABET.indexOf(compact.charAt(i)) < 0) return null;
    }
    var body = compact.slice(0, 9).split("").reverse();
    body.forEach(function (ch, weight) { total += (weight + 2) * TRACKING_ALPHABET.indexOf(ch); });
    var check = TRACKING_ALPHABET.charAt(((-total % 31) + 31) % 31);
    if (check !== compact.charAt(9)) return null;
    return compact.slice(0, 4) + "-" + compact.slice(4, 8) + "-" + compact.slice(8);
  }

  function initStatus(root) {
    var form = doc.getElementById("portal-status-form");
    var result = doc.getElementById("portal-status-result");
    var apiBase = root.getAttribute("data-api");
    var errors = ErrorDisplay(root);
    var code = form.elements.namedItem("tracking_code");
    var token = form.elements.namedItem("token");

    var fromUrl = new URLSearchParams(location.search).get("kode");
    if (fromUrl) code.value = fromUrl;
    var receipt = session.get(RECEIPT_KEY);
    if (receipt && fromUrl && receipt.tracking_code === fromUrl) token.value = receipt.status_token || "";

    function render(data) {
      result.querySelectorAll("[data-status-field]").forEach(function (node) {
        node.textContent = data[node.getAttribute("data-status-field")] || "";
      });
      var history = result.querySelector("[data-status-history]");
      history.textContent = "";
      (data.history || []).forEach(function (h) {
        history.appendChild(el("li", {}, [
          el("strong", { text: h.status_label }), " – " + (h.at_text || ""),
          h.note ? el("p", { className: "portal-history__note", text: h.note }) : null
        ]));
      });
      result.hidden = false;
      var heading = result.querySelector("h2");
      heading.focus();
      heading.scrollIntoView({ block: "start" });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      result.hidden = true;
      var problems = [];
      var normal = null;
      if (BLANK.test(code.value)) problems.push({ field: "tracking_code", message: "Masukkan kode pelacakan" });
      else if (!(normal = normaliseTrackingCode(code.value))) {
        problems.push({ field: "tracking_code", message: "Kode pelacakan tidak dikenali. Periksa lagi 10 huruf dan angkanya, seperti K7QM-2XRD-9F" });
      }
      if (BLANK.test(token.value)) problems.push({ field: "token", message: "Masukkan token status" });
      if (errors.show(problems)) return;
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      api(apiBase, "/status", { tracking_code: normal, token: token.value.trim() }).then(function (answer) {
        button.disabled = false;
        if (answer.status === 200) { errors.clear(); render(answer.data); return; }
        var message = answer.status === 404 ? answer.data.message || failureMessage(answer) : failureMessage(answer);
        errors.show([{ field: answer.status === 404 ? "token" : null, message: message }]);
      });
    });
  }

  // ------------------------------------------------------------------ start

  var statusPage = doc.getElementById("portal-status");
  if (statusPage) initStatus(statusPage);
})();
