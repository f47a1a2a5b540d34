/* Runs before the Decap CMS bundle (a file, not inline: the page's Content-Security-Policy
 * allows scripts from 'self' only). portal-admin.js starts the editor itself once our
 * locale, file formats, checks and preview are registered. */
window.CMS_MANUAL_INIT = true;
/* `portal preview` (mkdocs serve) adds a script to every page that reloads it after each
 * rebuild, and each save in the editor causes a rebuild: that script would reload the
 * editor under the clerk's hands. Its global `livereload` becomes a no-op here. */
Object.defineProperty(window, "livereload", { value: function () {}, writable: false });
