"""The README carries the workout notation verbatim from domain/NOTATION.md."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_contains_the_notation_reference() -> None:
    notation = (ROOT / "domain" / "NOTATION.md").read_text().split("\n", 1)[1].strip()
    demoted = "\n".join(
        "#" + line if line.startswith("## ") else line for line in notation.split("\n")
    )
    assert demoted in (ROOT / "README.md").read_text()
