"""Run real queries against a `search_index.json` the way Material's search worker does.

A port, with lunr.py standing in for lunr.js 2.3.9, of what mkdocs-material 9.x
does in `src/templates/assets/javascripts/integrations/search/` (worker bundle
`workers/search.*.min.js`, whose source map carries the TypeScript):

Indexing (`Search` constructor, `internal/tokenize`):
  - `b(0)`, `ref("location")`, one lunr field per key of `config.fields`
    with its boost, each document added with its own `boost`;
  - Material's tokenizer: text between HTML tags only, split at
    `config.separator`, lowercased;
  - of lunr's default pipeline (trimmer, stopWordFilter, stemmer) only the
    functions named in `config.pipeline` stay (search pipeline: stemmer only).

Querying (`Search.search`, `query/transform`, `query/_`):
  - `transformSearchQuery`: trim; quoted parts become `+`-required terms;
    stray `+ - * : ^ ~` and quotes are dropped; each whitespace-separated part
    is lexed by lunr's QueryLexer and each TERM is split at the separator,
    keeping the rest of the part around it (so "e-KTP" becomes "e-KTP e-KTP");
    a missing number after `~`/`^` becomes 1; every term without `+`/`-` or a
    number modifier gets a trailing `*`. lunr then parses "e-KTP*" as the exact
    term "e" and the *prefix* term "ktp*": every plain word is a prefix query
    that skips the pipeline.
  - the lunr score of each hit is multiplied by `1 + boost**2`, where boost is
    1 for a page's main document (0 for a section) plus the share of query
    terms that some matched index term starts with; hits are sorted again,
    then grouped by page in order of their best hit; a group without its
    page's main document gets it appended with score 0.

Not ported: the Chinese/Japanese segmenters, `lunr-languages` stemmers for a
`config.lang` other than "en", and search suggestions.
"""

from __future__ import annotations

import functools
import json
import math
import re
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lunr.builder import Builder
from lunr.exceptions import QueryParseError
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.query import Query, QueryPresence
from lunr.query_lexer import QueryLexer
from lunr.query_parser import QueryParser
from lunr.stemmer import stemmer as lunr_stemmer
from lunr.stop_word_filter import WORDS as LUNR_STOP_WORDS
from lunr.stop_word_filter import stop_word_filter as lunr_stop_word_filter
from lunr.token import Token

DEFAULT_SEPARATOR = r"[\s\-]+"
QUERY_FIELDS = ("title", "text", "tags")  # fields Material's query helpers know


# --------------------------------------------------------------------------- tokenizer


def _extract_text(value: str) -> list[str]:
    """Material's `extract`: the text sections of `value`, outside of HTML tags."""
    sections: list[str] = []
    start = end = stack = 0
    while end < len(value):
        char = value[end]
        if char == "<" and end > start:
            sections.append(value[start:end])
            start = end
        elif char == ">":
            if value[start + 1 : start + 2] == "/":
                stack -= 1
            elif value[end - 1 : end] != "/":
                stack += 1
            start = end + 1
        end += 1
    if end > start:
        sections.append(value[start:end])
    return sections


def _split(value: str, separator: re.Pattern[str]) -> list[tuple[int, int]]:
    """Material's `split`: the non-empty ranges of `value` between separator matches."""
    ranges: list[tuple[int, int]] = []
    index = 0
    for match in separator.finditer(value):
        if index < match.start():
            ranges.append((index, match.start()))
        index = match.end()
    if index < len(value):
        ranges.append((index, len(value)))
    return ranges


def material_tokens(value: Any, separator: re.Pattern[str]) -> list[str]:
    """Tokens Material's tokenizer makes of a field value (a string or a list of them)."""
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    tokens: list[str] = []
    for item in values:
        for section in _extract_text(str(item)):
            tokens += [section[a:b].lower() for a, b in _split(section, separator)]
    return tokens


_JS_TRIM_START = re.compile(r"^\W+", re.ASCII)  # JavaScript's \W is ASCII-only
_JS_TRIM_END = re.compile(r"\W+$", re.ASCII)


def js_trimmer(token: Token, i: int | None = None, tokens: list[Token] | None = None) -> Token:
    """lunr.js's trimmer (lunr.py's own differs on Unicode and inner punctuation)."""
    return token.update(lambda s, metadata=None: _JS_TRIM_END.sub("", _JS_TRIM_START.sub("", s)))


Pipeline.register_function(js_trimmer, "js_trimmer")

PIPELINE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "trimmer": js_trimmer,
    "stopWordFilter": lunr_stop_word_filter,
    "stemmer": lunr_stemmer,
}


# --------------------------------------------------------------------------- query


def _transform(query: str, fn: Callable[[str], list[str]]) -> str:
    """Material's `transform` (query/transform)."""
    query = query.strip()
    parts = re.split(r'"([^"]+)"', query)
    query = "".join(
        re.sub(r"^(?=[A-Za-z0-9_])|^(?![^\x00-\x7F]|$)|\s+", " +", part) if i & 1 else part
        for i, part in enumerate(parts)
    )
    query = re.sub(r'"|(?:^|\s+)[*+\-:^~]+(?=\s+|$)', "", query)
    terms = [term for part in re.split(r"\s+", query) for term in fn(part)]
    terms = [f"{t}1" if re.search(r"[~^]$", t) else t for t in terms]
    terms = [t if re.search(r"^[+-]|[~^]\d+$", t) else f"{t}*" for t in terms]
    return " ".join(terms)


def transform_search_query(query: str, separator: str = DEFAULT_SEPARATOR) -> str:
    """Material's `transformSearchQuery`: the string its worker hands to `lunr.Index.search`."""
    sep = re.compile(separator)

    def visit(part: str) -> list[str]:
        terms: list[str] = []
        lexer = QueryLexer(part)
        lexer.run()
        for lexeme in lexer.lexemes:
            kind, term = lexeme["type"], lexeme["string"]
            start, end = lexeme["start"], lexeme["end"]
            if kind == QueryLexer.FIELD and term not in QUERY_FIELDS:
                part = part[:end] + " " + part[end + 1 :]  # drop the colon
            elif kind == QueryLexer.TERM:
                terms += [part[:start] + term[a:b] + part[end:] for a, b in _split(term, sep)]
        return terms

    return _transform(query, visit)


def _clauses(query: str) -> list[Any]:
    """Material's `parseSearchQuery`, without prohibited clauses."""
    parsed = Query(list(QUERY_FIELDS))
    QueryParser(query, parsed).parse()
    for clause in parsed.clauses:
        if clause.term.startswith("*"):
            clause.term = clause.term[1:]
        if clause.term.endswith("*"):
            clause.term = clause.term[:-1]
    return [c for c in parsed.clauses if c.presence != QueryPresence.PROHIBITED]


def _query_terms(clauses: list[Any], matched_terms: list[str]) -> dict[str, bool]:
    """Material's `getSearchQueryTerms`: which query terms a hit matched."""
    remaining = list(clauses)
    result: dict[str, bool] = {}
    for term in matched_terms:
        for clause in list(remaining):
            if term.startswith(clause.term):
                result[clause.term] = True
                remaining.remove(clause)
    for clause in remaining:
        if clause.term and clause.term not in LUNR_STOP_WORDS:  # lunr.stopWordFilter(term)
            result[clause.term] = False
    return result


# --------------------------------------------------------------------------- search


@dataclass
class Hit:
    """One search result item: a document, its score and the query terms it matched."""

    location: str
    title: str
    score: float
    terms: dict[str, bool] = field(default_factory=dict)


class MaterialSearch:
    """A lunr.py index built from a `search_index.json` exactly as Material's worker builds it."""

    def __init__(self, index_json: Mapping[str, Any]) -> None:
        config = index_json.get("config") or {}
        self.separator: str = config.get("separator") or DEFAULT_SEPARATOR
        sep = re.compile(self.separator)
        pipeline = config.get("pipeline") or []
        fields: Mapping[str, Mapping[str, Any]] = config.get("fields") or {}
        self.docs: list[dict[str, Any]] = [dict(d) for d in index_json.get("docs") or []]

        # setupSearchDocumentMap: the first document of a path is the page; later ones
        # with the same path are its sections.
        self.by_location: dict[str, dict[str, Any]] = {}
        self.parent: dict[str, str] = {}
        for doc in self.docs:
            path = doc["location"].split("#")[0]
            if path not in self.by_location:
                self.by_location[path] = doc
            else:
                self.by_location[doc["location"]] = doc
                self.parent[doc["location"]] = path

        builder = Builder()
        builder.b(0)
        builder.ref("location")
        for name in ("trimmer", "stopWordFilter", "stemmer"):
            if name in pipeline:
                builder.pipeline.add(PIPELINE_FUNCTIONS[name])
        if "stemmer" in pipeline:
            builder.search_pipeline.add(lunr_stemmer)
        for name, spec in fields.items():
            builder.field(
                name,
                boost=spec.get("boost", 1),
                extractor=functools.partial(_field_tokens, name=name, separator=sep),
            )
        for doc in self.docs:
            attributes = {"boost": doc["boost"]} if doc.get("boost") is not None else {}
            builder.add(doc, attributes)
        self.index: Index = builder.build()

    def transform(self, query: str) -> str:
        """The query string Material's worker would pass to lunr."""
        return transform_search_query(query, self.separator)

    def search(self, query: str) -> list[list[Hit]]:
        """Result groups (one per page, best first), each a list of hits as Material orders them."""
        transformed = self.transform(query)
        if not transformed:
            return []
        try:
            clauses = _clauses(transformed)
            results = self.index.search(transformed)
        except QueryParseError:
            return []  # the worker logs "Invalid query" and returns no items

        hits: list[Hit] = []
        for result in results:
            doc = self.by_location.get(result["ref"])
            if doc is None:
                continue
            terms = _query_terms(clauses, list(result["match_data"].metadata))
            is_page = result["ref"] not in self.parent
            matched = sum(1 for t in terms.values() if t)
            boost = int(is_page) + (matched / len(terms) if terms else math.nan)
            score = result["score"] * (1 + boost**2)
            hits.append(Hit(doc["location"], doc.get("title", ""), score, terms))
        hits.sort(key=functools.cmp_to_key(_js_compare))

        groups: dict[str, list[Hit]] = {}
        for hit in hits:
            page = self.parent.get(hit.location, hit.location)
            groups.setdefault(page, []).append(hit)
        for page, items in groups.items():
            if not any(item.location == page for item in items):
                doc = self.by_location[page]
                items.append(Hit(page, doc.get("title", ""), 0.0))
        return list(groups.values())

    def pages(self, query: str) -> list[str]:
        """Locations of the pages found, in the order Material lists them."""
        return [self.parent.get(g[0].location, g[0].location) for g in self.search(query)]


def _field_tokens(doc: Mapping[str, Any], *, name: str, separator: re.Pattern[str]) -> list[str]:
    return material_tokens(doc.get(name), separator)


def _js_compare(a: Hit, b: Hit) -> int:
    """`(a, b) => b.score - a.score`; a NaN difference counts as equal, as in JavaScript."""
    difference = b.score - a.score
    if math.isnan(difference) or difference == 0:
        return 0
    return 1 if difference > 0 else -1


_BUILT: dict[int, tuple[Mapping[str, Any], MaterialSearch]] = {}


def search_built_index(index_json: Mapping[str, Any], query: str) -> list[str]:
    """Pages (locations) that Material's search lists for `query`, best first.

    `index_json` is a parsed `search/search_index.json`. The lunr index built
    from it is kept for as long as the same object is passed again.
    """
    cached = _BUILT.get(id(index_json))
    if cached is None or cached[0] is not index_json:
        cached = (index_json, MaterialSearch(index_json))
        _BUILT[id(index_json)] = cached
    return cached[1].pages(query)


# --------------------------------------------------------------------------- the real worker

_NODE_HARNESS = r"""
const fs = require("fs");
const vm = require("vm");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
let handler = null;
let reply = null;
globalThis.self = globalThis;
globalThis.addEventListener = (type, fn) => { handler = fn; };
globalThis.postMessage = message => reply(message);
console.warn = () => {};
vm.runInThisContext(fs.readFileSync(process.argv[2], "utf8"));
const send = data => new Promise(resolve => { reply = resolve; handler({ data }); });
(async () => {
  await send({ type: 0, data: { ...input.index, options: { suggest: false } } });
  const results = {};
  for (const query of input.queries) {
    const { data } = await send({ type: 2, data: query });
    results[query] = data.items.map(group => group.map(item => [item.location, item.score]));
  }
  process.stdout.write(JSON.stringify(results));
})();
"""


def material_worker_file() -> Path:
    """The search worker shipped in the installed mkdocs-material."""
    import material

    base = Path(material.__file__).parent / "templates/assets/javascripts/workers"
    return next(base.glob("search.*.min.js"))


def run_material_worker(
    index_json: Mapping[str, Any], queries: list[str], *, node: str = "node"
) -> dict[str, list[list[tuple[str, float]]]]:
    """Run queries through Material's real worker in Node.js: query → groups of (location, score).

    Needs `node` on PATH; a cross-check of :class:`MaterialSearch`, not a replacement.
    """
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "harness.js"
        script.write_text(_NODE_HARNESS, encoding="utf-8")
        done = subprocess.run(
            [node, str(script), str(material_worker_file())],
            input=json.dumps({"index": index_json, "queries": queries}),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    raw = json.loads(done.stdout)
    return {
        query: [[(location, score) for location, score in group] for group in groups]
        for query, groups in raw.items()
    }
