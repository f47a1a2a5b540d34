/* "Salin" buttons (after form-common.js): copy a code, a token or a link.
 *
 *   <code id="kode">K7QM-2XRD-9F</code>
 *   <button type="button" data-copy="kode" data-copied="Kode pelacakan disalin">Salin kode</button>
 *
 * The Clipboard API where the page may use it (HTTPS or localhost); else the
 * older copy command on a hidden text area; if both fail, the text is
 * selected on screen and the resident is told to copy it by hand. The result
 * is announced in a live region beside the button, and for a few seconds the
 * button itself says "Tersalin".
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var doc = P.doc, el = P.el;
  var SHOWN_MS = 3000;

  function copyWithCommand(text) {
    var area = el("textarea", { readonly: true, "aria-hidden": "true", tabindex: "-1", className: "portal-copy-source" });
    area.value = text;
    doc.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = doc.execCommand("copy"); } catch (e) { copied = false; }
    area.remove();
    return copied;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () {
        return copyWithCommand(text);
      });
    }
    return Promise.resolve(copyWithCommand(text));
  }

  function selectOnScreen(node) {
    var range = doc.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function textOf(button) {
    var source = doc.getElementById(button.getAttribute("data-copy"));
    if (!source) return { node: null, text: "" };
    var text = source.getAttribute("data-copy-value") || source.getAttribute("href") || source.textContent;
    return { node: source, text: text.trim() };
  }

  function wire(button) {
    if (button.hasAttribute("data-copy-wired")) return;
    button.setAttribute("data-copy-wired", "");
    var label = Array.prototype.map.call(button.childNodes, function (n) { return n.cloneNode(true); });
    var live = el("span", { className: "portal-visually-hidden", role: "status" });
    button.insertAdjacentElement("afterend", live);
    var timer = null;
    button.addEventListener("click", function () {
      var found = textOf(button);
      if (!found.text) return;
      copyText(found.text).then(function (copied) {
        clearTimeout(timer);
        if (copied) {
          button.textContent = "Tersalin";
          live.textContent = button.getAttribute("data-copied") || "Disalin";
        } else {
          selectOnScreen(found.node);
          live.textContent = "Tidak bisa menyalin otomatis. Teksnya sudah dipilih: salin secara manual.";
        }
        timer = setTimeout(function () { button.replaceChildren.apply(button, label.map(function (n) { return n.cloneNode(true); })); live.textContent = ""; }, SHOWN_MS);
      });
    });
  }

  /* Wire every [data-copy] button under root (safe to call again). */
  function copyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(wire);
  }

  P.copyButtons = copyButtons;
  P.copyText = copyText;
})();
