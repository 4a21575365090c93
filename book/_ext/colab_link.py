"""Sphinx extension: an "Open in Colab" link at the top of every chapter page.

The theme's own Colab button opens the page's source, a MyST ``.md`` file that Colab cannot
read; the link here opens the generated ``notebooks/NN-slug.ipynb`` instead. The address is
built from ``repository.url`` and ``repository.branch`` of ``_config.yml`` (the theme options
jupyter-book derives from them), so the repository is named in one place.
"""

import re

CHAPTER = re.compile(r"book/(\d\d-[\w-]+)")


def colab_url(repository_url: str, branch: str, slug: str) -> str:
    """Colab's address for ``notebooks/<slug>.ipynb`` of a GitHub repository."""
    path = re.sub(r"^https?://github\.com/", "", repository_url.rstrip("/"))
    return f"https://colab.research.google.com/github/{path}/blob/{branch}/notebooks/{slug}.ipynb"


def add_link(app, pagename, templatename, context, doctree):
    match = CHAPTER.fullmatch(pagename)
    if not match or "body" not in context:
        return
    options = app.config.html_theme_options
    url = colab_url(options["repository_url"], options.get("repository_branch") or "main",
                    match.group(1))
    context["body"] = (f'<p class="colab-link"><a class="reference external" href="{url}">'
                       f"Open this chapter as a notebook in Colab</a></p>" + context["body"])


def setup(app):
    app.connect("html-page-context", add_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
