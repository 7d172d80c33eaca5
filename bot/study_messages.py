"""Every sentence of the study tools (Cite, Check, Why, feedback and gaps, refresh diff,
quiz), for Discord and the command line alike: one place for their wording."""

from __future__ import annotations

STYLE_NAMES = {
    "apa": "APA 7",
    "mla": "MLA 9",
    "chicago-ad": "Chicago (author-date)",
    "chicago-notes": "Chicago (notes and bibliography)",
}

# Answer buttons
CITE_LABEL = "Cite"
WHY_LABEL = "Why?"
UP_LABEL = "\U0001f44d"
DOWN_LABEL = "\U0001f44e"
ANSWER_EXPIRED = (
    "This answer is no longer on record (older than the retention period). "
    "Ask the question again with /ask."
)
CHANGED_SINCE = "Note: {locators} changed since this answer (the brief was reindexed)."
GONE_SINCE = "Note: {locators} is no longer in the briefs (the brief was reindexed)."
VOTED_UP = "Thanks: you marked this answer helpful ({up} \U0001f44d, {down} \U0001f44e)."
VOTED_DOWN = (
    "Thanks: you marked this answer unhelpful ({up} \U0001f44d, {down} \U0001f44e). "
    "Moderators see such questions with /gaps."
)

# Cite
CITE_TITLE = "Cite this answer"
IN_TEXT = "In text: {citations}"
FIRST_NOTE = "Note: {note}"
BIBLIOGRAPHY = "Bibliography: {entry}"
CITE_LIST_TITLE = "References quoted here in the last day ({style})"
CITE_NONE = "I have not quoted any passage in this channel in the last day."

# Check a claim
CHECK_HONESTY = (
    "Retrieval finds the passages that bear on a claim; it does not judge whether the "
    "claim is true. Read them before relying on it."
)
CHECK_TITLE = "Passages bearing on: {claim}"
SUPPORTS = "close to the claim"
RELATED = "related, not close"
NONE_SUPPORTS = "No passage of the brief supports this."

# Why
WHY_TITLE = "Why these passages"
WHY_RANKS = "Rank {fused} by {ranking}: words {words}, meaning {meaning}; RRF {rrf}"
WHY_RRF = " = 1/({k}+{words}) + 1/({k}+{meaning})"
WHY_WORDS = "BM25 {bm25}, covers {coverage:.0%} of the question's weight"
WHY_TERM = "{mark} {words}{how}: BM25 {bm25} (weight {weight})"
WHY_HOW = {
    "typed": "",
    "word_form": " (word form {terms})",
    "alias": " (alias group {terms})",
    "typo": " (typo corrected to {terms})",
    "compound": " (compound {terms})",
}
WHY_SENTENCE = "Closest sentence, cosine {similarity}: {sentence}"
WHY_NO_MEANING = "Meaning not used (words alone)."
NOT_RANKED = "-"

# Gaps
GAPS_TITLE = "Questions the briefs did not answer well (last {days} days)"
GAPS_LINE = "{n}. {question} \u2014 asked {count}\u00d7{down}{closest}"
GAPS_DOWN = ", {down} \U0001f44e"
GAPS_CLOSEST = " \u00b7 closest {locator}"
GAPS_NONE = "No gaps: every question asked in the last {days} days was answered."
GAPS_GUILD = "Server {guild_id}:"

# Refresh diff
DIFF_LINE = "{title}: {added} added, {changed} changed, {removed} removed{where}"
DIFF_NONE = "No paragraph changed."

# Quiz
QUIZ_TITLE = "Fill in the blank"
QUIZ_FOOTER = "From {title}. Pick an answer; only you see whether it is right."
QUIZ_NONE = "I could not make a quiz question from this brief."
QUIZ_RIGHT = "Right: the answer is {answer}."
QUIZ_WRONG = "Not quite: you picked {picked}; the answer is {answer}."
QUIZ_CHANGED = "This quiz's brief has changed since it was asked. Start a new one with /quiz."
QUIZ_ANSWER = "Answer: ({letter}) {answer}"
QUIZ_PROMPT = "Your answer (a-d, or Enter to see it): "
