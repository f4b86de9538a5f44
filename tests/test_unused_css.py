"""primer/unused_css.py: which theme rules survive, on small stylesheets with known answers.
(That the pruned theme draws every page exactly as the whole theme does: tests/site/test_unused_css.py.)"""
from pathlib import Path

import pytest

from primer.unused_css import SiteVocabulary, UnusedCssError, prune_stylesheet, prune_theme_stylesheets

PAGE = """<html><body><header class="md-header md-header--shadow">
<input data-md-color-scheme=slate data-md-color-primary="indigo"></header>
<div class=md-typeset><pre class=highlight></pre></div>
<script>el.classList.add("md-search-result__more")</script></body></html>"""
BUNDLE = 'x("div",{class:"md-tooltip md-tooltip--active"});t.className=`md-tag--${name}`'


@pytest.fixture
def vocabulary() -> SiteVocabulary:
    words = SiteVocabulary()
    words.add_html(PAGE)
    words.add_javascript(BUNDLE)
    return words


def kept(css: str, vocabulary: SiteVocabulary) -> str:
    return prune_stylesheet(css, vocabulary)


def test_a_rule_for_a_class_on_a_page_is_kept_and_one_for_a_class_nowhere_is_dropped(vocabulary):
    assert kept(".md-header{top:0}.md-banner{color:red}", vocabulary) == ".md-header{top:0}"


def test_classes_that_only_scripts_add_are_kept(vocabulary):
    css = ".md-tooltip--active{opacity:1}.md-search-result__more{margin:0}.md-tag--docker{color:red}"
    assert kept(css, vocabulary) == css


def test_only_the_selectors_that_cannot_match_leave_a_selector_list(vocabulary):
    assert kept(".md-post__title,.md-typeset h1,.md-consent{margin:0}", vocabulary) == ".md-typeset h1{margin:0}"


def test_a_class_inside_not_or_is_never_a_reason_to_drop(vocabulary):
    css = ".md-typeset :not(.md-banner)>p{margin:0}.md-typeset :is(.md-post,.md-header){top:0}"
    assert kept(css, vocabulary) == css


def test_right_to_left_rules_go_unless_a_page_is_right_to_left(vocabulary):
    css = "[dir=rtl] .md-header{left:0}"
    assert kept(css, vocabulary) == ""
    vocabulary.add_html('<article dir="rtl">')
    assert kept(css, vocabulary) == css


def test_only_the_palettes_a_page_offers_are_kept(vocabulary):
    css = ('[data-md-color-primary=indigo]{--c:blue}[data-md-color-primary=pink]{--c:pink}'
           '[data-md-color-scheme="slate"]{--bg:#000}')
    assert kept(css, vocabulary) == '[data-md-color-primary=indigo]{--c:blue}[data-md-color-scheme="slate"]{--bg:#000}'


def test_at_rules_keep_their_used_rules_and_empty_ones_disappear(vocabulary):
    css = ("@media screen and (min-width:76em){.md-header{top:0}.md-tabs{top:1px}}"
           "@media print{.md-banner{display:none}}"
           "@font-face{font-family:x;src:url(x.woff2)}@keyframes spin{to{transform:rotate(1turn)}}")
    assert kept(css, vocabulary) == ("@media screen and (min-width:76em){.md-header{top:0}}"
                                     "@font-face{font-family:x;src:url(x.woff2)}@keyframes spin{to{transform:rotate(1turn)}}")


def test_unreadable_css_names_the_file_and_place(vocabulary):
    with pytest.raises(UnusedCssError, match=r"theme\.css:1:\d+: unreadable CSS"):
        prune_stylesheet(".md-header{top:0} .md-banner", vocabulary, source="theme.css")


def test_the_built_copy_is_pruned_from_the_pristine_theme_file(tmp_path: Path):
    """mkdocs serve --dirty keeps files already built: pruning the site's copy again would lose
    the rules of a class a page has just started to use; the theme's own file never loses any."""
    theme, site = tmp_path / "theme", tmp_path / "site"
    for root in (theme, site):
        (root / "assets" / "stylesheets").mkdir(parents=True)
    pristine = ".md-header{top:0}.md-banner{color:red}"
    (theme / "assets" / "stylesheets" / "main.css").write_text(pristine)
    (site / "assets" / "stylesheets" / "main.css").write_text(pristine)
    (site / "assets" / "stylesheets" / "main.css.map").write_text("{}")
    (site / "assets" / "stylesheets" / "ours.css").write_text(".unused-here{color:red}")
    (site / "index.html").write_text('<header class="md-header">')

    assert prune_theme_stylesheets(site, [str(theme)]) == {"assets/stylesheets/main.css": (38, 17)}
    assert (site / "assets" / "stylesheets" / "main.css").read_text() == ".md-header{top:0}"
    assert not (site / "assets" / "stylesheets" / "main.css.map").exists(), "a source map that no longer fits"
    assert (site / "assets" / "stylesheets" / "ours.css").read_text() == ".unused-here{color:red}"

    (site / "index.html").write_text('<header class="md-header"><div class="md-banner">')
    prune_theme_stylesheets(site, [str(theme)])
    assert (site / "assets" / "stylesheets" / "main.css").read_text() == pristine
