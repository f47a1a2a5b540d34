/* Accessibility repairs to Decap CMS's own interface, found by axe-core
 * (tests/browser/test_staff_editor_a11y.py). Decap renders these without a name or
 * state; we add them as the page changes, in Indonesian. Colours are in admin.css.
 *
 * - the preview frame gets a title;
 * - the markdown editor (a contenteditable textbox) gets its field's label;
 * - the rich text / markdown switch gets a name and its state (aria-checked);
 * - icon-only buttons of list items (collapse/expand) get a name.
 */
const MODE_KEY = "cms.md-mode";  // where Decap's markdown widget keeps the chosen mode

function labelFor(element) {
  const container = element.closest("[class*=ControlContainer]");
  const label = container && container.querySelector("label[for]");
  if (!label) return null;
  if (!label.id) label.id = `${label.htmlFor}-label`;
  return label.id;
}

function repair(root) {
  for (const frame of root.querySelectorAll("iframe:not([title])")) {
    frame.title = "Pratinjau";
  }
  for (const editor of root.querySelectorAll("[data-slate-editor]:not([aria-labelledby])")) {
    const id = labelFor(editor);
    if (id) editor.setAttribute("aria-labelledby", id);
  }
  for (const toggle of root.querySelectorAll("button[role=switch]")) {
    if (!toggle.hasAttribute("aria-label")) toggle.setAttribute("aria-label", "Tulis dalam format markdown");
    const raw = localStorage.getItem(MODE_KEY) === "raw";
    if (toggle.getAttribute("aria-checked") !== String(raw)) toggle.setAttribute("aria-checked", String(raw));
  }
  for (const button of root.querySelectorAll("[class*=TopBar] button:not([aria-label])")) {
    if (!button.textContent.trim()) button.setAttribute("aria-label", "Buka atau tutup");
  }
}

export function repairAccessibility() {
  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      repair(document);
    });
  });
  observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  repair(document);
}
