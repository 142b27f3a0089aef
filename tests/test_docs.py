"""Documentation stays in step with the code."""

from __future__ import annotations

from pathlib import Path

from planner.tables import SCHEMA

ROOT = Path(__file__).resolve().parents[1]


def test_data_format_documents_every_table_and_column() -> None:
    """docs/data-format.md has a section per table and a row per column of the schema."""
    text = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    for table, columns in SCHEMA.items():
        assert f"### `{table}`" in text, table
        section = text.split(f"### `{table}`", 1)[1].split("### ", 1)[0]
        for column in columns:
            assert f"| `{column.name}` |" in section, f"{table}.{column.name}"


def test_readme_opens_with_the_two_commands() -> None:
    """The README's first code block holds exactly the run and the test command."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["bash scripts/run.sh", "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
