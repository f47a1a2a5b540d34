/* Uploads straight to storage through presigned POSTs (after form-common.js).
 *
 *   var queue = PortalForm.UploadQueue(listElement, { retry: send, refresh: createAgain });
 *   queue.uploadAll(offer, files).then(function (failures) { ... });
 *
 * One file at a time (each gets the whole bandwidth of a slow line), each with
 * its own <progress> bar, up to UPLOAD_TRIES tries with backoff; a refused
 * policy (403: it expired on a slow connection) gets fresh upload URLs from
 * `refresh` first. After a pass, each failed file shows a "Coba lagi" button
 * that calls `retry`. Files already sent are never sent again for the same
 * submission. Used by new applications and corrections alike.
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var THROTTLED_WAITS = 5; // 429s a file may wait out (Retry-After) before giving up
  var MAX_RETRY_AFTER_S = 120; // never wait longer than this on one 429
  var UPLOAD_TRIES = P.UPLOAD_TRIES, RETRY_BASE_MS = P.RETRY_BASE_MS, el = P.el, hiddenText = P.hiddenText,
    sleep = P.sleep, formatBytes = P.formatBytes;

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
        else reject({ status: xhr.status, retryAfter: parseInt(xhr.getResponseHeader("Retry-After"), 10) });
      });
      ["error", "abort", "timeout"].forEach(function (type) {
        xhr.addEventListener(type, function () { reject({ status: 0 }); });
      });
      xhr.send(data);
    });
  }

  /* options: retry() — the "Coba lagi" buttons; refresh() — a promise of the
   * same submission's offer with fresh upload URLs. */
  function UploadQueue(list, options) {
    var progress = {}; // "<submission>:<index>" -> {done, item}
    var shownSubmission = null; // whose uploads the list shows

    function uploadItem(upload) {
      var name = upload.name;
      var bar = el("progress", { max: "100", value: "0", "aria-label": "Unggahan " + name });
      var state = el("span", { className: "portal-upload__state", text: "Menunggu giliran" });
      var retry = el("button", { type: "button", className: "portal-button portal-button--secondary portal-button--small", hidden: true },
        ["Coba lagi", hiddenText(" mengunggah " + name)]);
      retry.addEventListener("click", function () { options.retry(); });
      var item = el("li", { className: "portal-upload" }, [
        el("span", { className: "portal-upload__name", text: name + " (" + formatBytes(upload.size) + ")" }),
        bar, state, retry
      ]);
      list.appendChild(item);
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

    /* Up to UPLOAD_TRIES tries with exponential backoff (429s wait out Retry-After,
     * THROTTLED_WAITS times at most, without using up a try). A refused policy
     * (403: it expired on a slow connection) gets fresh upload URLs first. */
    function uploadWithRetry(upload, file, item) {
      var attempt = 0;
      var throttled = 0;
      function run() {
        attempt += 1;
        item.set("Mengunggah…");
        return postFile(upload, file, item.progress).then(function () {
          item.set("Terkirim");
        }, function (failure) {
          // "Too many requests" (429): wait as long as Retry-After asks, without using up a try.
          if (failure.status === 429 && throttled < THROTTLED_WAITS) {
            throttled += 1;
            attempt -= 1;
            var seconds = Math.min(failure.retryAfter > 0 ? failure.retryAfter : 5, MAX_RETRY_AFTER_S);
            item.set("Terlalu banyak unggahan saat ini; dicoba lagi dalam " + seconds + " detik…");
            return sleep(seconds * 1000).then(run);
          }
          if (attempt >= UPLOAD_TRIES) {
            item.set("Gagal terkirim", true);
            throw failure;
          }
          var wait = RETRY_BASE_MS * Math.pow(2, attempt - 1);
          item.set("Gagal, dicoba lagi dalam " + Math.round(wait / 1000) + " detik…");
          return sleep(wait).then(function () {
            if (failure.status !== 403) return null;
            return options.refresh().then(function (fresh) {
              fresh.uploads.forEach(function (u) { if (u.index === upload.index) upload = u; });
            });
          }).then(run);
        });
      }
      return run();
    }

    /* Send every file of `offer` not sent yet; `files[index]` is the File for
     * upload `index`. Resolves with the number of files that failed. */
    function uploadAll(offer, files) {
      var failed = 0;
      if (shownSubmission !== offer.submission_id) { // other answers: a new submission
        list.textContent = "";
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
          return uploadWithRetry(upload, files[upload.index], entry.item).then(function () {
            entry.done = true;
          }, function () { failed += 1; });
        });
      });
      return chain.then(function () { return failed; });
    }

    /* The server says file `index` did not arrive whole: send it again next pass. */
    function resend(submissionId, index, message) {
      var entry = progress[submissionId + ":" + index];
      if (!entry) return false;
      entry.done = false;
      entry.item.set(message, true);
      return true;
    }

    function showRetryButtons() {
      list.querySelectorAll(".portal-upload--failed button").forEach(function (b) { b.hidden = false; });
    }

    return { uploadAll: uploadAll, resend: resend, showRetryButtons: showRetryButtons };
  }

  /* complete's 422 that sending the same files again can fix (they did not arrive whole). */
  function onlyResendable(errors) {
    return errors.length > 0 && errors.every(function (e) {
      return (e.code === "file_missing" || e.code === "file_size_mismatch") && e.index !== undefined;
    });
  }

  P.UploadQueue = UploadQueue;
  P.onlyResendable = onlyResendable;
})();
