/* The receipt page: the receipt the form page left in sessionStorage (after form-common.js). */
(function () {
  "use strict";

  var P = window.PortalForm;
  var doc = P.doc, RECEIPT_KEY = P.RECEIPT_KEY, el = P.el, session = P.session;

  // ------------------------------------------------------------------ receipt page

  function initReceipt(root) {
    var receipt = session.get(RECEIPT_KEY);
    if (!receipt || !receipt.tracking_code) return;
    root.querySelectorAll("[data-receipt-field]").forEach(function (node) {
      node.textContent = receipt[node.getAttribute("data-receipt-field")] || "";
    });
    var summary = receipt.summary || {};
    var answers = root.querySelector("[data-receipt-answers]");
    (summary.fields || []).forEach(function (f) {
      // The receipt repeats choices only; other answers (NIK, name) are just "Diisi".
      answers.appendChild(el("div", { className: "portal-summary-list__row" }, [
        el("dt", { text: f.label }), el("dd", { text: f.value === null || f.value === undefined ? "Diisi" : f.value })
      ]));
    });
    var files = root.querySelector("[data-receipt-files]");
    (summary.files || []).forEach(function (f) {
      files.appendChild(el("li", { text: f.label + ": " + f.count + " berkas" }));
    });
    var statusUrl = new URL(root.getAttribute("data-status-url"), location.href);
    statusUrl.searchParams.set("kode", receipt.tracking_code);
    root.querySelector("[data-receipt-status-link]").href = statusUrl.href;
    root.querySelector("[data-receipt-print]").addEventListener("click", function () { window.print(); });
    root.querySelector("[data-receipt-empty]").hidden = true;
    root.querySelector("[data-receipt]").hidden = false;
    doc.title = "Permohonan terkirim: " + receipt.tracking_code + " – " + doc.title.split(" - ").pop();
  }

  // ------------------------------------------------------------------ start

  var receiptPage = doc.getElementById("portal-receipt");
  if (receiptPage) initReceipt(receiptPage);
})();
