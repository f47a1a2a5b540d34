/* The staff editor at /admin/: Decap CMS with our locale, file formats, checks and preview.
 *
 * Loaded after the bundle (decap/decap-cms.js, which defines window.CMS); the editor
 * starts only when everything here is registered (manual-init.js). The configuration,
 * admin/config.yml, is generated from the content model at build time
 * (site/portal/cms.py); portal.json carries the office names for the preview.
 */
import * as YAML from "./vendor/yaml/index.js";
import { ID } from "./locale-id.js";
import { closureSlug, frontMatterFormat, yamlFormat } from "./formats.js";
import { registerWidgets } from "./widgets.js";
import { closurePreview } from "./preview.js";
import { repairAccessibility } from "./a11y.js";

const CMS = window.CMS;
const data = await (await fetch("portal.json", { cache: "no-cache" })).json();

CMS.registerLocale("id", ID);
CMS.registerCustomFormat("portal-frontmatter", "md", frontMatterFormat(YAML, data));
CMS.registerCustomFormat("portal-yaml", "yml", yamlFormat(YAML));
registerWidgets(CMS, data);
// A new announcement gets the file name `portal new-closure` would give it (formats.js);
// the collection's slug template reads it, the file format leaves it out of the file.
CMS.registerEventListener({
  name: "preSave",
  handler: ({ entry }) => {
    const values = entry.get("data");
    return values.set("__slug", closureSlug(values.toJS()));
  },
});
CMS.registerPreviewTemplate("pengumuman", closurePreview(data));
for (const style of data.styles) CMS.registerPreviewStyle(style);
CMS.registerPreviewStyle("preview.css");
// Closure fields are optional to Decap (a plain announcement leaves them empty) but
// required in a closure: leave out Decap's "(opsional)" after their labels.
const labels = new CSSStyleSheet();
labels.replaceSync(data.closure_required.map((name) => `label[for^="${name}-field-"] > span`).join(", ")
  + " { display: none; }");
document.adoptedStyleSheets = [...document.adoptedStyleSheets, labels];
// Start the markdown body in markdown mode unless the clerk chose otherwise: internal
// links typed as the staff guide shows, [teks](formulir:ktp-el-baru), then stay as typed.
if (localStorage.getItem("cms.md-mode") === null) localStorage.setItem("cms.md-mode", "raw");
repairAccessibility();
CMS.init();
