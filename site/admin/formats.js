/* How the editor reads and writes our files: the same bytes the terminal way writes.
 *
 * - portal-frontmatter (announcements): the front matter in the layout of
 *   `portal new-closure` (site/portal/cli.py): title, date, categories, summary,
 *   closure (offices, first_day, days or last_day, reason, instead), texts in
 *   double quotes; then a blank line and the markdown body. The file name is the
 *   one new-closure gives (`closureSlug`).
 * - portal-yaml (site.yml, offices.yml): the file is edited in place, value by value,
 *   so its comments, key order and quoting stay as they were.
 *
 * YAML is read with the `yaml` library's core schema: dates stay text, as in the
 * checker (chalicelib/yamlfile.py).
 */

import { isClosure } from "./widgets.js";

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)^---[ \t]*\r?$\n?/m;
const CLOSURE_ORDER = ["offices", "first_day", "days", "last_day", "reason", "instead"];
const TOP_ORDER = ["title", "date", "categories", "summary", "closure"];
// PyYAML (YAML 1.1) reads these bare words as booleans or null: quote them.
const SPECIAL = new Set(["y", "yes", "n", "no", "true", "false", "on", "off", "null", "~", ""]);

// cli.py's _slug: a title's words stop at its first date word; trailing connectors and
// day numbers go.
const DATE_WORDS = new Set(["senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu",
  "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september",
  "oktober", "november", "desember"]);
const CONNECTORS = new Set(["mulai", "sampai", "hingga", "pada", "tanggal", "tgl", "dari"]);
const MAX_SLUG = 60;

/** The file name of `portal new-closure --title`: first day, then the title's words
 * before its dates, cut at a word boundary (60 characters at most; cli.py's _slug). */
export function closureSlug(data) {
  const closure = data.closure || {};
  const day = closure.first_day || data.date || "";
  let words = String(data.title || "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().split(/\s+/)
    .filter(Boolean);
  const dateAt = words.findIndex((word) => DATE_WORDS.has(word));
  if (dateAt >= 0) words = words.slice(0, dateAt);
  while (words.length && (CONNECTORS.has(words[words.length - 1]) || /^\d+$/.test(words[words.length - 1]))) {
    words.pop(); // "tutup 1-3 Desember": the day numbers go with the month
  }
  let slug = "";
  for (const word of words) {
    const candidate = slug ? `${slug}-${word}` : word;
    if (candidate.length > MAX_SLUG) break;
    slug = candidate;
  }
  if (!slug && words.length) slug = words[0].slice(0, MAX_SLUG);
  return `${day}-${slug}`;
}

/** cli.py's _yaml_str: a double-quoted scalar, newlines joined with spaces. */
export function quoted(value) {
  const text = String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, " ");
  return `"${text}"`;
}

function plainOrQuoted(value) {
  const text = String(value);
  const safe = /^[\p{L}\p{N}][\p{L}\p{N} ._()-]*$/u.test(text) && !/ $/.test(text)
    && !SPECIAL.has(text.toLowerCase()) && !/^[-+]?[\d._]+$/.test(text);
  return safe ? text : quoted(text);
}

function flowList(items) {
  return `[${items.map(plainOrQuoted).join(", ")}]`;
}

function empty(value) {
  if (value === null || value === undefined || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.values(value).every(empty);
  return false;
}

function isDay(value) {
  return /^\d{4}-\d{2}-\d{2}$/.test(String(value));
}

function scalar(key, value) {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return flowList(value);
  if (isDay(value) && ["date", "first_day", "last_day"].includes(key)) return String(value);
  return quoted(value);
}

function offices(value) {
  const list = Array.isArray(value) ? value : [value];
  return list.includes("all") ? "all" : flowList(list);
}

export function frontMatterFormat(YAML, { closure_category: closureCategory }) {
  return {
    fromFile(content) {
      const match = FRONT_MATTER.exec(content);
      if (!match) return { body: content };
      const meta = YAML.parse(match[1], { schema: "core" }) || {};
      if (meta.closure && meta.closure.offices === "all") meta.closure.offices = ["all"];
      return { ...meta, body: content.slice(match[0].length).replace(/^(\r?\n)+/, "") };
    },
    toFile(data) {
      const lines = ["---"];
      if (isClosure(data.closure) && empty(data.categories)) {
        data = { ...data, categories: [closureCategory] };  // as `portal new-closure` writes it
      }
      const rest = {};
      for (const key of Object.keys(data)) {
        if (!TOP_ORDER.includes(key) && key !== "body" && !key.startsWith("__") && !empty(data[key])) {
          rest[key] = data[key];
        }
      }
      for (const key of TOP_ORDER) {
        const value = data[key];
        if (empty(value)) continue;
        if (key === "closure" && !isClosure(value)) continue;  // a plain announcement
        if (key !== "closure") {
          lines.push(`${key}: ${scalar(key, value)}`);
          continue;
        }
        lines.push("closure:");
        for (const inner of CLOSURE_ORDER) {
          if (empty(value[inner])) continue;
          const text = inner === "offices" ? offices(value[inner]) : scalar(inner, value[inner]);
          lines.push(`  ${inner}: ${text}`);
        }
        for (const inner of Object.keys(value)) {
          if (!CLOSURE_ORDER.includes(inner) && !empty(value[inner])) {
            lines.push(`  ${inner}: ${scalar(inner, value[inner])}`);
          }
        }
      }
      if (Object.keys(rest).length) {
        lines.push(YAML.stringify(rest, { schema: "core" }).trimEnd());
      }
      lines.push("---", "");
      const body = String(data.body || "").replace(/^(\r?\n)+/, "").replace(/\s*$/, "\n");
      return `${lines.join("\n")}\n${body}`;
    },
  };
}

// --------------------------------------------------------------------------- plain YAML files

/** Put `value` into `node` (a YAML node of the file), keeping what did not change. */
function merge(doc, YAML, node, value) {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && YAML.isMap(node)) {
    for (const [key, inner] of Object.entries(value)) {
      const existing = node.get(key, true);
      if (existing === undefined) {
        if (!empty(inner)) node.set(key, doc.createNode(inner));  // a new key only when filled
      } else if (inner === null || inner === undefined) {
        node.delete(key);
      } else {
        node.set(key, merge(doc, YAML, existing, inner));
      }
    }
    if (node.flow && node.items.length) node.flow = false;  // `hours: {}` filled in: one day per line
    return node;
  }
  if (Array.isArray(value) && YAML.isSeq(node)) {
    if (node.items.length === value.length) {
      value.forEach((inner, index) => { node.items[index] = merge(doc, YAML, node.items[index], inner); });
      return node;
    }
    const created = doc.createNode(value);
    created.flow = node.flow;  // `services: [ktp-el]` stays on one line
    return created;
  }
  if (YAML.isScalar(node) && (value === null || typeof value !== "object")) {
    if (node.value !== value) node.value = value;
    return node;
  }
  return doc.createNode(value);
}

export function yamlFormat(YAML) {
  const documents = [];  // the files read so far, to write back into
  const options = { flowCollectionPadding: false, lineWidth: 100 };
  function documentFor(data) {
    const keys = Object.keys(data);
    let best = null;
    let score = 0;
    for (const doc of documents) {
      const known = YAML.isMap(doc.contents) ? doc.contents.items.map((pair) => String(pair.key)) : [];
      const shared = keys.filter((key) => known.includes(key)).length;
      if (shared > score) { best = doc; score = shared; }
    }
    return best;
  }
  return {
    fromFile(content) {
      const doc = YAML.parseDocument(content, { schema: "core" });
      documents.push(doc);
      return doc.toJS() || {};
    },
    toFile(data) {
      const clean = JSON.parse(JSON.stringify(data, (key, value) => (key.startsWith("__") ? undefined : value)));
      const doc = documentFor(clean);
      if (!doc) return new YAML.Document(clean, { schema: "core" }).toString(options);
      doc.contents = merge(doc, YAML, doc.contents, clean);
      return doc.toString(options);
    },
  };
}
