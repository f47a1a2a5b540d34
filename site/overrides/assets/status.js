/* Re-evaluate office status for the day the page is read, in WIB.
 *
 * The page was built on some day and says what was true then (the no-JS
 * answer). The schedule of closures that were active or still to come is
 * embedded in #portal-schedule; here we decide again with today's date in
 * Asia/Jakarta, so a page nobody rebuilt since a closure ended still tells
 * the truth. Closures are whole days: first..last inclusive, open on last+1.
 */
(function () {
  "use strict";
  var source = document.getElementById("portal-schedule");
  if (!source) return;
  var schedule = JSON.parse(source.textContent);

  function todayWIB() {
    // en-CA formats as YYYY-MM-DD, which compares correctly as a string.
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Jakarta", year: "numeric", month: "2-digit", day: "2-digit"
    }).format(new Date());
  }
  function addDays(iso, n) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }
  var longDate = new Intl.DateTimeFormat("id-ID", {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC"
  });
  function formatDate(iso) {
    return longDate.format(new Date(iso + "T00:00:00Z"));
  }

  var today = (window.PORTAL_TODAY || todayWIB());
  if (today <= schedule.built) return; // the build already answered for today (or a later day)

  function covers(c, day) { return c.first <= day && day <= c.last; }
  function affects(c, office) { return c.offices === "all" || c.offices.indexOf(office) >= 0; }

  // First day the office is open again, chaining closures that touch or overlap.
  function reopens(office, day) {
    var mine = schedule.closures.filter(function (c) { return affects(c, office); });
    var active = mine.filter(function (c) { return covers(c, day); });
    if (!active.length) return null;
    var last = active.reduce(function (m, c) { return c.last > m ? c.last : m; }, day);
    var chained = true;
    while (chained) {
      chained = false;
      mine.forEach(function (c) {
        if (c.first <= addDays(last, 1) && c.last > last) { last = c.last; chained = true; }
      });
    }
    return addDays(last, 1);
  }

  var closed = 0;
  document.querySelectorAll("[data-portal-office-status]").forEach(function (el) {
    var again = reopens(el.getAttribute("data-portal-office-status"), today);
    el.classList.toggle("portal-status--closed", !!again);
    el.classList.toggle("portal-status--open", !again);
    // An office whose hours are not published says only that no closure is announced.
    el.textContent = again ? "Tutup, buka kembali " + formatDate(again)
      : (el.getAttribute("data-open") || "Buka seperti biasa");
  });

  // Count closed offices once, not once per status element on the page.
  var ids = {};
  schedule.closures.forEach(function (c) {
    if (!covers(c, today)) return;
    if (c.offices === "all") ids["*"] = true;
    else c.offices.forEach(function (o) { ids[o] = true; });
  });
  closed = ids["*"] ? schedule.offices : Object.keys(ids).length;

  var visible = 0;
  document.querySelectorAll("[data-portal-closure]").forEach(function (el) {
    var c = { first: el.getAttribute("data-first"), last: el.getAttribute("data-last") };
    var mode = el.getAttribute("data-show");
    var show = mode === "active" ? covers(c, today)
      : mode === "active-or-upcoming" ? c.last >= today : true;
    el.hidden = !show;
    if (show && el.classList.contains("portal-notice")) {
      visible += 1;
      el.classList.toggle("portal-notice--upcoming", c.first > today);
    }
  });
  document.querySelectorAll("[data-portal-none]").forEach(function (el) { el.hidden = visible > 0; });

  document.querySelectorAll("[data-portal-summary]").forEach(function (el) {
    var key = closed === 0 ? "none" : closed >= schedule.offices ? "all" : "some";
    el.textContent = el.getAttribute("data-" + key)
      .replace("{n}", closed).replace("{total}", schedule.offices);
    el.className = "portal-summary portal-summary--" + ({ none: "none", all: "major", some: "minor" })[key];
  });
  document.querySelectorAll("[data-portal-today]").forEach(function (el) {
    el.textContent = "Status hari ini, " + formatDate(today) + " (WIB).";
  });
})();
