"""The offline CLI: answers with citations, the --json contract, clear errors."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.cli_messages import CLOSEST_FRAMING
from tests.bot.conftest import run_python
from tests.conftest import REPO

BORDER = "How long is the border between North Korea and China?"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_builds_the_index_then_quotes_with_citation(capsys, config_file):
    code, out, err = run(capsys, "--config", str(config_file), "ask", BORDER)
    assert code == 0
    assert "Built the index (no index had been built yet): 1 brief(s), 11 passages." in err
    first = out.split("\n\n")[0]
    assert first.startswith("[1] Can North Korea play off Russia against China?, \u00b64")
    assert "1,350-kilometre border" in first
    assert "The Interpreter, Lowy Institute" in first
    assert (config_file.parent / "data" / "index.json").is_file()
    # Second run loads the saved index silently.
    code, _, err = run(capsys, "ask", BORDER, "--config", str(config_file))
    assert code == 0 and err == ""


def test_json_contract(capsys, config_file):
    code, out, _ = run(capsys, "--config", str(config_file), "ask", BORDER, "--json", "-k", "2")
    assert code == 0
    data = json.loads(out)
    # The first three keys are the contract since the first version; verdict and similarity
    # (how sure it is: issue 11) were added beside them, then about (a brief's metadata
    # asked for; empty for a question about its content).
    assert set(data) == {"question", "answered", "results", "verdict", "similarity", "about"}
    assert data["about"] == []
    assert data["question"] == BORDER and data["answered"] is True
    assert data["verdict"] == "answered" and 0 < data["similarity"] <= 1
    assert len(data["results"]) == 2
    for result in data["results"]:
        assert set(result) == {"text", "score", "citation"}
        assert isinstance(result["score"], float)
        # kind (paragraph, standfirst or caption) was added beside the first five keys.
        assert set(result["citation"]) == {"title", "locator", "paragraph", "brief", "url", "kind"}
    top = data["results"][0]
    assert top["citation"] == {
        "title": "Can North Korea play off Russia against China?",
        "locator": "\u00b64",
        "paragraph": 4,
        "brief": "interpreter-can-north-korea-play-off-russia-against-china",
        "url": None,
        "kind": "paragraph",
    }
    assert "1,350-kilometre border" in top["text"]
    assert out.count("\n") == 1  # exactly one JSON object, one line


def test_a_question_about_the_brief_itself_is_answered_from_its_metadata(capsys, config_file):
    """ "who published this?" names no passage: the publisher comes from the brief's
    metadata file, in words on a terminal and under `about` in the JSON, with no results."""
    code, out, _ = run(capsys, "--config", str(config_file), "ask", "who published this?")
    assert code == 0
    assert "Publisher: The Interpreter, Lowy Institute" in out
    assert "Can North Korea play off Russia against China?" in out
    code, out, _ = run(capsys, "--config", str(config_file), "ask", "--json", "who wrote it?")
    data = json.loads(out)
    assert (data["verdict"], data["answered"], data["results"]) == ("not_covered", False, [])
    assert data["about"] == [
        {
            "fact": "author",
            "value": None,
            "brief": "interpreter-can-north-korea-play-off-russia-against-china",
            "title": "Can North Korea play off Russia against China?",
        }
    ]
    code, out, _ = run(capsys, "--config", str(config_file), "ask", "who wrote it?")
    assert "Author: not given in the brief's metadata" in out


def test_cite_on_an_answer_from_the_metadata_cites_the_brief(capsys, config_file):
    """No passage is quoted, so --cite gives the brief's own reference (no paragraph)."""
    code, out, _ = run(
        capsys, "--config", str(config_file), "ask", "what's the headline", "--cite", "apa"
    )
    assert code == 0
    facts, refs = out.split("\n\n")
    assert facts.splitlines()[1] == "    Title: Can North Korea play off Russia against China?"
    assert refs.startswith("APA 7\n")
    words = " ".join(refs.split())  # as wrapped to any terminal's width
    reference = (
        "Can North Korea play off Russia against China? (n.d.). The Interpreter, Lowy Institute."
    )
    assert reference in words and "para." not in words


def test_a_question_about_this_brief_among_two_gets_each_under_its_title(
    capsys, config_file, seeds_dir
):
    (seeds_dir / "reef.txt").write_text(
        "Saving the reef\n\nCoral bleaching worsened this summer.\n", encoding="utf-8"
    )
    (seeds_dir / "reef.yaml").write_text("title: Saving the reef\n", encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(config_file), "ask", "who published this?")
    assert code == 0
    blocks = out.strip().split("\n\n")
    assert [b.splitlines() for b in blocks] == [
        [
            "About \u201cCan North Korea play off Russia against China?\u201d, from its metadata",
            "    Publisher: The Interpreter, Lowy Institute",
        ],
        [
            "About \u201cSaving the reef\u201d, from its metadata",
            "    Publisher: not given in the brief's metadata",
        ],
    ]


def test_json_cites_a_caption_as_a_caption(capsys, config_file):
    question = "when was the Sino-North Korean friendship treaty signed?"
    code, out, _ = run(capsys, "--config", str(config_file), "ask", question, "--json")
    assert code == 0
    top = json.loads(out)["results"][0]
    assert top["text"] == (
        "Signing Sino-North Korean Mutual Aid and Cooperation Friendship Treaty, 11 July 1961 "
        "(Wikimedia Commons)"
    )
    # paragraph -6: the caption standing before ¶6 (never ¶6's own number).
    assert {k: top["citation"][k] for k in ("locator", "paragraph", "kind")} == {
        "locator": "photo caption before \u00b66",
        "paragraph": -6,
        "kind": "caption",
    }


def test_terminal_cites_a_caption_as_a_caption(capsys, config_file):
    question = "when was the Sino-North Korean friendship treaty signed?"
    code, out, _ = run(capsys, "--config", str(config_file), "ask", question, "-k", "1")
    assert code == 0
    flat = " ".join(out.split())
    assert (
        "[1] Can North Korea play off Russia against China?, photo caption before \u00b66" in flat
    )
    assert "11 July 1961 (Wikimedia Commons)" in flat


def test_not_covered_is_said_plainly(capsys, config_file):
    code, out, _ = run(capsys, "--config", str(config_file), "ask", "capital of France")
    assert code == 0
    assert out.strip() == "Nothing in the indexed briefs matches that question. Try other keywords."
    code, out, _ = run(capsys, "--config", str(config_file), "ask", "--json", "capital of France")
    data = json.loads(out)
    assert {k: data[k] for k in ("question", "answered", "results", "verdict")} == {
        "question": "capital of France",
        "answered": False,
        "results": [],
        "verdict": "not_covered",
    }


def test_near_topic_is_framed_and_shows_as_many_as_json(capsys, config_file):
    """Both outputs show the same passages for the same verdict (issue 11)."""
    question = "How many US troops are stationed in South Korea?"
    code, out, _ = run(capsys, "--config", str(config_file), "ask", question, "-k", "2")
    assert code == 0 and out.startswith(CLOSEST_FRAMING)
    quoted = [line for line in out.splitlines() if line.startswith("[")]
    code, out, _ = run(capsys, "--config", str(config_file), "ask", question, "-k", "2", "--json")
    data = json.loads(out)
    assert data["verdict"] == "closest" and data["answered"] is False
    assert len(data["results"]) == len(quoted) == 2


@pytest.mark.parametrize("question", ["", "   ", "the of and what is", "?!?"])
def test_empty_question_is_a_clear_error(capsys, config_file, question):
    code, out, err = run(capsys, "--config", str(config_file), "ask", question)
    assert code == 1 and out == ""
    assert err.startswith("briefbot: The question has no words to search for.")
    assert "Traceback" not in err


def test_missing_seeds_folder_is_a_clear_error(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("seeds_dir: nowhere\n", encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config), "ask", "border")
    assert code == 1 and out == ""
    assert f"The seeds folder {tmp_path / 'nowhere'} does not exist" in err


@pytest.mark.parametrize("k", ["0", "11", "two"])
def test_bad_result_count_is_a_usage_error(capsys, config_file, k):
    with pytest.raises(SystemExit) as exit_info:
        main(["--config", str(config_file), "ask", "border", "-k", k])
    assert exit_info.value.code == 2
    assert "must be a whole number from 1 to 10" in capsys.readouterr().err


def test_index_reports_what_it_did_and_skipped(capsys, config_file, seeds_dir):
    (seeds_dir / "notes.docx").write_bytes(b"PK")
    (seeds_dir / "orphan.yaml").write_text("title: x\n", encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(config_file), "index")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Indexed 1 brief(s), 11 passages in ")
    assert "Skipped notes.docx: not a brief: briefs are .txt, .md, .html, .htm or .pdf files" in (
        lines
    )
    assert "Skipped orphan.yaml: metadata file with no brief of the same name" in lines


def test_sources_lists_briefs(capsys, config_file):
    code, out, _ = run(capsys, "--config", str(config_file), "sources")
    assert code == 0
    assert all(len(line) <= 88 for line in out.splitlines())  # wrapped to the width (88)
    assert out.replace("\n    ", " ").splitlines()[0] == (
        "interpreter-can-north-korea-play-off-russia-against-china: "
        "Can North Korea play off Russia against China? (The Interpreter, Lowy Institute) "
        "\u2014 8 paragraphs, 11 passages"
    )


def test_config_from_environment(capsys, config_file, monkeypatch):
    monkeypatch.setenv("BRIEFBOT_CONFIG", str(config_file))
    code, out, _ = run(capsys, "ask", "--json", BORDER)
    assert code == 0 and json.loads(out)["results"][0]["citation"]["paragraph"] == 4


def test_module_entry_point_without_discord(config_file):
    """`python -m bot ask` works end to end and never imports discord.py."""
    code = (
        "import runpy, sys; sys.argv = ['briefbot', 'ask', '--json', 'Shoigu letter'];"
        "\ntry:\n    runpy.run_module('bot', run_name='__main__')"
        "\nexcept SystemExit as e:\n    assert e.code == 0, e.code"
        "\nassert 'discord' not in sys.modules, 'discord imported'"
    )
    result = run_python(code, config_file, timeout=60)
    assert json.loads(result.stdout)["results"][0]["citation"]["paragraph"] == 3


def test_terminal_highlight_bolds_the_best_sentence(seed_searcher):
    from bot.console import BOLD, PLAIN, format_answer

    answer = seed_searcher.search("Who delivered a letter from Putin?", 1)
    text = format_answer(answer, highlight=True)
    bolded = text[text.index(BOLD) + len(BOLD) : text.index(PLAIN)]
    assert " ".join(bolded.split()).startswith("Shoigu also delivered a letter")
    assert BOLD not in format_answer(answer)


def test_eval_prints_the_baseline_each_half_and_briefbot(capsys, config_file):
    qa = REPO / "tests" / "qa" / "seed.yaml"
    code, out, _ = run(capsys, "--config", str(config_file), "eval", str(qa))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("(57 answerable, 12 not covered)")
    assert lines[1].split() == ["baseline", "words", "only", "meaning", "only", "briefbot"]
    recall = lines[2].split()
    assert recall[0] == "recall@1"
    baseline, words, meaning, fused = map(float, recall[1:])
    assert fused > baseline and fused >= max(words, meaning)
    assert [line.split()[0] for line in lines[6:8]] == ["off-topic", "near-topic"]
    code, out, _ = run(capsys, "--config", str(config_file), "eval", str(qa), "--json")
    data = json.loads(out)
    assert set(data) == {"baseline", "words only", "meaning only", "briefbot"}
    assert data["briefbot"]["recall_at_1"] >= 0.95


def test_eval_bad_question_set_is_one_line(capsys, config_file, tmp_path):
    qa = tmp_path / "qa.yaml"
    qa.write_text("- q: no answer given\n", encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config_file), "eval", str(qa))
    assert (code, out) == (1, "")
    assert err.strip().endswith("needs expect: [phrases] or none: true")


def test_config_example_holds_exactly_the_defaults():
    from dataclasses import replace

    from bot.config import Config
    from bot.config_file import load_config

    example = load_config(REPO / "config.example.yaml")
    defaults = Config()
    assert example.seeds_dir == REPO / "seeds" and example.data_dir == REPO / "data"
    assert (
        replace(example, seeds_dir=defaults.seeds_dir, data_dir=defaults.data_dir, source=None)
        == defaults
    )
