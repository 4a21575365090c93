import json
import os

import jupytext
import nbclient
import numpy as np
import pytest
import sympy as sp
import torch

from ganbook import claims, verify
from ganbook.verify import Budget, ClaimCheckFailed, ErratumIncomplete, Ledger, VacuousCheck

N_PAIRS = sum(len(c.methods) for c in claims.all_claims())
FORUM = "forum-wgan-gp-loss-sign.txt"
FORUM_QUOTE = "crit_loss = torch.mean(crit_fake_pred) - torch.mean(crit_real_pred) + c_lambda*gp"


def forum_line(text):
    lines = claims.package_file(f"sources/{FORUM}").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


@pytest.fixture
def ledger():
    return Ledger("test-chapter")


def test_passing_checks_with_failing_controls_are_verified(ledger):
    ledger.check("optimal-discriminator", "numeric", expected=[0.5, 1.0],
                 measured=torch.tensor([0.5 + 1e-10, 1.0]), atol=1e-9,
                 control=[0.5, 0.0], control_label="p_r and p_g swapped")
    ledger.check("disjoint-kl-infinite", "numeric", expected=np.inf, measured=float("inf"),
                 control=1e308, control_label="a large finite value")
    ledger.check_true("optimal-discriminator", "trained", 0.1 < 0.2, evidence={"gap": 0.1},
                      control=0.3 < 0.2, control_label="untrained gap")
    t = sp.Symbol("t")
    ledger.check_symbolic("optimal-discriminator", sp.sin(t) ** 2 + sp.cos(t) ** 2 - 1,
                          control=sp.sin(t) ** 2 + 2 * sp.cos(t) ** 2 - 1,
                          control_label="coefficient 2 on cos^2")
    assert [ledger.status(c) for c in ledger.checks] == ["verified"] * 4
    assert [c.control_passed for c in ledger.checks] == [False] * 4
    assert ledger.table().rows[0][5] == "p_r and p_g swapped: [0.5, 0. ] → fails"


def test_failed_check_raises_naming_everything(ledger):
    with pytest.raises(ClaimCheckFailed) as info:
        ledger.check("cross-entropy-table", "numeric", expected=6.966, measured=7.1, atol=5e-4,
                     control=10.0, control_label="base 2")
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
        ledger.check("optimal-discriminator", "numeric", expected, measured, atol=1.0,
                     no_control="testing the rule alone")


def test_a_control_that_passes_makes_the_check_vacuous(ledger):
    with pytest.raises(VacuousCheck, match=r"optimal-discriminator.*numeric.*constant 1/2"):
        ledger.check("optimal-discriminator", "numeric", expected=0.5, measured=0.5001, atol=0.1,
                     control=0.55, control_label="constant 1/2 plus noise")
    x = sp.Symbol("x")
    with pytest.raises(VacuousCheck, match="symbolic"):
        ledger.check_symbolic("optimal-discriminator", (x + 1) ** 2 - x**2 - 2 * x - 1,
                              control=(x + 1) ** 2 - (x**2 + 2 * x + 1), control_label="same thing")
    with pytest.raises(VacuousCheck):
        ledger.check_true("optimal-discriminator", "trained", True, control=True,
                          control_label="untrained")
    assert ledger.checks[-1].status == "vacuous"


def test_symbolic_check_needs_exact_zero_and_a_control_that_is_not(ledger):
    x = sp.Symbol("x", positive=True)
    with pytest.raises(ClaimCheckFailed):
        ledger.check_symbolic("optimal-discriminator", sp.log(x) - x + 1, control=x, control_label="x")
    with pytest.raises(ClaimCheckFailed):
        ledger.check_symbolic("optimal-discriminator", sp.Matrix([0, x]), control=sp.Matrix([x, x]),
                              control_label="x")
    with pytest.raises(ValueError, match="control must be an expression"):
        ledger.check_symbolic("optimal-discriminator", sp.cos(x) ** 2 + sp.sin(x) ** 2 - 1, control=sp.Integer(1),
                              control_label="a constant")


@pytest.mark.parametrize("zero", [0, sp.Integer(0), 0.0, sp.zeros(2, 1)])
def test_a_literal_zero_is_not_symbolic_evidence(ledger, zero):
    with pytest.raises(ValueError, match="difference"):
        ledger.check_symbolic("optimal-discriminator", zero, control=sp.Symbol("x"), control_label="x")


@pytest.mark.parametrize("condition", [[False], "False", float("nan"), torch.tensor(float("nan")),
                                       torch.tensor([True, True]), np.array([True, False]), 1, None])
def test_check_true_takes_only_boolean_scalars(ledger, condition):
    with pytest.raises(TypeError, match="condition"):
        ledger.check_true("optimal-discriminator", "trained", condition, control=False,
                          control_label="untrained")
    assert ledger.checks == []


def test_check_true_accepts_numpy_booleans_and_refuses_non_boolean_controls(ledger):
    ledger.check_true("optimal-discriminator", "trained", np.float64(0.1) < 0.2,
                      control=np.array(False), control_label="untrained")
    with pytest.raises(TypeError, match="control"):
        ledger.check_true("optimal-discriminator", "trained", True, control=0, control_label="x")


def test_false_condition_fails(ledger):
    with pytest.raises(ClaimCheckFailed, match="gap = 0.3"):
        ledger.check_true("optimal-discriminator", "trained", False, evidence={"gap": 0.3},
                          control=False, control_label="untrained")


@pytest.mark.parametrize("kwargs, name", [
    ({"atol": np.inf}, "atol"), ({"rtol": np.inf}, "rtol"), ({"atol": float("nan")}, "atol"),
    ({"atol": -1.0}, "atol"), ({"rtol": -1e-9}, "rtol"), ({"atol": "0.1"}, "atol")])
def test_tolerances_must_be_finite_and_non_negative(ledger, kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        ledger.check("cross-entropy-table", "numeric", 1.0, 1.0, control=2.0,
                     control_label="x", **kwargs)


def test_expected_and_measured_must_be_different_objects(ledger):
    m = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="same object"):
        ledger.check("cross-entropy-table", "numeric", expected=m, measured=m, control=m + 1,
                     control_label="shifted")


def test_every_check_needs_a_control_or_a_reason(ledger):
    with pytest.raises(ValueError, match="control"):
        ledger.check("cross-entropy-table", "numeric", 1.0, 1.1)
    with pytest.raises(ValueError, match="control_label"):
        ledger.check("cross-entropy-table", "numeric", 1.0, 1.1, control=2.0)
    with pytest.raises(ValueError, match="same object"):
        ledger.check("cross-entropy-table", "numeric", 1.0, 1.0, control=2.0, control_label="n")
    with pytest.raises(ValueError, match="NaN"):
        ledger.check("cross-entropy-table", "numeric", 1.0, 1.1, control=np.nan, control_label="n")
    with pytest.raises(ValueError, match="shape"):
        ledger.check("cross-entropy-table", "numeric", 1.0, 1.1, control=[2.0, 3.0], control_label="n")
    check = ledger.check("cross-entropy-table", "numeric", 1.0, 1.0 + 1e-12,
                         no_control="an identity of floats has no plausible wrong answer")
    assert check.control_passed is None and check.status == "verified"
    assert ledger.table().rows[-1][5].startswith("none: an identity")


def test_unknown_claim_or_method_is_an_error(ledger):
    with pytest.raises(claims.ClaimsError, match="nope"):
        ledger.check("nope", "numeric", 1, 2, control=3, control_label="x")
    with pytest.raises(claims.ClaimsError, match="trained"):
        ledger.check("cross-entropy-table", "trained", 1, 2, control=3, control_label="x")


@pytest.mark.parametrize("name", ["", "../x", "a/b", "x.json", " x", None, "a b"])
def test_chapter_must_be_a_plain_file_stem(name):
    with pytest.raises(ValueError, match="chapter"):
        Ledger(name)


def forum_erratum(ledger):
    return ledger.erratum("wgan-gp-loss-and-sign", source=FORUM, line=forum_line("crit_loss ="),
                          stated=FORUM_QUOTE, corrected="the penalty is added to the loss being minimised",
                          counterexample="a linear critic")


def test_erratum_quotes_its_source_by_line(ledger):
    with pytest.raises(ValueError, match="stated must quote"):
        ledger.erratum("wgan-gp-loss-and-sign", source=FORUM, line=1, stated=FORUM_QUOTE,
                       corrected="c", counterexample="x")
    with pytest.raises(ValueError, match="source must be one of"):
        ledger.erratum("wgan-gp-loss-and-sign", source="slides-gan-loss-cross-entropy.txt", line=1,
                       stated="x", corrected="c", counterexample="x")
    with pytest.raises(ValueError, match="corrected"):
        ledger.erratum("wgan-gp-loss-and-sign", source=FORUM, line=forum_line("crit_loss ="),
                       stated=FORUM_QUOTE, corrected=" ", counterexample="x")
    assert forum_erratum(ledger).line == forum_line("crit_loss =")


def test_erratum_needs_a_refutation_and_a_corrected_check(ledger, tmp_path):
    wrong = forum_erratum(ledger)
    with pytest.raises(ErratumIncomplete, match="refuting"):
        ledger.save(tmp_path)
    ledger.refute(wrong, "numeric", stated=-2.0, measured=2.0, atol=1e-9, control=2.0 + 1e-12,
                  control_label="the corrected sign")
    with pytest.raises(ErratumIncomplete, match="corrected statement"):
        ledger.save(tmp_path)
    ledger.check("wgan-gp-loss-and-sign", "numeric", expected=2.0, measured=2.0 + 1e-12, atol=1e-9,
                 control=-2.0, control_label="the forum's sign", corrects=wrong)
    ledger.check("wgan-gp-loss-and-sign", "trained", expected=1.0, measured=1.0 + 1e-12,
                 atol=1e-9, control=0.0, control_label="zero")   # not linked: stays verified
    assert [c.status for c in ledger.checks] == ["erratum", "erratum", "verified"]
    record = json.loads(ledger.save(tmp_path).read_text())
    assert record["errata"][0]["line"] == wrong.line


def test_a_refutation_whose_control_is_also_refuted_is_vacuous(ledger):
    wrong = forum_erratum(ledger)
    with pytest.raises(VacuousCheck):
        ledger.refute(wrong, "numeric", stated=-2.0, measured=2.0, atol=0.0, rtol=0.0,
                      control=2.0 + 1e-9, control_label="corrected, up to rounding")
    with pytest.raises(ClaimCheckFailed):
        ledger.refute(wrong, "numeric", stated=2.0 + 1e-12, measured=2.0, atol=1e-9,
                      control=2.0 - 1e-12, control_label="corrected")
    x = sp.Symbol("x")
    ledger.refute(wrong, "symbolic", stated=-x, measured=x, control=2 * x - x, control_label="+x")
    with pytest.raises(VacuousCheck):
        ledger.refute(wrong, "symbolic", stated=-x, measured=x, control=x + 1, control_label="x + 1")
    ledger.refute_true(wrong, "numeric", True, control=False, control_label="corrected sign")
    with pytest.raises(TypeError, match="control"):
        ledger.refute_true(wrong, "numeric", True, control="no", control_label="corrected sign")


def test_an_erratum_relabels_only_its_own_rows(tmp_path):
    first, second = Ledger("chapter-a"), Ledger("chapter-b")
    wrong = forum_erratum(first)
    first.refute(wrong, "numeric", stated=-2.0, measured=2.0, control=2.0 + 1e-12, control_label="+")
    first.check("wgan-gp-loss-and-sign", "numeric", 2.0, 2.0 + 1e-12, atol=1e-9, control=-2.0,
                control_label="-", corrects=wrong)
    first.save(tmp_path)
    second.check("wgan-gp-loss-and-sign", "numeric", 2.0, 2.0 + 1e-12, atol=1e-9, control=-2.0,
                 control_label="-")
    second.save(tmp_path)
    records = verify.load_records(tmp_path)
    assert [c["status"] for c in records[1]["checks"]] == ["verified"]
    with pytest.raises(ValueError, match="corrects"):
        second.check("wgan-gp-loss-and-sign", "numeric", 2.0, 2.0 + 1e-12, control=-2.0, control_label="-",
                     corrects=wrong)


def test_preregistered_rules_are_verified_or_not_reproduced(ledger, tmp_path):
    budget = Budget("cpu", 1000, 6, 42.0)
    args = dict(rule="every seed's Spearman rho > 0.5", control=False, control_label="untrained",
                budget=budget, paper_budget="100,000 generator steps", settle="a reference run")
    ledger.preregistered("wgan-loss-tracks-quality", "trained", condition=True, **args)
    ledger.preregistered("wgan-loss-tracks-quality", "trained", condition=False, **args)
    assert [c.status for c in ledger.checks] == ["verified", "not reproduced"]
    assert ledger.checks[-1].budget == "cpu profile, 1,000 steps x 6 seeds, 42 s"
    with pytest.raises(ValueError, match="method"):
        ledger.preregistered("optimal-discriminator", "numeric", condition=True, **args)
    with pytest.raises(TypeError, match="budget"):
        ledger.preregistered("wgan-loss-tracks-quality", "trained", condition=True,
                             **{**args, "budget": "1000 steps"})
    with pytest.raises(ValueError, match="steps"):
        Budget("cpu", 0, 6, 1.0)
    ledger.save(tmp_path)
    rows = {r["claim"]: r for r in verify.claim_index(verify.load_records(tmp_path))}
    assert rows["wgan-loss-tracks-quality"]["methods"]["trained"] == "not reproduced"
    table = verify.not_reproduced_table(verify.load_records(tmp_path))
    assert [r[4] for r in table.rows] == ["cpu profile, 1,000 steps x 6 seeds, 42 s"]


def test_claims_index_counts_statuses_and_missing_controls(ledger, tmp_path):
    ledger.check("bilinear-simultaneous-diverges", "numeric", 1.0, 1.0 + 1e-12, atol=1e-9,
                 control=2.0, control_label="x")
    ledger.check("optimal-discriminator", "numeric", 1.0, 1.0 + 1e-12, atol=1e-9, no_control="why")
    ledger.save(tmp_path)
    rows = verify.claim_index(verify.load_records(tmp_path))
    counts = verify.summary(rows)
    assert counts == {"verified": 2, "erratum": 0, "not reproduced": 0, "not yet": N_PAIRS - 2,
                      "controls missing": 1}
    table = verify.index_table(rows)
    assert "without control" in table.header


def test_save_is_atomic_and_leaves_no_temporary_files(ledger, tmp_path):
    ledger.check("optimal-discriminator", "numeric", 1.0, 1.0 + 1e-12, atol=1e-9, control=2.0,
                 control_label="x")
    path = ledger.save(tmp_path)
    assert os.listdir(tmp_path) == [path.name]
    assert json.loads(path.read_text())["checks"][0]["control"] == "x"


def test_ledger_dir_follows_the_book_root(tmp_path, monkeypatch):
    monkeypatch.delenv("GANBOOK_LEDGER_DIR", raising=False)
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "book")
    assert verify.ledger_dir() == tmp_path / "_build" / "ledgers"
    monkeypatch.setenv("GANBOOK_LEDGER_DIR", str(tmp_path / "elsewhere"))
    assert verify.ledger_dir() == tmp_path / "elsewhere"


def test_tables_render_html_with_status_classes(ledger):
    ledger.check("optimal-discriminator", "numeric", 1.0, 1.0 + 1e-12, atol=1e-9, control=2.0,
                 control_label="x")
    html = ledger.table()._repr_html_()
    assert '<td class="status status-verified">verified</td>' in html
    assert "optimal-discriminator" in repr(ledger.table())


def test_checks_and_errata_display_nothing_when_they_end_a_cell(ledger):
    check = ledger.check("optimal-discriminator", "numeric", 1.0, 1.0 + 1e-12, atol=1e-9,
                         control=2.0, control_label="x")
    assert check._ipython_display_() is None and forum_erratum(ledger)._ipython_display_() is None


def test_errata_table_quotes_source_line_and_refutation(ledger, tmp_path):
    wrong = forum_erratum(ledger)
    ledger.refute(wrong, "numeric", stated=-2.0, measured=2.0, control=2.0 + 1e-12, control_label="+")
    ledger.check("wgan-gp-loss-and-sign", "numeric", 2.0, 2.0 + 1e-12, atol=1e-9, control=-2.0,
                 control_label="-", corrects=wrong)
    ledger.save(tmp_path)
    table = verify.errata_table(verify.load_records(tmp_path))
    (row,) = table.rows
    assert row[:4] == ("wgan-gp-loss-and-sign", "test-chapter", f"{FORUM}:{wrong.line}", FORUM_QUOTE)
    assert row[-1] == "the source: -2 vs 2"
    assert '<a href="test-chapter.html#claim-wgan-gp-loss-and-sign">' in table._repr_html_()


# -- each way a chapter must fail, shown on an executed notebook --------------------------
CHAPTER = """\
---
jupytext:
  text_representation: {{extension: .md, format_name: myst}}
kernelspec: {{display_name: Python 3, language: python, name: python3}}
---

```{{code-cell}} ipython3
import math, numpy as np
from ganbook import Ledger
ledger = Ledger("probe")
{body}
ledger.save()
```
"""
ERRATUM = (f"e = ledger.erratum('wgan-gp-loss-and-sign', source={FORUM!r}, line={{line}}, "
           f"stated={FORUM_QUOTE!r}, corrected='plus', counterexample='linear critic')\n")


@pytest.mark.parametrize("body, error", [
    ("ledger.check('optimal-discriminator', 'numeric', 0.5, 0.5001, atol=0.1, control=0.55, "
     "control_label='near miss')", "VacuousCheck"),
    (ERRATUM + "ledger.check('wgan-gp-loss-and-sign', 'numeric', 2.0, 2.0 + 1e-12, atol=1e-9, control=-2.0, "
     "control_label='-', corrects=e)", "ErratumIncomplete"),
    (ERRATUM + "ledger.refute(e, 'numeric', stated=-2.0, measured=2.0, control=2.0 + 1e-12, "
     "control_label='+')", "ErratumIncomplete"),
    ("ledger.check_true('optimal-discriminator', 'trained', [False], control=False, "
     "control_label='x')", "TypeError"),
    ("ledger.check_true('optimal-discriminator', 'trained', 'False', control=False, "
     "control_label='x')", "TypeError"),
    ("ledger.check_true('optimal-discriminator', 'trained', math.nan, control=False, "
     "control_label='x')", "TypeError"),
    ("ledger.check('optimal-discriminator', 'numeric', 1.0, 1.1, atol=math.inf, control=2.0, "
     "control_label='x')", "ValueError"),
])
def test_each_kind_of_untrustworthy_evidence_fails_a_chapter(tmp_path, monkeypatch, body, error):
    monkeypatch.setenv("GANBOOK_LEDGER_DIR", str(tmp_path / "ledgers"))
    notebook = jupytext.reads(CHAPTER.format(body=body.replace("{line}", str(forum_line("crit_loss =")))),
                              fmt="md:myst")
    with pytest.raises(nbclient.exceptions.CellExecutionError) as info:
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    assert info.value.ename == error
    assert not (tmp_path / "ledgers" / "probe.json").exists()


def test_an_unchecked_part_keeps_the_claim_not_yet(tmp_path):
    ledger = Ledger("unchecked-part")
    ledger.check("optimal-discriminator", "numeric", expected=0.5, measured=np.float64(0.5), atol=1e-12,
                 control=0.6, control_label="a wrong value")
    row = ledger.unchecked("optimal-discriminator", "numeric", part="the other half", reason="too dear here")
    assert row.status == "not yet" and ledger.table().rows[-1][5] == "—"
    ledger.save(tmp_path)
    index = {r["claim"]: r for r in verify.claim_index(verify.load_records(tmp_path))}
    assert index["optimal-discriminator"]["methods"]["numeric"] == "not yet"
    assert index["optimal-discriminator"]["controls_missing"] == 0
    with pytest.raises(ValueError, match="part"):
        ledger.unchecked("optimal-discriminator", "numeric", part=" ", reason="x")
