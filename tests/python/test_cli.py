"""The `leadscore` command line as a user meets it: the help lists every command with a
sentence and every option with its help and default; a command that cannot run ends
with one line saying why (exit code 2), never a traceback.

Run as a subprocess, the way a shell or the Makefile runs it. No dbt build needed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from leadscore.cli import build_parser

LEADSCORE = Path(sys.executable).with_name("leadscore")
COMMANDS = ("generate", "generate-crm", "summary", "report", "publish", "export-sync")
# the commands that read a build database (`--db`); `generate-crm` writes one
READS_DB = {
    "summary": [],
    "report": ["--out", "{tmp}/report.html"],
    "export-sync": ["--out", "{tmp}/exports"],
    "publish": ["--to", "{tmp}/bi.duckdb"],
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LEADSCORE), *args], capture_output=True, text=True, timeout=120)


def test_the_help_lists_every_command_with_a_sentence():
    result = run("--help")
    assert result.returncode == 0, result.stderr
    listed = {}
    lines = result.stdout.splitlines()
    for i, line in enumerate(lines):
        # argparse lists each subcommand as "    name    help sentence", or the name alone
        # on its line and the sentence on the next when the name is long
        match = re.match(r"^ {4}([a-z][a-z-]+)(?: {2,}(\S.*))?$", line)
        if match:
            listed[match.group(1)] = match.group(2) or lines[i + 1].strip()
    assert set(COMMANDS) <= set(listed), result.stdout
    # and the description above the list says what each is for, naming every command
    description = result.stdout.split("positional arguments")[0]
    assert [c for c in COMMANDS if f"`{c}`" not in description] == [], description
    for command in COMMANDS:
        assert len(listed[command].split()) >= 4, (command, listed[command])
    # the parser knows no command the test does not (a new one must be listed here too)
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_and_its_default(command):
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    options = [a for a in sub.choices[command]._actions if a.option_strings and a.dest != "help"]
    assert options
    # the text `leadscore COMMAND --help` prints (formatted in process: six subprocesses
    # would add seconds to the fast loop for the same text)
    text = " ".join(sub.choices[command].format_help().split())
    for option in options:
        assert option.help, f"{command} {option.option_strings[0]} has no help text"
        if option.default not in (None, [], False) and not option.required:
            assert f"default: {option.default}" in text, (command, option.dest, text)


@pytest.mark.parametrize("command", sorted(READS_DB))
def test_a_missing_database_is_one_line_and_exit_code_2(command, tmp_path):
    missing = tmp_path / "missing.duckdb"
    extra = [arg.format(tmp=tmp_path) for arg in READS_DB[command]]
    result = run(command, "--db", str(missing), *extra)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{command}: "), lines[0]
    assert str(missing) in lines[0] and "dbt build" in lines[0], lines[0]
    assert not missing.exists()  # reading a missing database must not create it


def test_a_file_that_is_not_a_database_is_one_line_and_exit_code_2(tmp_path):
    # e.g. --db pointed at the CSV export instead of the DuckDB file
    not_db = tmp_path / "leads.csv"
    not_db.write_text("lead_id,converted\nL1,yes\n")
    for command in sorted(READS_DB):
        extra = [arg.format(tmp=tmp_path) for arg in READS_DB[command]]
        result = run(command, "--db", str(not_db), *extra)
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        assert result.returncode == 2, (command, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{command}: "), result.stderr


def test_an_output_path_that_cannot_be_written_is_one_line_and_exit_code_2(tmp_path):
    # --out below a file: the folder cannot be created
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("generate", "--leads", "20", "--out", str(blocker / "raw"))
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("generate: "), result.stderr
    assert str(blocker) in lines[0], lines[0]
