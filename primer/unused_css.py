"""Drop the theme's CSS rules that can match nothing this site ever shows.

Material ships one stylesheet for every feature it has (blog posts, cookie consent, version
selector, right-to-left text, nineteen colour palettes...): about 150 KB on every first page
load, a third of which no page of ours can use. After each build, each of the theme's
stylesheets is rewritten from its pristine copy in the theme, keeping every rule with at least
one selector that could still match.

A selector is dropped only when it *requires* something absent from the built site:
- a class that appears in no `class` attribute of any built page and in no JavaScript the
  site ships (the theme's scripts add classes such as the search results' at run time);
- `dir=...` or a `data-md-color-*` value that no built page carries (the palette toggles copy
  the values in the header's inputs onto <body>).
Requirements inside functional pseudo-classes (`:not(.x)`, `:is(...)`) are never used to drop a
selector: `:not(.unused)` matches everything. Rules the pruner does not understand (@font-face,
@keyframes, ...) are kept whole. Because the vocabulary comes from the build's own output, a page
that starts using a new class keeps that class's rules on its next build.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import tinycss2

# Attributes whose values the theme's selectors switch on and whose every value we can see.
_SWITCH_ATTRIBUTE = r"(?:dir|data-md-color-[a-z]+)"
_CLASS_ATTRIBUTE = re.compile(r"""\bclass=(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
_SWITCH_IN_HTML = re.compile(r"\b(" + _SWITCH_ATTRIBUTE + r""")=(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_JS_WORD = re.compile(r"[A-Za-z_][\w-]*")
# A class name a script builds from a prefix: `md-tag--${name}`.
_JS_CLASS_PREFIX = re.compile(r"([A-Za-z_][\w-]*)\$\{")
_SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_SELECTOR_SWITCH = re.compile(r"\[(" + _SWITCH_ATTRIBUTE + r")=[\"']?([\w-]+)[\"']?\]")


class UnusedCssError(Exception):
    """A stylesheet the pruner cannot read; the message names the file."""


@dataclass
class SiteVocabulary:
    """Every class and switch-attribute value the built site can put in its DOM."""
    classes: set[str] = field(default_factory=set)
    js_words: set[str] = field(default_factory=set)
    js_class_prefixes: set[str] = field(default_factory=set)
    switches: set[tuple[str, str]] = field(default_factory=set)

    def add_html(self, html: str) -> None:
        for match in _CLASS_ATTRIBUTE.finditer(html):
            self.classes.update(next(g for g in match.groups() if g is not None).split())
        for match in _SWITCH_IN_HTML.finditer(html):
            self.switches.add((match.group(1), next(g for g in match.groups()[1:] if g is not None)))
        for script in _INLINE_SCRIPT.findall(html):
            self.add_javascript(script)

    def add_javascript(self, source: str) -> None:
        self.js_words.update(_JS_WORD.findall(source))
        self.js_class_prefixes.update(_JS_CLASS_PREFIX.findall(source))

    def has_class(self, name: str) -> bool:
        return (name in self.classes or name in self.js_words
                or any(name.startswith(prefix) for prefix in self.js_class_prefixes))

    @classmethod
    def of_site(cls, site_dir: Path) -> SiteVocabulary:
        vocabulary = cls()
        for page in site_dir.rglob("*.html"):
            vocabulary.add_html(page.read_text(encoding="utf-8", errors="replace"))
        for script in site_dir.rglob("*.js"):
            vocabulary.add_javascript(script.read_text(encoding="utf-8", errors="replace"))
        return vocabulary


def _outside_parentheses(selector: str) -> str:
    """The selector with the arguments of :not(), :is(), :has()... cut out."""
    kept, depth = [], 0
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def _split_selector_list(prelude: str) -> list[str]:
    """`a, b:is(c, d)` -> ["a", " b:is(c, d)"]: commas inside brackets do not split."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in prelude:
        depth += char in "(["
        depth -= char in ")]"
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def can_match(selector: str, vocabulary: SiteVocabulary) -> bool:
    required = _outside_parentheses(selector)
    if not all(vocabulary.has_class(name) for name in _SELECTOR_CLASS.findall(required)):
        return False
    return all(switch in vocabulary.switches for switch in _SELECTOR_SWITCH.findall(required))


def _prune_rules(rules, vocabulary: SiteVocabulary, source: str) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "error":
            raise UnusedCssError(f"{source}:{rule.source_line}:{rule.source_column}: "
                                 f"unreadable CSS ({rule.message}); the file was left as it is")
        if rule.type == "qualified-rule":
            selectors = [s.strip() for s in _split_selector_list(tinycss2.serialize(rule.prelude))
                         if can_match(s, vocabulary)]
            if selectors:
                kept.append(",".join(selectors) + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in ("media", "supports"):
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            body = _prune_rules(inner, vocabulary, source)
            if body:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(body)}}}")
        elif rule.type == "at-rule":
            kept.append(tinycss2.serialize([rule]))
    return kept


def prune_stylesheet(css: str, vocabulary: SiteVocabulary, source: str = "<stylesheet>") -> str:
    """The stylesheet with every selector that cannot match dropped (and rules left empty)."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "".join(_prune_rules(rules, vocabulary, source))


# A syntax-highlighting token in a built page: <span class=w>  </span> (Pygments' short names).
_TOKEN_SPAN = re.compile(r"""<span class=["']?([a-z][a-z0-9]{0,2})["']?>([^<]*)</span>""")


def unwrap_unstyled_tokens(page_html: str, stylesheets: str) -> str:
    """Code blocks without the <span> of any token class no stylesheet styles (whitespace, `w`,
    is a tenth of a long listing's bytes): the text stays, and with it what the copy button copies."""
    styled = set(_SELECTOR_CLASS.findall(stylesheets))
    return _TOKEN_SPAN.sub(lambda m: m.group(0) if m.group(1) in styled else m.group(2), page_html)


def prune_theme_stylesheets(site_dir: Path, theme_dirs: list[str]) -> dict[str, tuple[int, int]]:
    """Rewrite each of the theme's stylesheets in the built site from its pristine copy in the
    theme (never from the site's copy: `mkdocs serve --dirty` keeps old files, and a pruned copy
    pruned again would lose the rules a page has just started to need). Their source maps no
    longer fit and are removed. Then each page's code loses the spans nothing styles.
    Returns {path: (bytes before, bytes after)}."""
    vocabulary = SiteVocabulary.of_site(site_dir)
    sizes = {}
    for built in sorted((site_dir / "assets" / "stylesheets").glob("*.css")):
        relative = built.relative_to(site_dir)
        pristine = next((Path(d) / relative for d in theme_dirs if (Path(d) / relative).is_file()), None)
        if pristine is None:  # not the theme's: one of ours, small and all in use
            continue
        css = pristine.read_text(encoding="utf-8")
        pruned = prune_stylesheet(css, vocabulary, source=str(pristine))
        built.write_text(pruned, encoding="utf-8")
        built.with_name(built.name + ".map").unlink(missing_ok=True)
        sizes[relative.as_posix()] = (len(css.encode()), len(pruned.encode()))
    every_stylesheet = "".join(css.read_text(encoding="utf-8") for css in site_dir.rglob("*.css"))
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        unwrapped = unwrap_unstyled_tokens(text, every_stylesheet)
        if unwrapped != text:
            page.write_text(unwrapped, encoding="utf-8")
    return sizes
