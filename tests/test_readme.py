"""The README's two promised commands exist, and CI runs exactly the test one."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_opens_with_install_and_test_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text[: text.index("## What it does")]
    assert ".venv/bin/pip install -e . && .venv/bin/pxdesk" in head
    assert "<!-- test-command -->" in head
    assert "pip install -e '.[test]'" in head and "pytest" in head


def test_ci_reads_the_test_command_from_the_readme() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in script
    assert "README.md" in script


def test_readme_documents_every_cli_command() -> None:
    """The README's command-line section cannot drift from the parser."""
    import argparse

    from pxdesk.cli import build_parser

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert sub.choices
    missing = [name for name in sub.choices if f"pxdesk-cli {name}" not in text]
    assert missing == []
