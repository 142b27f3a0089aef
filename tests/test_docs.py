"""Documentation stays in step with the code."""

from __future__ import annotations

from pathlib import Path

from planner.tables import SCHEMA, SETTINGS_KEYS

ROOT = Path(__file__).resolve().parents[1]


def test_data_format_documents_every_table_and_column() -> None:
    """docs/data-format.md has a section per table and a row per column of the schema."""
    text = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    for table, columns in SCHEMA.items():
        assert f"### `{table}`" in text, table
        section = text.split(f"### `{table}`", 1)[1].split("### ", 1)[0]
        for column in columns:
            assert f"| `{column.name}` |" in section, f"{table}.{column.name}"


def test_data_format_documents_every_setting() -> None:
    """docs/data-format.md's settings section has a table row naming every settings key."""
    text = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    section = text.split("## settings.toml", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    for key in SETTINGS_KEYS:
        assert any(f"`{key}`" in row.split("|")[1] or f"`[[{key}]]`" in row for row in rows), key


def test_readme_opens_with_the_two_commands() -> None:
    """The README's first code block holds exactly the run and the test command."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["bash scripts/run.sh", "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
