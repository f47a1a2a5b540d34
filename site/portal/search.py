"""Indonesian words for Material's search: hidden keyword fields in the search index.

Material for MkDocs searches with lunr.js in a web worker. It has no Indonesian
stemmer, and it sends every plain query word as a *prefix* query ("layanan"
becomes `layanan*`), so "layanan" never finds a page that only says
"pelayanan", and "akte" never finds "akta". We cannot change the worker, but we
can change what it indexes: after the build, :func:`rewrite_index_file` adds
two strings to every document of `search/search_index.json`, holding words a
resident might type for it that the document does not already contain:

- `keywords` (boost 100: below a title, far above the text) is what the
  document is about. For a page's main document: for each word of its title
  and of the page's front matter `aliases`, the root (PySastrawi), the forms
  of that root seen anywhere in the site, the common derived forms (root+an,
  peN-…-an, per-…-an, meN-, di-, with Indonesian nasal assimilation) when the
  site uses the root as a verb, and the residents' words of
  `data/synonyms.yml` ("akte" for "akta", "ektp" for "KTP-el"); the aliases
  themselves. For a section: the same for its heading, but only for the
  site's topics (below) and with only the noun forms (root+an, peN-…-an).
- `text_keywords` (boost 1, like the text) holds the same for the words of
  its text: synonyms, and forms of the site's topics with only the noun forms.

The site's topics are the roots of its page titles and aliases: words of a
text such as "umur" get no forms, which keeps the index small (on the real
content the keywords add about a third to the gzipped index).

So "pelayanan" in a text brings "layanan", a title "Layanan …" brings
"pelayanan", and "akta" in a title brings "akte" with the weight of a topic,
while "akta" in passing brings it with the weight of a word of text.

The worker indexes every field named in `config.fields` of the index, which
the search plugin copies from its `fields` option: set
:data:`SEARCH_PLUGIN_OPTIONS` in `mkdocs.yml`. :func:`expand_search_index` also
adds the fields to the index's `config` when they are missing. The worker shows
only title, text and tags, so the fields stay hidden. Words are written as the
worker will read them: lowercased, split at the index's `separator`, trimmed
of punctuation, sorted, one space apart.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

KEYWORDS_FIELD = "keywords"
"""Hidden field: what a document is about (forms and synonyms of its title, aliases)."""

KEYWORDS_BOOST = 100.0
"""Weight of a match in `keywords`: below a title (1000), far above the text (1)."""

TEXT_KEYWORDS_FIELD = "text_keywords"
"""Hidden field: other forms and synonyms of the words of a document's text."""

TEXT_KEYWORDS_BOOST = 1.0
"""Weight of a match in `text_keywords`: the same as the text, as a stemmer would give."""

DEFAULT_SEPARATOR = r"[\s\-]+"
"""Material's separator when `theme.language` is `id` (it falls back to English)."""

SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.yml"

_MIN_STEM_WORD = 4  # shorter words are left alone (Sastrawi returns them unchanged anyway)
_STEMMABLE = re.compile(r"[a-z]+")
_TAG = re.compile(r"<[^>]*>")
# lunr.js's trimmer (`\W` in JavaScript is ASCII-only), which the pipeline runs.
_TRIM_START = re.compile(r"^\W+", re.ASCII)
_TRIM_END = re.compile(r"\W+$", re.ASCII)
_VOWELS = frozenset("aeiou")
_VERBAL = re.compile(r"^(?:me|di|pe|ber|ter)|kan$")  # affixes that make or mark verbs
_ALL_FORMS = 5  # derived forms for title words: all of derived_forms()
_NOUN_FORMS = 2  # for words of the text: root+an and peN-…-an, what residents type most


def search_config_fields() -> dict[str, dict[str, float]]:
    """The `fields` option for the search plugin in `mkdocs.yml` (Material adds its own)."""
    return {
        KEYWORDS_FIELD: {"boost": KEYWORDS_BOOST},
        TEXT_KEYWORDS_FIELD: {"boost": TEXT_KEYWORDS_BOOST},
    }


SEARCH_PLUGIN_OPTIONS: dict[str, Any] = {
    # No English stemmer or stop words; the trimmer drops punctuation around words.
    "pipeline": ["trimmer"],
    "fields": search_config_fields(),
}
"""Options for `plugins: - search:` in `mkdocs.yml` that this module relies on."""


# --------------------------------------------------------------------------- language data


@dataclass(frozen=True)
class SynonymRule:
    """A page whose words contain `when` (a phrase, as words) also gets the words of `add`."""

    when: tuple[str, ...]
    add: tuple[str, ...]


@dataclass(frozen=True)
class Synonyms:
    """The parsed `synonyms.yml`.

    `rules` come from `same` and `also`; `protected` are their words, which are
    never stemmed; `stem_fixes` correct the stemmer; `function_words` are never
    stemmed nor expanded.
    """

    rules: tuple[SynonymRule, ...]
    protected: frozenset[str]
    stem_fixes: Mapping[str, str]
    function_words: frozenset[str]


def _phrase(value: object, where: str, separator: re.Pattern[str]) -> tuple[str, ...]:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected a word or phrase, got {value!r}")
    words = tuple(_words(value, separator))
    if not words or value != value.lower():
        raise ValueError(f"{where}: write {value!r} in lowercase")
    return words


def parse_synonyms(
    data: object, *, source: str = "synonyms", separator: str = DEFAULT_SEPARATOR
) -> Synonyms:
    """Build :class:`Synonyms` from the mapping in `synonyms.yml`.

    Keys: `same`, `also`, `stems`, `function_words`. Raises ValueError, naming
    the entry, on anything malformed.
    """
    keys = {"same", "also", "stems", "function_words"}
    if not isinstance(data, dict) or set(data) - keys:
        raise ValueError(f"{source}: expected a mapping with keys {', '.join(sorted(keys))}")
    sep = re.compile(separator)
    rules: list[SynonymRule] = []
    protected: set[str] = set()

    same = data.get("same") or []
    if not isinstance(same, list):
        raise ValueError(f"{source}: same: expected a list of lists")
    for i, group in enumerate(same):
        if not isinstance(group, list) or len(group) < 2:
            raise ValueError(f"{source}: same[{i}]: expected a list of two or more phrases")
        phrases = [_phrase(p, f"{source}: same[{i}]", sep) for p in group]
        for j, when in enumerate(phrases):
            others = (w for k, other in enumerate(phrases) if k != j for w in other)
            rules.append(SynonymRule(when, tuple(dict.fromkeys(others))))
        protected.update(w for p in phrases for w in p)

    also = data.get("also") or {}
    if not isinstance(also, dict):
        raise ValueError(f"{source}: also: expected a mapping of phrase to list of phrases")
    for key, variants in also.items():
        when = _phrase(key, f"{source}: also", sep)
        if not isinstance(variants, list) or not variants:
            raise ValueError(f"{source}: also: {key}: expected a list of phrases")
        added = (w for v in variants for w in _phrase(v, f"{source}: also: {key}", sep))
        rules.append(SynonymRule(when, tuple(dict.fromkeys(added))))
        protected.update(when)

    stems = data.get("stems") or {}
    if not isinstance(stems, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k == k.lower() and v == v.lower()
        for k, v in stems.items()
    ):
        raise ValueError(f"{source}: stems: expected a mapping of lowercase word to root")

    function_words = data.get("function_words") or []
    if not isinstance(function_words, list) or not all(
        isinstance(w, str) and w == w.lower() and w.isalpha() for w in function_words
    ):
        raise ValueError(f"{source}: function_words: expected a list of lowercase words")
    return Synonyms(tuple(rules), frozenset(protected), dict(stems), frozenset(function_words))


@cache
def load_synonyms(path: Path = SYNONYMS_FILE) -> Synonyms:
    """Read and parse the synonym table (cached; the file is part of the code)."""
    return parse_synonyms(yaml.safe_load(path.read_text(encoding="utf-8")), source=str(path))


# --------------------------------------------------------------------------- morphology


@cache
def _sastrawi() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@cache
def sastrawi_stem(word: str) -> str:
    """Root of one lowercase word by PySastrawi (memoised: a site repeats its words)."""
    return _sastrawi().stem(word) or word


def _syllables(word: str) -> int:
    """Vowels, counting a final diphthong once: buat 2, klaim 2, pakai 2, cek 1."""
    return sum(1 for c in word if c in _VOWELS) - bool(re.search(r"(ai|au|oi)$", word))


def nasal_prefix(root: str, prefix: str) -> str:
    """`root` with meN- (`prefix="me"`) or peN- (`prefix="pe"`), assimilating the nasal.

    >>> nasal_prefix("layan", "pe"), nasal_prefix("tunggu", "me"), nasal_prefix("kirim", "pe")
    ('pelayan', 'menunggu', 'pengirim')
    >>> nasal_prefix("pindah", "me"), nasal_prefix("serah", "pe"), nasal_prefix("cek", "me")
    ('memindah', 'penyerah', 'mengecek')
    """
    first, second = root[0], root[1:2]
    cluster = bool(second) and second not in _VOWELS  # loanwords keep it: proses → memproses
    if _syllables(root) <= 1:
        return prefix + "nge" + root
    if first in _VOWELS:
        return prefix + "ng" + root
    if first in "bfv":
        return prefix + "m" + root
    if first == "p":
        return prefix + "m" + (root if cluster else root[1:])
    if first == "t":
        return prefix + "n" + (root if cluster else root[1:])
    if first in "dcjz":
        return prefix + "n" + root
    if first == "s":
        return prefix + ("n" + root if cluster else "ny" + root[1:])
    if first == "k":
        return prefix + "ng" + (root if cluster or second == "h" else root[1:])
    if first in "gh":
        return prefix + "ng" + root
    return prefix + root  # l m n r w y and the rest


def derived_forms(root: str) -> tuple[str, ...]:
    """The common forms built on `root`: root+an, peN-…-an, per-…-an, meN-, di-.

    >>> derived_forms("layan")
    ('layanan', 'pelayanan', 'perlayanan', 'melayan', 'dilayan')
    >>> derived_forms("pindah")
    ('pindahan', 'pemindahan', 'perpindahan', 'memindah', 'dipindah')
    """
    per = "pe" if root[0] == "r" else "per"  # per- before r is pe-: perekaman
    return (
        root + "an",
        nasal_prefix(root, "pe") + "an",
        per + root + "an",
        nasal_prefix(root, "me"),
        "di" + root,
    )


# --------------------------------------------------------------------------- tokens


def _words(text: str, separator: re.Pattern[str]) -> list[str]:
    """Words of `text` as the index will hold them: no markup, lowercased, split, trimmed."""
    plain = html.unescape(_TAG.sub(" ", text)).lower()
    words = (_TRIM_END.sub("", _TRIM_START.sub("", w)) for w in separator.split(plain))
    return [w for w in words if w]


class _Stemmer:
    """Per-build view of the stemmer: table words are kept, fixes applied."""

    def __init__(self, synonyms: Synonyms) -> None:
        self._synonyms = synonyms
        self._memo: dict[str, str | None] = {}

    def __call__(self, word: str) -> str | None:
        """Root of `word`, or None if the word is not one to expand."""
        try:
            return self._memo[word]
        except KeyError:
            pass
        data = self._synonyms
        if word in data.stem_fixes:
            root: str | None = data.stem_fixes[word]
        elif (
            word in data.function_words
            or len(word) < _MIN_STEM_WORD
            or not _STEMMABLE.fullmatch(word)
        ):
            root = None
        elif word in data.protected:
            root = word
        else:
            root = sastrawi_stem(word)
            if root in data.function_words or len(root) < 3:
                root = None
        self._memo[word] = root
        return root


def _contains(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    first = phrase[0]
    return any(
        words[i] == first and tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)
    )


def _prune_prefixes(candidates: set[str], present: set[str]) -> set[str]:
    """Drop candidates that another word of the document starts with.

    Every term Material sends is a prefix query (`word*`), so a query that
    matches "layan" also matches "layanan": the shorter word adds nothing.
    """
    ordered = sorted(candidates | present)
    following = {w: ordered[i + 1] for i, w in enumerate(ordered[:-1])}
    return {w for w in candidates if not following.get(w, "").startswith(w)}


# --------------------------------------------------------------------------- the index


def _page_of(location: str) -> str:
    return location.split("#", 1)[0].lstrip("/")


def expand_search_index(
    index: Mapping[str, Any],
    *,
    aliases_by_location: Mapping[str, Sequence[str]] | None = None,
    synonyms: Synonyms | None = None,
) -> dict[str, Any]:
    """Return a copy of a parsed `search_index.json` with the two keyword fields on every doc.

    `keywords` (strong) holds what the document is about: the forms and
    synonyms of its title's words, and its page's aliases. `text_keywords`
    (weak, as strong as the text itself) holds the same for the words of its
    text, with fewer derived forms. Neither repeats a word the document
    already has where it weighs as much or more, nor a word that another of
    its words starts with (except synonyms and aliases, kept whole).

    `aliases_by_location` maps a page's location as the index writes it (for
    example `layanan/ktp-el-hilang/`; a leading slash or an anchor is ignored)
    to the phrases of that guide's front matter `aliases`; they go to the
    page's main document only. Raises ValueError for a location without one.
    Expanding an expanded index gives the same result (old keywords are ignored).
    """
    synonyms = synonyms or load_synonyms()
    config = dict(index.get("config") or {})
    separator = re.compile(config.get("separator") or DEFAULT_SEPARATOR)
    fields = dict(config.get("fields") or {})
    for name, spec in search_config_fields().items():
        fields.setdefault(name, spec)
    config["fields"] = fields
    docs = [dict(doc) for doc in index.get("docs") or []]

    wanted = {_page_of(loc): list(phrases) for loc, phrases in (aliases_by_location or {}).items()}
    aliases: dict[int, list[list[str]]] = {}  # doc number → alias phrases as words
    for i, doc in enumerate(docs):
        location = str(doc.get("location", ""))
        if "#" not in location and _page_of(location) in wanted:
            aliases[i] = [_words(str(p), separator) for p in wanted.pop(_page_of(location))]
    if wanted:
        raise ValueError(f"aliases for pages not in the search index: {', '.join(sorted(wanted))}")

    stem = _Stemmer(synonyms)
    heads: list[list[str]] = []  # title and tags: what weighs as much as a title
    bodies: list[list[str]] = []
    family: defaultdict[str, set[str]] = defaultdict(set)  # root → its forms seen in the site
    for i, doc in enumerate(docs):
        head = _words(str(doc.get("title") or ""), separator)
        for tag in doc.get("tags") or []:
            head += _words(str(tag), separator)
        body = _words(str(doc.get("text") or ""), separator)
        heads.append(head)
        bodies.append(body)
        for word in (*head, *body, *(w for phrase in aliases.get(i, []) for w in phrase)):
            root = stem(word)
            if root is not None:
                family[root].add(word)
    owner = {form: root for root, forms in family.items() for form in forms}
    # Roots of what the site's pages are about: their titles (not the section
    # headings, which repeat "Dokumen yang diperlukan" on every guide), tags and
    # aliases. Other words of a text get no forms: nobody searches for "umur".
    topics = {
        root
        for i, doc in enumerate(docs)
        if "#" not in str(doc.get("location", ""))
        for word in (*heads[i], *(w for phrase in aliases.get(i, []) for w in phrase))
        if (root := stem(word)) is not None
    }

    def forms_of(root: str, *, derive: int) -> set[str]:
        seen = family[root] | {root}
        # "kartunya" is not what people type, and "kartu*" finds it anyway.
        forms = {f for f in seen if not (f.endswith("nya") and f[:-3] in seen)}
        # Derive only from roots that the site itself uses as verbs: "pindah" seen
        # as "dipindahkan" brings "perpindahan"; "kartu", "september" or the
        # "bandung" of "Bandungan" would only bring words nobody types.
        if derive and any(_VERBAL.search(f) for f in family[root] - {root}):
            # A form the site uses for another root belongs to that one.
            forms.update(f for f in derived_forms(root)[:derive] if owner.get(f, root) == root)
        if root not in synonyms.protected:
            forms -= synonyms.protected  # "tinggal" must not bring "meninggal"
        return forms

    def expand(
        phrases: Sequence[Sequence[str]], *, derive: int, topical_only: bool = False
    ) -> tuple[set[str], set[str]]:
        """(forms of the words' roots, words that synonyms add) for some phrases.

        `derive` is how many of :func:`derived_forms` to add for a verbal root;
        `topical_only` limits the forms to roots in `topics`.
        """
        words = {w for phrase in phrases for w in phrase}
        roots = {r for r in map(stem, words) if r is not None}
        forms: set[str] = set()
        for root in roots & topics if topical_only else roots:
            forms |= forms_of(root, derive=derive)
        added: set[str] = set()
        for rule in synonyms.rules:
            first = rule.when[0]
            if len(rule.when) == 1:
                hit = first in words or first in roots  # "pindah" matches "dipindahkan"
            else:
                hit = first in words and any(_contains(p, rule.when) for p in phrases)
            if hit:
                added.update(rule.add)
        return forms, added

    for i, doc in enumerate(docs):
        head, body = set(heads[i]), set(bodies[i])
        alias_words = {w for phrase in aliases.get(i, []) for w in phrase}
        if "#" in str(doc.get("location", "")):  # a section: its heading is mostly structure
            forms, added = expand([heads[i]], derive=_NOUN_FORMS, topical_only=True)
        else:
            forms, added = expand([heads[i], *aliases.get(i, [])], derive=_ALL_FORMS)
        exact = (added | alias_words) - head  # kept whole: "e" of "e-ktp" is an exact term
        strong = _prune_prefixes(forms - head - exact, head | exact) | exact
        forms, added = expand([bodies[i]], derive=_NOUN_FORMS, topical_only=True)
        known = head | body | strong
        exact = added - known
        weak = _prune_prefixes(forms - known - exact, known | exact) | exact
        doc[KEYWORDS_FIELD] = " ".join(sorted(strong))
        doc[TEXT_KEYWORDS_FIELD] = " ".join(sorted(weak))

    return {**index, "config": config, "docs": docs}


def rewrite_index_file(
    path: Path, aliases_by_location: Mapping[str, Sequence[str]] | None = None
) -> dict[str, Any]:
    """Expand the `search_index.json` at `path` in place (compact JSON, as Material writes it).

    Returns the expanded index.
    """
    index = json.loads(path.read_text(encoding="utf-8"))
    expanded = expand_search_index(index, aliases_by_location=aliases_by_location)
    path.write_text(
        json.dumps(expanded, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    return expanded


def keyword_words(index: Mapping[str, Any]) -> Iterable[str]:
    """Every keyword of an expanded index (both fields), for size checks and debugging."""
    for doc in index.get("docs") or []:
        for name in (KEYWORDS_FIELD, TEXT_KEYWORDS_FIELD):
            yield from str(doc.get(name) or "").split()
