"""Loading job files: the one Job subclass, its shape checked at load, JobRef and digest."""

import textwrap

import pytest

from mapreduce.errors import JobFileError
from mapreduce.jobfile import JobRef, instantiate, load_job_class, resolve_job_path


def write(tmp_path, source, name="job.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def test_loads_the_one_job_class(tmp_path):
    path = write(
        tmp_path,
        """
        from mapreduce import Job, Param

        class Count(Job):
            field = Param(str, "x", "what to count")
            n = Param(int, 3)

            def map(self, record):
                yield record[self.field], 1

            def merge(self, a, b):
                return a + b
        """,
    )
    cls, digest = load_job_class(path)
    assert cls.__name__ == "Count"
    assert cls.parse_params(["field=y", "n=7"]) == {"field": "y", "n": 7}
    job = instantiate(JobRef(str(path), "Count", (("n", 7),), digest))
    assert (job.field, job.n) == ("x", 7)
    assert len(job.steps()) == 1


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x = 1\n", "exactly one Job subclass, found 0: none"),
        (
            "from mapreduce import Job\nclass A(Job): pass\nclass B(Job): pass\n",
            "found 2: A, B",
        ),
        ("def broken(:\n", "line 1: syntax error"),
        ("import no_such_module_here\n", "failed to load: ModuleNotFoundError"),
    ],
)
def test_bad_job_files_say_what_is_wrong(tmp_path, source, message):
    with pytest.raises(JobFileError, match=message):
        load_job_class(write(tmp_path, source))


def test_missing_job_file(tmp_path):
    with pytest.raises(JobFileError, match="cannot read job file"):
        load_job_class(tmp_path / "nope.py")


def test_builtin_jobs_resolve_by_name():
    assert resolve_job_path("latest_by_key").name == "latest_by_key.py"
    assert load_job_class(resolve_job_path("word_count"))[0].__name__ == "WordCount"


def test_a_job_file_changed_during_the_run_is_refused(tmp_path):
    body = "class A(Job):\n    def map(self, r):\n        yield r, 1\n\n    merge = max\n"
    path = write(tmp_path, "from mapreduce import Job\n" + body)
    _, digest = load_job_class(path)
    path.write_text("from mapreduce import Job\n\n" + body)
    with pytest.raises(JobFileError, match="changed"):
        instantiate(JobRef(str(path), "A", (), digest))


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("    def merge(self, a, b):\n        return a\n", "defines no map"),
        (
            "    def map(self, r):\n        yield r, 1\n    def merge(self, a, b):\n"
            "        return a\n    def reduce(self, k, vs):\n        yield k\n",
            "both merge\\(\\) and reduce\\(\\)",
        ),
        ("    def map(self, r):\n        yield r, 1\n", "neither merge"),
    ],
)
def test_a_job_missing_map_or_with_merge_and_reduce_is_refused_at_load(tmp_path, body, complaint):
    # issue 12: these failed only at run time (after 3 attempts), or ignored reduce().
    path = write(tmp_path, "from mapreduce import Job\nclass A(Job):\n" + body)
    with pytest.raises(JobFileError, match=complaint):
        load_job_class(path)


@pytest.mark.parametrize("executor", ["sequential", "process"])
def test_a_job_imports_its_sibling_modules(tmp_path, executor):
    """As `python job.py` would: the job file's folder is importable, also in the workers
    (a sibling imported inside map() is found there, not only at load)."""
    from mapreduce import RunSpec, run

    folder = tmp_path / f"jobs_{executor}"
    folder.mkdir()
    write(folder, "def key_of(record):\n    return record['id'] % 3\n", "keys_helper.py")
    write(folder, "SCALE = 10\n", f"scale_{executor}.py")
    job = write(
        folder,
        f"""
        from mapreduce import Job
        from keys_helper import key_of

        class Count(Job):
            def map(self, record):
                from scale_{executor} import SCALE
                yield key_of(record), SCALE

            def merge(self, a, b):
                return a + b
        """,
    )
    data = tmp_path / "in.jsonl"
    data.write_text("".join(f'{{"id": {i}}}\n' for i in range(10)))
    out = tmp_path / f"out_{executor}"
    spec = RunSpec(str(job), (str(data),), str(out), executor=executor, workers=2, reducers=1,
                   state_dir=str(tmp_path / "state"))  # fmt: skip
    run(spec)
    lines = (out / "part-00000.jsonl").read_text().splitlines()
    assert lines == ['{"key":0,"value":40}', '{"key":1,"value":30}', '{"key":2,"value":30}']


def test_a_fresh_interpreter_loading_the_job_finds_its_siblings(tmp_path):
    """What a spawned or forkserver worker does: load the file with nothing on sys.path."""
    import subprocess
    import sys

    write(tmp_path, "NAME = 'from the sibling'\n", "sibling_names.py")
    job = write(
        tmp_path,
        """
        from mapreduce import Job
        from sibling_names import NAME

        class Named(Job):
            def map(self, record):
                yield NAME, 1

            def merge(self, a, b):
                return a + b
        """,
    )
    code = (
        "import sys; from mapreduce.jobfile import load_job_class; "
        "print(*load_job_class(sys.argv[1]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(job)], cwd="/", capture_output=True, text=True, check=False
    )
    # the same digest as here, where the test modules are loaded too: a worker would
    # otherwise refuse the job as changed
    cls, digest = load_job_class(job)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{cls} {digest}\n", "")


def test_the_digest_covers_the_modules_the_job_imports_from_its_folder(tmp_path):
    """A resumed run reuses map outputs only if the code that made them is unchanged: an
    edited helper module beside the job (or in a package there) is a changed job."""
    folder = tmp_path / "digest_jobs"
    (folder / "digest_pkg").mkdir(parents=True)
    write(folder, "FACTOR = 1\n", "digest_pkg/__init__.py")
    write(folder, "from digest_pkg import FACTOR\ndef scale(v):\n    return v * FACTOR\n",
          "digest_helper.py")  # fmt: skip
    job = write(
        folder,
        """
        import json
        from mapreduce import Job
        from digest_helper import scale

        class Scaled(Job):
            def map(self, record):
                yield 1, scale(record["n"])

            def merge(self, a, b):
                return a + b
        """,
    )
    cls, first = load_job_class(job)
    assert load_job_class(job) == (cls, first)  # unchanged: the same class and digest
    write(folder, "FACTOR = 10\n", "digest_pkg/__init__.py")  # imported by the helper
    reloaded, second = load_job_class(job)
    assert second != first
    with pytest.raises(JobFileError, match=r"digest_pkg/__init__.py\) changed while"):
        instantiate(JobRef(str(job), "Scaled", (), first))
    # the class loaded now runs the edited code, not the module cached before the edit
    assert next(reloaded({}).map({"n": 2})) == (1, 20)
