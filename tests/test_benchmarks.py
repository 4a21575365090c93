import math

import numpy as np
import pytest
import yaml

from ganbook import benchmarks


def test_shipped_tables_hold_the_published_rows():
    tables = benchmarks.published()
    assert set(tables) == {"veegan", "pacgan", "gdpp"}
    pacgan = tables["pacgan"]
    assert "Table 1" in pacgan.citation and "10 trials" in pacgan.aggregate
    assert pacgan.metric("PacGAN2", "ring", "modes") == benchmarks.Value(7.9, 0.1)
    assert pacgan.metric("GAN", "grid", "reverse_kl") == benchmarks.Value(0.70, 0.07)
    assert tables["veegan"].metric("GAN", "ring", "reverse_kl") is None      # not reported
    assert tables["veegan"].metric("GAN", "ring", "high_quality").error is None
    assert tables["gdpp"].steps == 25000 and tables["gdpp"].batch == 512
    for table in tables.values():
        for row in table.rows.values():
            assert set(row) <= set(benchmarks.BENCHMARKS)
            for benchmark, values in row.items():
                assert values["modes"].mean <= benchmarks.BENCHMARKS[benchmark]
                assert values["high_quality"].mean <= 100


def test_metric_refuses_unknown_names():
    table = benchmarks.published()["pacgan"]
    with pytest.raises(KeyError, match="no row 'WGAN'"):
        table.metric("WGAN", "ring", "modes")
    with pytest.raises(ValueError, match="benchmark"):
        table.metric("GAN", "circle", "modes")
    with pytest.raises(ValueError, match="metric"):
        table.metric("GAN", "ring", "fid")


def _table(**row):
    return [{"table": "t", "citation": "c", "source": "s", "aggregate": "a", "setup": "x",
             "rows": [{"method": "GAN", **row}]}]


@pytest.mark.parametrize("row, message", [
    ({"ring": {"modes": 9}}, "exceeds its range"),
    ({"ring": {"high_quality": 101}}, "exceeds its range"),
    ({"ring": {"modes": -1}}, "non-negative"),
    ({"ring": {"reverse_kl": float("inf")}}, "finite"),
    ({"ring": {"modes": "7"}}, "a number or"),
    ({"ring": {"modes": [7, 0.1, 2]}}, "a number or"),
    ({"circle": {"modes": 1}}, "benchmark"),
    ({"ring": {"fid": 1}}, "metric"),
])
def test_parse_refuses_malformed_tables(row, message):
    with pytest.raises(ValueError, match=message):
        benchmarks.parse(_table(**row))


def test_parse_refuses_duplicates_and_missing_fields(tmp_path):
    twice = _table(ring={"modes": 1}) * 2
    with pytest.raises(ValueError, match="twice"):
        benchmarks.parse(twice)
    entry = _table(ring={"modes": 1})[0]
    del entry["citation"]
    with pytest.raises(ValueError, match="citation"):
        benchmarks.parse([entry])
    path = tmp_path / "t.yml"
    path.write_text(yaml.safe_dump(_table(ring={"modes": [6.3, 0.5]})))
    assert benchmarks.published(path)["t"].metric("GAN", "ring", "modes") == benchmarks.Value(6.3, 0.5)


def test_mean_and_error_is_the_standard_error_and_refuses_inf():
    v = benchmarks.mean_and_error([1.0, 2.0, 4.0])
    assert v.mean == pytest.approx(7 / 3)
    assert v.error == pytest.approx(np.std([1, 2, 4], ddof=1) / math.sqrt(3))
    assert benchmarks.mean_and_error([0.5]).error is None
    with pytest.raises(ValueError, match="never in a mean"):
        benchmarks.mean_and_error([0.1, float("inf")])
    with pytest.raises(ValueError, match="non-empty"):
        benchmarks.mean_and_error([])
    assert str(benchmarks.Value(6.3, 0.5)) == "6.3 ± 0.5" and str(benchmarks.Value(1.0)) == "1"
    assert benchmarks.Value(0.8125, 0.03125).text(1, scale=100) == "81.2 ± 3.1"
    assert benchmarks.Value(7.0).text(2) == "7.00"


def test_seed_summary_reports_infinite_seeds_apart():
    assert benchmarks.seed_summary([1.0, 2.0, 4.0], 2) == "2.33 ± 0.88"
    assert benchmarks.seed_summary([0.5, 0.7], 1, scale=100) == "60.0 ± 10.0"
    assert benchmarks.seed_summary([1.0, float("inf"), 3.0], 1) == "2.0 ± 1.0 (1 of 3 seeds without a high-quality sample)"
    assert benchmarks.seed_summary([float("inf")], 1) == "— (1 of 1 seeds without a high-quality sample)"
    with pytest.raises(ValueError, match="^values contain nan"):
        benchmarks.seed_summary([1.0, float("nan")], 1)
    with pytest.raises(ValueError, match="^values must be a non-empty 1-D sequence"):
        benchmarks.seed_summary([], 1)
