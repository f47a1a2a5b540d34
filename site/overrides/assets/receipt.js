/* The receipt page: the receipt the form page left in sessionStorage
 * (after form-common.js, credential.js and copy.js).
 *
 * Shows the tracking code, the status token (grouped, large, once), the status
 * link with both in its fragment, and "Salin" buttons for each.
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var doc = P.doc, RECEIPT_KEY = P.RECEIPT_KEY, el = P.el, session = P.session;

  function initReceipt(root) {
    var receipt = session.get(RECEIPT_KEY);
    if (!receipt || !receipt.tracking_code) return;
    var values = Object.assign({}, receipt, { status_token: P.credential.displayToken(receipt.status_token) });
    root.querySelectorAll("[data-receipt-field]").forEach(function (node) {
      node.textContent = values[node.getAttribute("data-receipt-field")] || "";
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
    var link = root.querySelector("[data-receipt-status-link]");
    link.href = P.credential.link(root.getAttribute("data-status-url"), receipt.tracking_code, values.status_token);
    link.textContent = link.href;
    P.copyButtons(root);
    root.querySelector("[data-receipt-print]").addEventListener("click", function () { window.print(); });
    root.querySelector("[data-receipt-empty]").hidden = true;
    root.querySelector("[data-receipt]").hidden = false;
    doc.title = "Permohonan terkirim: " + receipt.tracking_code + " – " + doc.title.split(" - ").pop();
  }

  // ------------------------------------------------------------------ start

  var receiptPage = doc.getElementById("portal-receipt");
  if (receiptPage) initReceipt(receiptPage);
})();
