"""Indonesian words for Material's search: a hidden `keywords` field in the index.

Material for MkDocs searches with lunr.js in a web worker. It has no Indonesian
stemmer, and every query term becomes a *prefix* query ("layanan" is sent as
`layanan*`), so "layanan" never finds a page that only says "pelayanan", and
"akte" never finds "akta". We cannot change the worker, but we can change what
it indexes: after the build, :func:`rewrite_index_file` adds to every document
of `search/search_index.json` a `keywords` string with the words a resident
might type for it and that the document does not already contain:

- the roots of its words (PySastrawi), the other forms of those roots that
  appear anywhere in the site, and the common derived forms of the root
  (root+an, peN-…-an, per-…-an, meN-, di-, with the nasal rules of Indonesian), so
  "pelayanan" brings "layanan" and "layanan" brings "pelayanan";
- residents' words from `data/synonyms.yml` ("akte" for "akta", "ektp" for
  "KTP-el", "kk" for "kartu keluarga", …);
- the `aliases` that a guide lists in its front matter (on the page's main
  document, not on each of its sections).

The worker indexes every field named in `config.fields` of the index, so the
field needs `fields: {keywords: {boost: …}}` in the search plugin's options
(see :data:`SEARCH_PLUGIN_OPTIONS`); :func:`expand_search_index` also writes it
into the index's own `config` if it is missing, as that is what the worker
reads. The worker renders only title, text and tags, so the field stays
hidden. Words are written the way the worker will see them: lowercased, split
at the index's `separator`, one space between them.
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

# Words that carry no topic: never stemmed nor expanded (their forms would only
# bloat the index). Deliberately short; Sastrawi's own stop list holds content
# words for our domain ("baru", "datang", "buat").
FUNCTION_WORDS = frozenset(
    """
    ada adalah agar akan anda antara apa apabila atau bagi bahwa baik bapak belum
    berapa bersama beberapa bila bisa boleh dalam dan dapat dari dengan di dia
    hanya harus hingga ia ibu ini itu jika juga kalau kami karena ke kepada kita
    lagi lain lebih maka masih melalui mereka misalnya nya oleh pada para per pun
    saat saja sama sampai sebagai sebelum secara sedang segera sehingga sejak
    selama seluruh semua sendiri seperti serta setelah setiap sudah supaya
    tanpa telah tentang tersebut tetap tetapi tidak untuk yaitu yakni yang
    """.split()
)

_MIN_STEM_WORD = 4  # shorter words are left alone (Sastrawi returns them unchanged anyway)
_STEMMABLE = re.compile(r"[a-z]+")
_TAG = re.compile(r"<[^>]*>")
# lunr.js's trimmer (`\W` in JavaScript is ASCII-only), which the pipeline runs.
_TRIM_START = re.compile(r"^\W+", re.ASCII)
_TRIM_END = re.compile(r"\W+$", re.ASCII)
_VOWELS = frozenset("aeiou")


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
    """The parsed `synonyms.yml`: rules, words exempt from stemming, stemmer fixes."""

    rules: tuple[SynonymRule, ...]
    protected: frozenset[str]
    stem_fixes: Mapping[str, str]


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
    """Build :class:`Synonyms` from the mapping in `synonyms.yml` (`same`, `also`, `stems`).

    Raises ValueError, naming the entry, on anything malformed.
    """
    if not isinstance(data, dict) or set(data) - {"same", "also", "stems"}:
        raise ValueError(f"{source}: expected a mapping with keys same, also, stems")
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
    return Synonyms(tuple(rules), frozenset(protected), dict(stems))


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
        root: str | None
        if word in self._synonyms.stem_fixes:
            root = self._synonyms.stem_fixes[word]
        elif word in FUNCTION_WORDS or len(word) < _MIN_STEM_WORD:
            root = None
        elif not _STEMMABLE.fullmatch(word):
            root = None
        elif word in self._synonyms.protected:
            root = word
        else:
            root = sastrawi_stem(word)
            if root in FUNCTION_WORDS or len(root) < 3:
                root = None
        self._memo[word] = root
        return root


def _contains(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    first = phrase[0]
    return any(
        words[i] == first and tuple(words[i : i + n]) == phrase
        for i in range(len(words) - n + 1)
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
    (weak, as strong as the text itself) holds the roots, the forms seen in
    the site and the synonyms of the words of its text. Neither repeats a word
    the document already has where it weighs as much or more.

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

    def forms_of(root: str, *, derive: bool) -> set[str]:
        forms = family[root] | {root}
        if derive:
            # A form the site uses for another root belongs to that one.
            forms.update(f for f in derived_forms(root) if owner.get(f, root) == root)
        if root not in synonyms.protected:
            forms -= synonyms.protected  # "tinggal" must not bring "meninggal"
        return forms

    def expand(phrases: Sequence[Sequence[str]], *, derive: bool) -> tuple[set[str], set[str]]:
        """(forms of the words' roots, words that synonyms add) for some phrases."""
        forms: set[str] = set()
        for word in {w for phrase in phrases for w in phrase}:
            root = stem(word)
            if root is not None:
                forms |= forms_of(root, derive=derive)
        added: set[str] = set()
        for rule in synonyms.rules:
            if any(_matches(phrase, rule.when, stem) for phrase in phrases):
                added.update(rule.add)
        return forms, added

    for i, doc in enumerate(docs):
        head, body = set(heads[i]), set(bodies[i])
        alias_words = {w for phrase in aliases.get(i, []) for w in phrase}
        forms, added = expand([heads[i], *aliases.get(i, [])], derive=True)
        exact = (added | alias_words) - head  # kept whole: "e" of "e-ktp" is an exact term
        strong = _prune_prefixes(forms - head - exact, head | exact) | exact
        forms, added = expand([bodies[i]], derive=False)
        known = head | body | strong
        exact = added - known
        weak = _prune_prefixes(forms - known - exact, known | exact) | exact
        doc[KEYWORDS_FIELD] = " ".join(sorted(strong))
        doc[TEXT_KEYWORDS_FIELD] = " ".join(sorted(weak))

    return {**index, "config": config, "docs": docs}


def _matches(words: Sequence[str], phrase: tuple[str, ...], stem: _Stemmer) -> bool:
    if _contains(words, phrase):
        return True
    if len(phrase) == 1:  # "pindah" also matches "perpindahan"
        return any(stem(w) == phrase[0] for w in words if len(w) > len(phrase[0]))
    return False


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
