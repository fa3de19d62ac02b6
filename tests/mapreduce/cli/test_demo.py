"""`mapreduce demo` generates data, runs both executors and checks them against the truth."""

import sqlite3

from mapreduce.cli import main


def test_demo_matches_the_truth_file(tmp_path, capsys):
    code = main(
        [
            "demo",
            "--rows",
            "8000",
            "--dir",
            str(tmp_path),
            "--quiet",
            "--state-dir",
            str(tmp_path / "state"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("matches the truth file (2,000 keys)") == 2
    assert "byte-identical across executors: yes" in out
    assert "speedup of the process pool" in out
    # The database step: the latest users in SQLite, and an older batch replacing nothing.
    assert "2,000 rows, match the truth file; newer rows replaced by the older batch: 0" in out
    with sqlite3.connect(tmp_path / "users.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM users WHERE first_name = 'STALE'").fetchone() == (
            0,
        )


def test_demo_leaves_nothing_where_it_was_started(tmp_path, monkeypatch, capsys):
    """Its ledger went to .mapreduce in the current folder, listing runs whose outputs the
    demo had already deleted with its temporary folder."""
    started = tmp_path / "home"
    started.mkdir()
    monkeypatch.chdir(started)
    assert main(["demo", "--rows", "4000", "--quiet"]) == 0
    assert list(started.iterdir()) == []
    kept = tmp_path / "kept"
    assert main(["demo", "--rows", "4000", "--quiet", "--dir", str(kept)]) == 0
    assert (kept / ".mapreduce").is_dir() and list(started.iterdir()) == []
    capsys.readouterr()
