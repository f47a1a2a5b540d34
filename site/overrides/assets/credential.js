/* The status credential in the browser: tracking code + status token (after form-common.js).
 *
 *   PortalForm.credential.link(statusUrl, code, token)  // ".../formulir/status/#kode=…&token=…"
 *   PortalForm.credential.fromFragment(location.hash)   // {code, token} or null
 *   PortalForm.credential.remember(code, token)         // this tab only (sessionStorage)
 *
 * The token travels only in a URL's fragment, which browsers never send to a
 * server, so it cannot end up in a web server's or CDN's log; pages that read
 * it remove it from the address bar at once. Used by the receipt, the status
 * check and the correction mode of the form page.
 */
(function () {
  "use strict";

  var P = window.PortalForm;
  var session = P.session;
  var KEY = "portal-credential";
  var TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

  /* chalicelib.tracking.normalise_tracking_code: case, spaces, dots and
   * hyphens forgiven; the check character catches a mistyped character. */
  function normaliseTrackingCode(text) {
    var compact = String(text || "").replace(/[ \-._\t]/g, "").toUpperCase();
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

  /* A short token as printed, "ABCD-EFGH-JKMN" (case, spaces and hyphens
   * forgiven, as the API does); an old long token is case-sensitive: kept as typed. */
  function displayToken(text) {
    var trimmed = String(text || "").trim();
    var compact = trimmed.replace(/[\s\-]/g, "").toUpperCase();
    if (compact.length !== 12) return trimmed;
    return compact.slice(0, 4) + "-" + compact.slice(4, 8) + "-" + compact.slice(8);
  }

  function link(statusUrl, code, token) {
    var url = new URL(statusUrl, location.href);
    url.search = "";
    url.hash = "kode=" + encodeURIComponent(code) + "&token=" + encodeURIComponent(token);
    return url.href;
  }

  function fromFragment(hash) {
    var params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
    var code = params.get("kode");
    var token = params.get("token");
    return code && token ? { code: code, token: token } : null;
  }

  /* Take the fragment out of the address bar (and out of the tab's history),
   * keeping `keep` (a fragment without secrets, e.g. "#perbaikan") if given. */
  function clearFragment(keep) {
    history.replaceState(history.state, "", location.pathname + location.search + (keep || ""));
  }

  function remember(code, token) { session.set(KEY, { code: code, token: token }); }
  function recall() {
    var saved = session.get(KEY);
    return saved && saved.code && saved.token ? saved : null;
  }
  function forget() { session.remove(KEY); }

  P.credential = {
    normaliseTrackingCode: normaliseTrackingCode,
    displayToken: displayToken,
    link: link,
    fromFragment: fromFragment,
    clearFragment: clearFragment,
    remember: remember,
    recall: recall,
    forget: forget
  };
})();
