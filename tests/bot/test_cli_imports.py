"""`briefbot ask` pays only for what it uses: a question over a saved, fresh index loads
none of the modules other commands need (bench/run.py times what this keeps cheap)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bot.conftest import run_python
from tests.conftest import MODEL_CACHE

# Loaded by other commands only: the Discord bot, the library commands (asyncio, http, the
# readers of HTML and PDF), the study tools, typo tolerance, and what only a writer needs.
NEVER_FOR_ASK = (
    "discord",
    "aiohttp",
    "asyncio",
    "ssl",
    "http.client",
    "bot.commands_library",
    "bot.libraries",
    "bot.holder",
    "bot.commands_study",
    "index.fetch",
    "trafilatura",
    "lxml",
    "pypdf",
    "markdown_it",
    "wordfreq",  # index/english_table.py answers for the words a question lacks
    "rapidfuzz",
    "safetensors",
    "tempfile",
    "importlib.metadata",
    # A question is tokenized in Python from the converted file, which is trusted while
    # the model's files keep their size and time: neither the zip nor a hash is read.
    "tokenizers",
    "zipfile",
    "hashlib",
    # The mapped format's modules: the seed brief's index is JSON (index/backends.py).
    "index.mapped_backend",
    "index.mapped_tables",
    "index.mapped_briefs",
    "index.mapped_engine",
    "index.mapped_arrays",
    "index.mapped_check",
    "index.text_blocks",
    "zstandard",
    "index.engine_numpy",
    "index.candidates_numpy",
    "index.encode",
    # What reads briefs: a saved, fresh index is served without them (index/refresh.py).
    "index.build",
    "index.brief",
    "index.brief_formats",
    "index.readers",
    "index.splitting",
    "index.draft",
    # The citation styles' rules: --cite loads them; the parser names them (index/cite.py).
    "index.styles",
    "index.style_text",
)
# The encoder's own modules and the meaning half of the search: loaded with the encoder,
# not without it.
ENCODER = ("index.encoder", "index.wordpiece", "threadpoolctl", "index.meaning", "index.vectors")

# The README's question, and one whose words the brief lacks (their English frequency).
QUESTIONS = (
    "How long is the border between China and North Korea?",
    "What is the capital of France?",
)
PROBE = """
import json, runpy, sys
sys.argv = ['briefbot', 'ask', sys.argv[1]]
try:
    runpy.run_module('bot', run_name='__main__')
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _probe(probe: str, config: Path, *args: str) -> str:
    """What `probe` (a `python -c` script) printed on stderr, run with `config`."""
    return run_python(probe, config, *args).stderr


def _modules_of_ask(config: Path) -> set[str]:
    """The modules `python -m bot ask` loaded for each question, once the index is built."""
    loaded: set[str] = set()
    for n, question in enumerate((QUESTIONS[0], *QUESTIONS)):
        printed = _probe(PROBE, config, question)
        if n:  # the first run built the index
            loaded |= set(json.loads(printed.strip().splitlines()[-1]))
    return loaded


@pytest.mark.parametrize("meaning", [True, False], ids=["with encoder", "words only"])
def test_ask_loads_only_what_it_uses(tmp_path, seeds_dir, meaning):
    config = tmp_path / "config.yaml"
    config.write_text(
        f"seeds_dir: {seeds_dir}\ndata_dir: data\n"
        f"meaning:\n  enabled: {str(meaning).lower()}\n  cache_dir: {MODEL_CACHE}\n",
        encoding="utf-8",
    )
    loaded = _modules_of_ask(config)
    heavy = {m for m in loaded if m.split(".")[0] in NEVER_FOR_ASK or m in NEVER_FOR_ASK}
    assert not heavy, f"`briefbot ask` imported {sorted(heavy)}"
    encoder = {m for m in ENCODER if m in loaded}
    assert encoder == (set(ENCODER) if meaning else set()), sorted(encoder)


@pytest.mark.parametrize(
    "argv",
    [
        ["ask"],
        ["ask", "-h"],
        ["ask", "--json", "--explain", "-k", "2", "--config", "c.yaml", "--library", "L", "q"],
        ["ask", "-k", "11", "q"],
        ["ask", "--cite", "nope", "q"],
        ["ask", "q", "extra"],
        ["ask", "-x"],
        ["ask", "--", "-q"],
    ],
)
def test_the_ask_parser_alone_reads_as_the_whole_one(argv):
    """`briefbot ask ...` is parsed by the ask command's parser alone: same result, same
    help and errors."""
    import contextlib
    import io

    from bot.cli import build_parser

    seen = []
    for only in (None, "ask"):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                result: object = vars(build_parser(only).parse_args(argv))
            except SystemExit as exc:
                result = exc.code
        seen.append((result, out.getvalue(), err.getvalue()))
    assert seen[0] == seen[1]


# Runs `python -m bot` with an exit handler registered first, so that it runs last.
EXIT_PROBE = """
import atexit, gc, runpy, sys
atexit.register(lambda: print('frozen', gc.get_freeze_count(), file=sys.stderr))
sys.argv = ['briefbot', *sys.argv[1:]]
try:
    runpy.run_module('bot', run_name='__main__')
except SystemExit as exc:
    assert not exc.code, exc.code
"""


def test_ask_exits_without_collecting_what_it_imported(tmp_path, seeds_dir):
    """Python's last collections walk every object alive at exit (numpy's, ours): the
    command freezes them first, so they are skipped (bot/cli.py)."""
    config = tmp_path / "config.yaml"
    config.write_text(
        f"seeds_dir: {seeds_dir}\ndata_dir: data\nmeaning:\n  enabled: false\n",
        encoding="utf-8",
    )
    printed = _probe(EXIT_PROBE, config, "ask", QUESTIONS[0])
    frozen = int(printed.split("frozen ")[-1])
    assert frozen > 10_000, printed  # numpy's objects alone are more


# What the garbage collector looks like once `python -m bot` returns, before any exit handler.
AFTER_PROBE = """
import gc, runpy, sys
sys.argv = ['briefbot', *sys.argv[1:]]
try:
    runpy.run_module('bot', run_name='__main__')
except SystemExit as exc:
    assert not exc.code, exc.code
print('on', gc.isenabled(), 'frozen', gc.get_freeze_count(), file=sys.stderr)
"""


def test_the_command_is_imported_with_collection_off_and_runs_with_it_on(tmp_path, seeds_dir):
    """bot/__main__.py imports the command with the collector off and freezes what the
    imports made (no collection walks them again): collection is back on for the command,
    and the imports are frozen before any exit handler runs."""
    config = tmp_path / "config.yaml"
    config.write_text(
        f"seeds_dir: {seeds_dir}\ndata_dir: data\nmeaning:\n  enabled: false\n",
        encoding="utf-8",
    )
    printed = _probe(AFTER_PROBE, config, "ask", QUESTIONS[0]).strip().splitlines()[-1]
    _, enabled, _, frozen = printed.split()
    assert enabled == "True", printed
    assert int(frozen) > 10_000, printed
