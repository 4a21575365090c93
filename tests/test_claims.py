from pathlib import Path

import pytest
import yaml

from ganbook import claims

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_claims_are_the_books_and_valid():
    shipped = claims.package_file("claims.yml")
    assert shipped.read_text() == (ROOT / "book" / "claims.yml").read_text()
    loaded = claims.load()
    # the counts read from the file's text, independently of claims.load's parsing
    raw = yaml.safe_load(shipped.read_text())
    assert len(loaded) == len(raw) == shipped.read_text().count("\n- id: ") + shipped.read_text().startswith("- id: ")
    assert sum(len(c.methods) for c in loaded.values()) == sum(len(entry["methods"]) for entry in raw)
    assert list(loaded) == [entry["id"] for entry in raw]              # the file's order, no id lost
    assert claims.get("optimal-discriminator").methods == ("symbolic", "numeric", "trained")
    assert claims.get("bce-is-negated-value").sources == (
        "qa-value-function-vs-minibatch-loss.txt", "slides-gan-loss-cross-entropy.txt")


def test_book_copy_keeps_every_shared_claim():
    """New claims arrive in ../shared/claims.yml: merged, never renumbered or renamed."""
    shared = ROOT.parent / "shared" / "claims.yml"
    if not shared.exists():
        pytest.skip("no ../shared checkout beside the repository")
    upstream = claims.load(shared, ROOT / "book" / "sources")
    ours = claims.load()
    for cid, claim in upstream.items():
        assert cid in ours, f"claim {cid} of ../shared/claims.yml is missing from book/claims.yml"
        assert ours[cid].methods == claim.methods


def test_unknown_id_is_named():
    with pytest.raises(claims.ClaimsError, match="no-such-claim"):
        claims.get("no-such-claim")


def _entry(**overrides):
    entry = {"id": "a", "claim": "text", "source": "s.txt", "methods": ["numeric"]}
    entry.update(overrides)
    return entry


@pytest.mark.parametrize("entries, message", [
    ([_entry(), _entry()], "appears twice"),
    ([_entry(methods=["guessed"])], "methods"),
    ([_entry(methods=[])], "methods"),
    ([{"id": "a", "claim": "x"}], "lacks"),
    ([_entry(source="missing.txt")], "missing.txt"),
    ([], "non-empty"),
])
def test_malformed_files_are_refused(tmp_path, entries, message):
    (tmp_path / "s.txt").write_text("source")
    with pytest.raises(claims.ClaimsError, match=message):
        claims.parse(entries, tmp_path)


def test_source_lines_quote_the_shipped_sources_by_line():
    lines = claims.source_lines("lecture-gans-banerjee.txt")
    number = claims.source_line("lecture-gans-banerjee.txt", "What are the solutions")
    assert "What are the solutions" in lines[number - 1]
    assert not any("What are the solutions" in line for line in lines[:number - 1])


@pytest.mark.parametrize("call, error, message", [
    (lambda: claims.source_lines("no-such-lecture.txt"), ValueError, r"^name must be one of the sources \["),
    (lambda: claims.source_lines("../claims.yml"), ValueError, r"^name must be one of the sources"),
    (lambda: claims.source_lines(3), TypeError, r"^name must be a source file name \(str\), got int$"),
    (lambda: claims.source_line("lecture-gans-banerjee.txt", ""), ValueError, r"^text must be a non-empty string"),
    (lambda: claims.source_line("lecture-gans-banerjee.txt", "no such words anywhere 123"), ValueError,
     r"^text 'no such words anywhere 123' is on no line of lecture-gans-banerjee.txt$"),
])
def test_source_lookups_refuse_bad_input_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()
