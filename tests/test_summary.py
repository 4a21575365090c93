import math

import numpy as np
import pytest

from ganbook.summary import markdown_table, summarise


def test_mean_standard_error_and_range():
    s = summarise([1.0, 2.0, 6.0])
    assert (s.n, s.mean, s.min, s.max) == (3, 3.0, 1.0, 6.0)
    assert s.se == pytest.approx(np.std([1, 2, 6], ddof=1) / math.sqrt(3))      # 1.5275...
    assert s.text() == "3.00 (1.00–6.00)"
    assert s.text("{:.1f}", se=True) == "3.0 ± 1.5 (1.0–6.0)"
    assert s.text(lambda v: f"{100 * v:.0f}%", per_seed=True) == "300% (100%–600%; 100%, 200%, 600%)"


def test_the_chapters_cell_format_is_reproduced():
    v = np.array([0.25, 0.5, 0.125])
    fmt = lambda x: f"{x:.2f}"                                  # as the chapters write it
    assert summarise(v).text(fmt) == f"{fmt(v.mean())} ({fmt(v.min())}–{fmt(v.max())})"


def test_one_seed_is_its_value_and_has_no_standard_error():
    s = summarise([2.5])
    assert s.text() == "2.50" and math.isnan(s.se)


@pytest.mark.parametrize("values, word", [([1.0, math.inf], "non-finite"), ([math.nan], "non-finite"),
                                          ([], "non-empty"), ([[1.0, 2.0]], "1-D"), (["a"], "real"),
                                          ([1 + 2j], "real")])
def test_summaries_refuse_what_cannot_be_averaged(values, word):
    with pytest.raises(ValueError, match=word):
        summarise(values, name="values")


def test_markdown_table():
    table = markdown_table(["method", "reverse KL"], [["GAN", summarise([1.0, 3.0]).text()], ["a|b", 2]])
    assert table.splitlines() == ["| method | reverse KL |", "|---|---|", "| GAN | 2.00 (1.00–3.00) |",
                                  "| a\\|b | 2 |"]
    with pytest.raises(ValueError, match="rows\\[0\\] has 1 cells"):
        markdown_table(["a", "b"], [["x"]])
    with pytest.raises(ValueError, match="header"):
        markdown_table([], [])
