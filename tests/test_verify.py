import json

import numpy as np
import pytest
import sympy as sp
import torch

from ganbook import claims, verify
from ganbook.verify import ClaimCheckFailed, Ledger


@pytest.fixture
def ledger():
    return Ledger("test-chapter")


def test_passing_checks_are_recorded(ledger):
    ledger.check("optimal-discriminator", "numeric", expected=[0.5, 1.0],
                 measured=torch.tensor([0.5 + 1e-10, 1.0]), atol=1e-9)
    ledger.check("disjoint-kl-infinite", "numeric", expected=np.inf, measured=float("inf"))
    ledger.check_true("optimal-discriminator", "trained", 0.1 < 0.2, evidence={"gap": 0.1})
    ledger.check_symbolic("optimal-discriminator", sp.sin(sp.Symbol("t")) ** 2
                          + sp.cos(sp.Symbol("t")) ** 2 - 1)
    assert [ledger.status(c) for c in ledger.checks] == ["verified"] * 4


def test_failed_check_raises_naming_everything(ledger):
    with pytest.raises(ClaimCheckFailed) as info:
        ledger.check("cross-entropy-table", "numeric", expected=6.966, measured=7.1, atol=5e-4)
    message = str(info.value)
    for part in ("cross-entropy-table", "numeric", "6.966", "7.1", "atol=0.0005"):
        assert part in message


@pytest.mark.parametrize("expected, measured", [
    ([1.0, 2.0], [1.0, 2.0, 3.0]),   # shapes differ
    (1.0, float("nan")),             # nan never passes
    (np.inf, 1e308),                 # infinities must match
])
def test_mismatches_fail(ledger, expected, measured):
    with pytest.raises(ClaimCheckFailed):
        ledger.check("optimal-discriminator", "numeric", expected, measured, atol=1.0)


def test_symbolic_check_needs_exact_zero(ledger):
    x = sp.Symbol("x", positive=True)
    with pytest.raises(ClaimCheckFailed):
        ledger.check_symbolic("optimal-discriminator", sp.log(x) - x + 1)
    with pytest.raises(ClaimCheckFailed):
        ledger.check_symbolic("optimal-discriminator", sp.Matrix([0, x]))


def test_false_condition_fails(ledger):
    with pytest.raises(ClaimCheckFailed, match="gap = 0.3"):
        ledger.check_true("optimal-discriminator", "trained", False, evidence={"gap": 0.3})


def test_unknown_claim_or_method_is_an_error(ledger):
    with pytest.raises(claims.ClaimsError, match="nope"):
        ledger.check("nope", "numeric", 1, 1)
    with pytest.raises(claims.ClaimsError, match="trained"):
        ledger.check("cross-entropy-table", "trained", 1, 1)
    with pytest.raises(ValueError, match="atol"):
        ledger.check("cross-entropy-table", "numeric", 1, 1, atol=-1)


def test_erratum_marks_the_claims_checks(ledger, tmp_path):
    ledger.check("bilinear-iterates", "numeric", 1.0, 1.0)
    ledger.erratum("bilinear-iterates", stated="x3 = 1 - 2 eta^2 - eta",
                   corrected="x3 = 1 - 3 eta^2", counterexample="eta = 1/2")
    ledger.check("bilinear-simultaneous-diverges", "numeric", 1.0, 1.0)
    assert [r[-1] for r in ledger.table().rows] == ["erratum", "verified"]
    with pytest.raises(ValueError, match="corrected"):
        ledger.erratum("bilinear-iterates", stated="a", corrected=" ", counterexample="c")

    path = ledger.save(tmp_path)
    record = json.loads(path.read_text())
    assert record["chapter"] == "test-chapter" and record["errata"][0]["claim"] == "bilinear-iterates"
    rows = {r["claim"]: r for r in verify.claim_index(verify.load_records(tmp_path))}
    assert rows["bilinear-iterates"]["methods"] == {"symbolic": "not yet", "numeric": "erratum"}
    assert rows["bilinear-simultaneous-diverges"]["methods"]["numeric"] == "verified"
    assert verify.summary(list(rows.values())) == {"verified": 1, "erratum": 1, "not yet": 65}


def test_ledger_dir_follows_the_book_root(tmp_path, monkeypatch):
    monkeypatch.delenv("GANBOOK_LEDGER_DIR", raising=False)
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "book")
    assert verify.ledger_dir() == tmp_path / "_build" / "ledgers"
    monkeypatch.setenv("GANBOOK_LEDGER_DIR", str(tmp_path / "elsewhere"))
    assert verify.ledger_dir() == tmp_path / "elsewhere"


def test_tables_render_html_with_status_classes(ledger):
    ledger.check("optimal-discriminator", "numeric", 1.0, 1.0)
    html = ledger.table()._repr_html_()
    assert '<td class="status status-verified">verified</td>' in html
    assert "optimal-discriminator" in repr(ledger.table())


def test_symbolic_evidence_is_shown_as_text(ledger):
    a, b = sp.symbols("a b", positive=True)
    check = ledger.check_true("optimal-discriminator", "symbolic", True, evidence={"roots": [a / (a + b)]})
    assert check.measured == "roots = [a/(a + b)]"


def test_errata_table_links_each_claim_to_its_statement(ledger, tmp_path):
    ledger.check("bilinear-iterates", "numeric", 1.0, 1.0)
    ledger.erratum("bilinear-iterates", stated="y2 = eta(1 + eta)", corrected="y2 = 2 eta",
                   counterexample="eta = 1/2")
    ledger.save(tmp_path)
    table = verify.errata_table(verify.load_records(tmp_path))
    assert table.rows == [("bilinear-iterates", "test-chapter", "y2 = eta(1 + eta)", "y2 = 2 eta", "eta = 1/2")]
    assert '<a href="test-chapter.html#claim-bilinear-iterates">' in table._repr_html_()
