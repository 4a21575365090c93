"""Translate a chapter's MyST Markdown into the plain Markdown that Jupyter and Colab render.

The book's pages are MyST: directives (``:::{prf:proposition}``, admonitions, ``{glue:figure}``),
roles (``{cite:t}``, ``{download}``, ``{glue:text}``, ``{doc}``, ``{numref}``), label lines
``(name)=`` and the MathJax macros defined in ``_config.yml`` (``\\E``, ``\\KL``, ...). A notebook
front end renders none of them. :func:`translate` rewrites every Markdown cell of a chapter from
the MyST syntax alone (no chapter's text is special-cased):

- proof-style blocks (``prf:*``) and admonitions become a titled block quote;
- ``{download}`` and ``{doc}`` become links into the repository at the release's tag (a
  chapter opens as its notebook in Colab); ``{ref}``/``{numref}``/``{prf:ref}`` name the figure,
  block or section they point at;
- citations become "Author (year)", with the references listed in a last cell;
- a glued value or figure becomes a pointer to the code cell that prints or draws it (outside
  the book ``ganbook.page.glue`` displays it there);
- macros are expanded inside math (Colab's renderer keeps no definitions between cells).

Any other MyST construct raises :class:`TranslationError` naming the chapter, the cell and the
construct: nothing MyST-only passes through to a notebook silently.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from pybtex.database import parse_file
from pybtex.richtext import Text

ADMONITIONS = {"note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important",
               "hint": "Hint", "caution": "Caution", "attention": "Attention", "danger": "Danger",
               "error": "Error", "seealso": "See also"}
CODE_DIRECTIVES = ("code-block", "code", "sourcecode")

OPENING = re.compile(r"^ {0,3}(?P<fence>:{3,}|`{3,})\{(?P<name>[^}\s]+)\}[ \t]*(?P<args>.*)$")
CODE_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?!.*\{)")
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
TARGET = re.compile(r"^\((?P<label>[^)\s]+)\)=[ \t]*$")
COMMENT = re.compile(r"^%")
HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$")
INLINE = re.compile(r"""
    (?P<role>\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<rticks>`+)(?P<content>.+?)(?P=rticks)(?!`))
  | (?P<code>(?<!`)(?P<ticks>`+).+?(?P=ticks)(?!`))
  | (?P<link>(?P<image>!?)\[(?P<link_text>[^\]]*)\]\((?P<url>[^()\s]+)\))
  | (?P<display>\$\$(?P<display_tex>.+?)\$\$)
  | (?P<inline>(?<![\\$])\$(?![\s$])(?P<inline_tex>(?:\\.|[^$\\])+?)(?<![\s\\])\$(?!\d))
""", re.S | re.X)
TEX_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)", re.S)
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


class TranslationError(ValueError):
    """A chapter uses MyST that has no plain-Markdown translation here."""


@dataclass(frozen=True)
class Reference:
    """One bibliography entry: the in-text form ("Goodfellow et al.", "2014") and the full entry."""

    authors: str
    year: str
    entry: str


@dataclass(frozen=True)
class Book:
    """What translation needs from the book: where links point, macros, references, page titles."""

    repository: str                      # https://github.com/owner/name
    ref: str                             # the git tag links point at, e.g. v0.1.0
    macros: dict[str, tuple[str, int]]   # name (no backslash) -> (body, number of arguments)
    references: dict[str, Reference]
    titles: dict[str, str]               # page path under book/, no suffix -> its title
    chapters: frozenset[str]             # pages that have a notebook in notebooks/

    @classmethod
    def load(cls, root: Path, ref: str) -> "Book":
        """Read ``_config.yml`` (repository, macros, bibliography) and the pages of ``book/``."""
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
        tex = (config.get("sphinx", {}).get("config", {}).get("mathjax3_config", {}) or {}).get("tex", {})
        macros = {name: (body, 0) if isinstance(body, str) else (body[0], int(body[1]))
                  for name, body in (tex.get("macros") or {}).items()}
        references = {}
        for bib in config.get("bibtex_bibfiles", []):
            references.update(read_references(root / bib))
        titles = {}
        for page in sorted((root / "book").glob("*.md")):
            headings = (HEADING.match(line) for line in page.read_text(encoding="utf-8").splitlines())
            title = next((h.group("title") for h in headings if h and not h.group(0).startswith("##")), page.stem)
            titles[page.stem] = title
        chapters = frozenset(p.stem for p in (root / "book").glob("[0-9][0-9]-*.md"))
        return cls(config["repository"]["url"].rstrip("/"), ref, macros, references, titles, chapters)

    def blob(self, path: str) -> str:
        """GitHub's page for a file of the repository at the release's tag."""
        return f"{self.repository}/blob/{self.ref}/{path}"

    def colab(self, path: str) -> str:
        """Colab's address for a notebook of the repository at the release's tag."""
        github = re.sub(r"^https?://github\.com/", "", self.repository)
        return f"https://colab.research.google.com/github/{github}/blob/{self.ref}/{path}"


def read_references(path: Path) -> dict[str, Reference]:
    """Parse a BibTeX file into author-year references (LaTeX accents and braces decoded)."""
    references = {}
    for key, entry in parse_file(str(path)).entries.items():
        def plain(value: str) -> str:
            return Text.from_latex(value).render_as("text")
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [plain(" ".join(p.prelast_names + p.last_names)) for p in people]
        if len(last) == 1:
            authors = last[0]
        elif len(last) == 2:
            authors = f"{last[0]} and {last[1]}"
        elif last:
            authors = f"{last[0]} et al."
        else:
            raise TranslationError(f"{path.name}: entry {key!r} has no author")
        full = [plain(" ".join(p.first_names + p.middle_names + p.prelast_names + p.last_names))
                for p in people]
        names = full[0] if len(full) == 1 else ", ".join(full[:-1]) + " and " + full[-1]
        fields = entry.fields
        venue = fields.get("booktitle") or fields.get("journal") or fields.get("publisher") or ""
        details = [plain(venue)] if venue else []
        if "volume" in fields:
            details.append(f"vol. {fields['volume']}")
        if "pages" in fields:
            details.append(f"pp. {plain(fields['pages'])}")
        year = fields.get("year", "n.d.")
        text = f"{names} ({year}). {plain(fields.get('title', key))}."
        if details:
            text += f" *{details[0]}*" + "".join(f", {d}" for d in details[1:]) + "."
        references[key] = Reference(authors, year, text)
    return references


def expand_macros(tex: str, macros: dict[str, tuple[str, int]], depth: int = 10) -> str:
    """Replace each macro of ``macros`` in ``tex`` by its body (``#1``... by braced arguments)."""
    if not macros:
        return tex
    out, position = [], 0
    for token in TEX_TOKEN.finditer(tex):
        name = token.group(0)[1:]
        if name not in macros or token.start() < position:
            continue
        body, count = macros[name]
        out.append(tex[position:token.start()])
        position = token.end()
        for n in range(1, count + 1):
            argument, position = _argument(tex, position, name)
            body = body.replace(f"#{n}", argument)
        # a space keeps the expansion from gluing onto a following letter (\KL x -> \operatorname{KL} x)
        out.append(body if position >= len(tex) or not tex[position].isalpha() else body + " ")
    out.append(tex[position:])
    result = "".join(out)
    if result != tex:
        if depth == 0:
            raise TranslationError(f"macros expand without end in {tex!r}")
        return expand_macros(result, macros, depth - 1)
    return result


def _argument(tex: str, position: int, name: str) -> tuple[str, int]:
    while position < len(tex) and tex[position].isspace():
        position += 1
    if position >= len(tex):
        raise TranslationError(f"macro \\{name} lacks an argument in {tex!r}")
    if tex[position] != "{":
        token = TEX_TOKEN.match(tex, position)
        end = token.end() if token else position + 1
        return tex[position:end], end
    level = 0
    for end in range(position, len(tex)):
        level += {"{": 1, "}": -1}.get(tex[end], 0)
        if level == 0:
            return tex[position + 1:end], end + 1
    raise TranslationError(f"unbalanced braces after \\{name} in {tex!r}")


@dataclass
class _Directive:
    name: str
    args: str
    options: dict[str, str]
    body: str


@dataclass
class _Label:
    kind: str      # "figure", a prf kind ("proposition"), or "section"
    number: int
    title: str


def _blocks(text: str) -> list[str | _Directive]:
    """Split Markdown into plain runs (strings) and directives; fenced code is kept as a plain run
    marked by a leading NUL so that no role or macro inside it is touched."""
    lines = text.split("\n")
    blocks: list[str | _Directive] = []
    plain: list[str] = []
    i = 0
    while i < len(lines):
        opening, code = OPENING.match(lines[i]), CODE_FENCE.match(lines[i])
        if not opening and not code:
            plain.append(lines[i])
            i += 1
            continue
        fence = (opening or code).group("fence")
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), len(lines))
        if plain:
            blocks.append("\n".join(plain))
            plain = []
        if code:
            blocks.append("\0" + "\n".join(lines[i:end + 1]))
        else:
            blocks.append(_directive(opening.group("name"), opening.group("args"), lines[i + 1:end]))
        i = end + 1
    if plain:
        blocks.append("\n".join(plain))
    return blocks


def _directive(name: str, args: str, body: list[str]) -> _Directive:
    options: dict[str, str] = {}
    if body and body[0].strip() == "---":              # YAML block of options
        end = body.index("---", 1)
        options = {str(k): str(v) for k, v in (yaml.safe_load("\n".join(body[1:end])) or {}).items()}
        body = body[end + 1:]
    else:
        while body and OPTION.match(body[0]):
            option = OPTION.match(body[0])
            options[option.group("key")] = option.group("value")
            body = body[1:]
    return _Directive(name, args.strip(), options, "\n".join(body).strip("\n"))


def _numbered(d: _Directive) -> str | None:
    """The counter a directive is numbered by (figures; proof-style blocks but proofs), or None."""
    if d.name == "glue:figure":
        return "figure"
    if d.name.startswith("prf:") and d.name != "prf:proof":
        return d.name.removeprefix("prf:")
    return None


def _quote(header: str, body: str) -> str:
    """A block quote: the header line, then the body (math kept on one line per quoted line)."""
    def one_line(match: re.Match) -> str:
        return match.group(0).replace("\n", " ") if match.group("display") or match.group("inline") else match.group(0)
    body = INLINE.sub(one_line, body)
    lines = [header] + ([""] + body.split("\n") if body.strip() else [])
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


@dataclass
class _Chapter:
    book: Book
    name: str
    cells: list
    labels: dict[str, _Label] = field(default_factory=dict)
    cited: list[str] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    cell: int = 0

    def error(self, message: str) -> TranslationError:
        return TranslationError(f"{self.name}, cell {self.cell}: {message}")

    # first pass: what labels name (figures and blocks are numbered in order of appearance)
    def collect(self) -> None:
        counts: dict[str, int] = {}
        for self.cell, cell in enumerate(self.cells):
            if cell.cell_type == "markdown":
                self._collect(cell.source, counts)

    def _collect(self, text: str, counts: dict[str, int]) -> None:
        pending = None
        for block in _blocks(text):
            if isinstance(block, _Directive):
                kind = _numbered(block)
                if kind:
                    counts[kind] = counts.get(kind, 0) + 1
                    label = block.options.get("name") or block.options.get("label")
                    if label:
                        self.labels[label] = _Label(kind, counts[kind], block.args)
                self._collect(block.body, counts)
                continue
            if block.startswith("\0"):
                continue
            for line in block.split("\n"):
                target, heading = TARGET.match(line), HEADING.match(line)
                if target:
                    pending = target.group("label")
                elif heading and pending:
                    self.labels[pending] = _Label("section", 0, heading.group("title"))
                    pending = None
                elif line.strip():
                    pending = None

    # second pass: translate
    def translate(self) -> None:
        for self.cell, cell in enumerate(self.cells):
            if cell.cell_type == "markdown":
                cell.source = self.markdown(cell.source)
        if self.cited:
            entries = "\n".join(f"- {self.book.references[key].entry}" for key in self.cited)
            self.cells.append(nbformat.v4.new_markdown_cell(f"## References\n\n{entries}"))

    def markdown(self, text: str) -> str:
        out, previous_block = "", False
        for block in _blocks(text):
            if isinstance(block, _Directive):
                piece, is_block = self.directive(block), True
            elif block.startswith("\0"):
                piece, is_block = block[1:], False
            else:
                kept = [line for line in block.split("\n") if not TARGET.match(line) and not COMMENT.match(line)]
                piece, is_block = self.inline("\n".join(kept)), False
                if not piece.strip():   # only blank lines, between blocks: the rule below spaces them
                    continue
            # a blank line on each side of a block: a line right after a quote would continue it
            blank = (is_block or previous_block) and not out.endswith("\n") and not piece.startswith("\n")
            out += ("\n\n" if blank else "\n") + piece if out else piece
            previous_block = is_block
        return out.strip("\n")

    def inline(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            if match.group("role"):
                return self.role(match.group("name"), match.group("content"))
            if match.group("link"):
                return self.link(match.group("image"), self.inline(match.group("link_text")), match.group("url"))
            if match.group("display"):
                return "$$" + expand_macros(match.group("display_tex"), self.book.macros) + "$$"
            if match.group("inline"):
                return "$" + expand_macros(match.group("inline_tex"), self.book.macros) + "$"
            return match.group(0)
        return INLINE.sub(replace, text)

    def role(self, name: str, content: str) -> str:
        explicit = EXPLICIT.match(content)
        text, target = (explicit.group("text"), explicit.group("target")) if explicit else (None, content)
        if name == "cite" or name.startswith("cite:"):
            return self.cite(name.removeprefix("cite").lstrip(":") or "p", content)
        if name == "glue" or name.startswith("glue:"):
            return f"`{content.split(':')[0]}` ({self.glued(content.split(':')[0], 'printed')})"
        if name == "download":
            path = posixpath.normpath(posixpath.join("book", target))
            return f"[{text or posixpath.basename(target)}]({self.book.blob(path)})"
        if name == "doc":
            return self.doc(text, target)
        if name in ("ref", "numref", "prf:ref"):
            return self.reference(name, text, target)
        if name == "math":
            return "$" + expand_macros(content, self.book.macros) + "$"
        if name in ("sub", "sup"):
            return f"<{name}>{content}</{name}>"
        if name in ("abbr", "term", "index"):
            return "" if name == "index" else (text or target)
        raise self.error(f"no plain-Markdown translation for the role {{{name}}}`{content}`")

    def link(self, image: str, text: str, url: str) -> str:
        """A Markdown link or image: a relative target is a file of book/ (a page opens as its
        notebook, any other file on GitHub at the release's tag); others stay as they are."""
        if re.match(r"^([a-z][a-z0-9+.-]*:|#|/)", url, re.I):
            return f"{image}[{text}]({url})"
        path, _, anchor = url.partition("#")
        if image:
            raw = re.sub(r"^https?://github\.com/", "https://raw.githubusercontent.com/", self.book.repository)
            return f"![{text}]({raw}/{self.book.ref}/{posixpath.normpath(posixpath.join('book', path))})"
        if path.endswith(".md") or posixpath.normpath(path) in self.book.titles:
            return self.doc(text or None, path)
        target = self.book.blob(posixpath.normpath(posixpath.join("book", path)))
        return f"[{text}]({target}{'#' + anchor if anchor else ''})"

    def cite(self, form: str, keys: str) -> str:
        found = []
        for key in (k.strip() for k in keys.split(",")):
            if key not in self.book.references:
                raise self.error(f"citation {key!r} is not in the bibliography")
            if key not in self.cited:
                self.cited.append(key)
            found.append(self.book.references[key])
        if form == "t":
            return "; ".join(f"{r.authors} ({r.year})" for r in found)
        if form == "p":
            return "(" + "; ".join(f"{r.authors}, {r.year}" for r in found) + ")"
        if form == "year":
            return ", ".join(r.year for r in found)
        if form == "author":
            return ", ".join(r.authors for r in found)
        raise self.error(f"no translation for the citation form {{cite:{form}}}")

    def glued(self, name: str, what: str) -> str:
        """Where the value glued as ``name`` is shown: above or below, by the code cell that glues it."""
        literal = re.compile(rf"""glue\(\s*(["']){re.escape(name)}\1""")
        computed = re.compile(r"""glue\(\s*(?![\s"'])|glue\(\s*[fF]["']""")   # a name built at run time
        code = [(i, c.source) for i, c in enumerate(self.cells) if c.cell_type == "code"]
        gluing = ([i for i, source in code if literal.search(source)]
                  or [i for i, source in code if computed.search(source)])
        if not gluing:
            raise self.error(f"no code cell glues {name!r}")
        return f"{what} above" if any(i < self.cell for i in gluing) else f"{what} below"

    def doc(self, text: str | None, target: str) -> str:
        page = posixpath.normpath(target.removesuffix(".md")).lstrip("/")
        if page not in self.book.titles:
            raise self.error(f"{{doc}} points at {target!r}, which is not a page of book/")
        if page in self.book.chapters:
            url = self.book.colab(f"notebooks/{page}.ipynb")
        else:
            url = self.book.blob(f"book/{page}.md")
        return f"[{text or self.book.titles[page]}]({url})"

    def reference(self, role: str, text: str | None, target: str) -> str:
        label = self.labels.get(target)
        if label is None:
            raise self.error(f"{{{role}}} points at {target!r}, which is not labelled in this chapter")
        if label.kind == "section":
            return f"the section “{text or label.title}”"
        name = f"{label.kind.capitalize()} {label.number}"
        if text:
            return text.replace("%s", str(label.number)).replace("{number}", str(label.number))
        return name

    def directive(self, d: _Directive) -> str:
        kind = _numbered(d)
        if kind:
            self.seen[kind] = self.seen.get(kind, 0) + 1
        if d.name == "prf:proof":
            return _quote("**Proof.**", self.markdown(d.body))
        if d.name.startswith("prf:"):
            title = self.inline(d.args)
            header = f"**{kind.capitalize()} {self.seen[kind]}**" + (f" ({title})" if title else "")
            return _quote(header, self.markdown(d.body))
        if d.name == "admonition" or d.name in ADMONITIONS or d.name in ("dropdown", "margin", "sidebar"):
            title, body = self.inline(d.args), d.body
            if d.name in ADMONITIONS:
                title, body = ADMONITIONS[d.name], (d.args + "\n" + d.body).strip("\n")
            if not title:
                raise self.error(f"the {{{d.name}}} block has no title")
            return _quote(f"**{title}**", self.markdown(body))
        if d.name == "glue:figure":
            where = self.glued(d.args, "drawn")
            return _quote(f"**Figure {self.seen[kind]}** (`{d.args}`, {where})", self.markdown(d.body))
        if d.name == "glue" or d.name.startswith("glue:"):
            return f"`{d.args}` ({self.glued(d.args, 'shown')})"
        if d.name == "math":
            return "$$\n" + expand_macros(d.body, self.book.macros) + "\n$$"
        if d.name in CODE_DIRECTIVES:
            return f"```{d.args}\n{d.body}\n```"
        raise self.error(f"no plain-Markdown translation for the directive {{{d.name}}}")


def translate(notebook: nbformat.NotebookNode, book: Book, name: str) -> nbformat.NotebookNode:
    """Rewrite every Markdown cell of ``notebook`` (chapter ``name``) in place; return it.

    A last Markdown cell lists the references cited, when there are any.
    """
    chapter = _Chapter(book, name, notebook.cells)
    chapter.collect()
    chapter.translate()
    return notebook
