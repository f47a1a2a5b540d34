/* Drafts of a form's typed answers (after form-common.js; used by form.js).
 *
 * Never files, and never the answers of a correction (form.js does not start a
 * draft in that mode). Nothing here writes to the console: answers are personal data.
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var doc = P.doc, DRAFT_MAX_AGE_MS = P.DRAFT_MAX_AGE_MS, session = P.session, local = P.local;

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
    // "Hapus draf" empties the whole form, so it asks first (GOV.UK: confirm destructive actions).
    var confirmBox = doc.getElementById("portal-draft-confirm");
    function closeConfirm() {
      confirmBox.hidden = true;
      clearButton.setAttribute("aria-expanded", "false");
      clearButton.focus();
    }
    clearButton.addEventListener("click", function () {
      confirmBox.hidden = false;
      clearButton.setAttribute("aria-expanded", "true");
      confirmBox.focus();
    });
    doc.getElementById("portal-draft-clear-no").addEventListener("click", closeConfirm);
    doc.getElementById("portal-draft-clear-yes").addEventListener("click", function () {
      clear();
      keep.checked = false;
      form.reset();
      closeConfirm();
      status.textContent = "Draf dihapus dan formulir dikosongkan.";
    });

    return { restore: restore, clear: clear, saved: saved };
  }

  P.Draft = Draft;
})();
