"""The Colab notebooks: MyST translated to plain Markdown (.ci/myst_markdown.py), release pinned."""

import re
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".ci"))

from myst_markdown import Book, Reference, TranslationError, expand_macros, read_references, translate  # noqa: E402

BOOK = Book(repository="https://github.com/owner/repo", ref="v9.8.7",
            macros={"E": (r"\mathbb{E}", 0), "KL": (r"\operatorname{KL}", 0), "norm": (r"\|#1\|", 1),
                    "Ex": (r"\E_{#1}", 1)},
            references={"smith2020": Reference("Smith", "2020", "Ann Smith (2020). A paper."),
                        "doe2019": Reference("Doe et al.", "2019", "Jo Doe, Al Roe and Cy Poe (2019). B.")},
            titles={"01-intro": "Introduction", "02-next": "Next steps", "claims": "Claims"},
            chapters=frozenset({"01-intro", "02-next"}))


def run(*cells: str) -> list[str]:
    """Translate cells (a string starting with 'code:' is a code cell); return every cell's source."""
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(c.removeprefix("code:")) if c.startswith("code:")
        else nbformat.v4.new_markdown_cell(c) for c in cells])
    return [cell.source for cell in translate(notebook, BOOK, "01-intro.md").cells]


def test_a_proof_block_becomes_a_numbered_titled_quote():
    (text,) = run(":::{prf:proposition} `my-claim`\n:label: claim-my-claim\n\nIt holds: $\\E x = 0$.\n:::\n\n"
                  ":::{prf:proposition} Second\n:label: second\n\nAlso.\n:::")
    assert text == ("> **Proposition 1** (`my-claim`)\n>\n> It holds: $\\mathbb{E} x = 0$.\n\n"
                    "> **Proposition 2** (Second)\n>\n> Also.")


def test_admonitions_nested_blocks_and_multiline_math_in_a_quote():
    (text,) = run("::::{admonition} Erratum: `x`\n:class: warning\n\nWrong: $a +\nb$.\n\n"
                  ":::{note}\nInner.\n:::\n::::")
    assert text == "> **Erratum: `x`**\n>\n> Wrong: $a + b$.\n>\n> > **Note**\n> >\n> > Inner."


def test_a_glued_value_points_at_the_cell_that_prints_it():
    cells = run("Before: {glue:text}`later:.2f`.", "code:glue(\"later\", 1.0)\nglue('fig_a', fig)",
                "After: {glue:text}`later`.",
                "```{glue:figure} fig_a\n:name: fig-a\n\nThe caption.\n```\n\nAs {numref}`fig-a` shows.")
    assert cells[0] == "Before: `later` (printed below)."
    assert cells[2] == "After: `later` (printed above)."
    assert cells[3] == "> **Figure 1** (`fig_a`, drawn above)\n>\n> The caption.\n\nAs Figure 1 shows."


def test_a_name_glued_at_run_time_points_at_the_cell_that_computes_names():
    cells = run("code:for k in (1, 2):\n    glue(f\"x{k}\", k)", "Then {glue:text}`x2`.")
    assert cells[1] == "Then `x2` (printed above)."


def test_a_glue_without_a_gluing_cell_is_an_error():
    with pytest.raises(TranslationError, match=r"01-intro.md, cell 0: no code cell glues 'nothing'"):
        run("{glue:text}`nothing`")


def test_downloads_pages_and_relative_links_point_into_the_repository_at_the_tag():
    (text,) = run("{download}`the lecture <sources/a.txt>`, {download}`sources/b.txt`, "
                  "{doc}`next <02-next>`, {doc}`claims`, [back](01-intro.md), [file](sources/c.txt), "
                  "[web](https://example.org/x.md), [here](#section)")
    assert text == ("[the lecture](https://github.com/owner/repo/blob/v9.8.7/book/sources/a.txt), "
                    "[b.txt](https://github.com/owner/repo/blob/v9.8.7/book/sources/b.txt), "
                    "[next](https://colab.research.google.com/github/owner/repo/blob/v9.8.7/notebooks/02-next.ipynb), "
                    "[Claims](https://github.com/owner/repo/blob/v9.8.7/book/claims.md), "
                    "[back](https://colab.research.google.com/github/owner/repo/blob/v9.8.7/notebooks/01-intro.ipynb), "
                    "[file](https://github.com/owner/repo/blob/v9.8.7/book/sources/c.txt), "
                    "[web](https://example.org/x.md), [here](#section)")


def test_citations_are_author_year_with_the_references_at_the_end():
    cells = run("As {cite:t}`doe2019` and {cite:p}`smith2020,doe2019` show; {cite:t}`smith2020`.")
    assert cells[0] == "As Doe et al. (2019) and (Smith, 2020; Doe et al., 2019) show; Smith (2020)."
    assert cells[-1] == "## References\n\n- Jo Doe, Al Roe and Cy Poe (2019). B.\n- Ann Smith (2020). A paper."


def test_an_unknown_citation_is_an_error():
    with pytest.raises(TranslationError, match="'nobody1999' is not in the bibliography"):
        run("{cite:t}`nobody1999`")


def test_section_labels_and_comments_go_and_references_name_the_section():
    (text,) = run("(sec-a)=\n## Part A\n\n% a MyST comment\nSee {ref}`sec-a`.")
    assert text == "## Part A\n\nSee the section “Part A”."


def test_code_is_left_alone():
    (text,) = run("Inline `{cite:t}` and `$\\E$`.\n\n```python\n{download}`x`\n$\\E$\n```")
    assert text == "Inline `{cite:t}` and `$\\E$`.\n\n```python\n{download}`x`\n$\\E$\n```"


@pytest.mark.parametrize("myst, error", [
    (":::{tab-set}\nx\n:::", "directive {tab-set}"),
    ("{eq}`energy`", "role {eq}`energy`"),
    ("{numref}`fig-elsewhere`", "'fig-elsewhere', which is not labelled in this chapter"),
    ("{doc}`missing-page`", "'missing-page', which is not a page of book/"),
])
def test_myst_without_a_translation_is_an_error_naming_it(myst, error):
    with pytest.raises(TranslationError, match=re.escape(error)):
        run(myst)


@pytest.mark.parametrize("tex, expanded", [
    (r"\E_z f + \KL(p \| q)", r"\mathbb{E}_z f + \operatorname{KL}(p \| q)"),
    (r"\Ex{p} \norm{x - y}", r"\mathbb{E}_{p} \|x - y\|"),        # arguments; a macro in a macro
    (r"\Eps \KLx \\E", r"\Eps \KLx \\E"),                        # other control words; \\ then E
    (r"\KL x", r"\operatorname{KL} x"),
    (r"\norm x", r"\|x\|"),                                      # an unbraced argument
])
def test_macros_are_expanded_as_whole_control_words(tex, expanded):
    assert expand_macros(tex, BOOK.macros) == expanded


def test_macros_are_expanded_in_math_only():
    (text,) = run(r"Text \E, math $\E$ and $$\KL$$.")
    assert text == r"Text \E, math $\mathbb{E}$ and $$\operatorname{KL}$$."


def test_a_macro_that_expands_forever_is_an_error():
    with pytest.raises(TranslationError, match="without end"):
        expand_macros(r"\a", {"a": (r"\a\a", 0)})


def test_references_decode_latex_and_shorten_authors(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@inproceedings{k, title={{Wasserstein} GAN}, author={Arjovsky, Martin and Bottou, L{\\'e}on},"
                   " booktitle={ICML}, pages={214--223}, year={2017}}")
    (reference,) = read_references(bib).values()
    assert reference.authors == "Arjovsky and Bottou"
    assert reference.entry == "Martin Arjovsky and Léon Bottou (2017). Wasserstein GAN. *ICML*, pp. 214–223."


def test_the_book_is_read_from_its_configuration():
    book = Book.load(ROOT, ref="v1.2.3")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert book.repository == config["repository"]["url"].rstrip("/")
    assert set(book.macros) == set(config["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"])
    assert {"goodfellow2014", "arjovsky2017"} <= set(book.references)
    assert book.chapters == {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}


def test_every_notebook_installs_the_release_of_the_package_version():
    """The pin of every install cell is the tag of the version in pyproject.toml, which is also
    the version the package reports."""
    import ganbook

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert ganbook.__version__ == version
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 11
    for path in notebooks:
        install = nbformat.read(path, as_version=4).cells[0]
        assert "colab-install" in install.metadata.get("tags", []), f"{path.name}: first cell is not the install cell"
        pins = re.findall(r'"ganbook @ ([^"]+)"', install.source)
        assert pins == [f"git+{url}@v{version}"], f"{path.name}: installs {pins}"
        assert 'if "google.colab" in sys.modules' in install.source


def test_a_block_is_set_apart_from_the_text_around_it():
    (text,) = run("Before.\n:::{note}\nInside.\n:::\nAfter.")
    assert text == "Before.\n\n> **Note**\n>\n> Inside.\n\nAfter."
