/* The adjacent word pairs of an ASCII passage that could be one of a question's phrases
 * (index/tokenize.py, pairs_held), without making a Python string of every word.
 *
 * Why C: a search checks its ten leading passages for the question's word pairs. Python
 * splits each passage into a hundred new strings and builds a string of their first
 * letters to find the pairs worth stemming, about 6 us a passage; here the words are
 * found where they lie, and only the few pairs whose first letters match become strings.
 *
 * adjacent(text, wanted) -> [(word, next word), ...]
 *   text    an ASCII str, normalised (index/tokenize.py normalize)
 *   wanted  an ASCII str of two-letter pieces: first letters of the question's pairs
 *   The words are those of _pair_words: runs of ASCII letters and digits, case-folded,
 *   with apostrophes dropped (so "don't" is "dont"; a run of apostrophes alone is no
 *   word). Each pair of adjacent words whose first letters are a wanted piece is listed,
 *   in text order, repeats included. pairs_held calls held() below; adjacent() lays the
 *   shared scan's pairs open, so that tests hold them to _pair_words' own, pair by pair.
 *
 * held(text, wanted, stem, heads, pairs, openings) -> int
 *   How many of `pairs` (a frozenset of stemmed word pairs) the text holds, as pairs_held's
 *   loop over adjacent()'s pairs counts them: a pair's first word is stemmed (`stem`, the
 *   cached stemmer) and its second only when the first is one of `heads` (a frozenset of
 *   the pairs' first words). The loop in Python was 3 of a phrase check's 7 us a passage.
 *   Neither word is stemmed unless its first two letters are one of `openings` (pieces of
 *   two: a letter and a second letter, or '*' for any or none), those of a word that could
 *   stem to a pair's word (tokenize.py _openings: a stem keeps its word's first two
 *   letters but for a y turned i and stems of one letter; tests check it): in a large
 *   library a passage's words are mostly stemmed for the first time, 1 us each.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Each ASCII character's part in a word, looked up (one load a character, where three
 * range tests were most of the scan): between words, an apostrophe (in a word, but no
 * letter of it), or a letter or digit. */
enum { GAP, QUOTE, LETTER };
static unsigned char kind[128];

static void kinds_init(void) {
    for (int c = 0; c < 128; c++)
        kind[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                      ? LETTER
                      : c == '\'' ? QUOTE : GAP;
}

static unsigned char folded(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* One word: where its run of letters, digits and apostrophes lies, and its first two
 * letters or digits, folded. */
typedef struct {
    Py_ssize_t start, end;
    unsigned char first, second; /* second: 0 for a word of one letter or digit */
} Word;

/* The word as a string, its apostrophes dropped (its length counted here: most words
 * never become one). */
static PyObject *word_string(const unsigned char *s, const Word *w) {
    Py_ssize_t size = 0;
    for (Py_ssize_t i = w->start; i < w->end; i++)
        size += s[i] != '\'';
    PyObject *out = PyUnicode_New(size, 127);
    if (out == NULL)
        return NULL;
    Py_UCS1 *to = PyUnicode_1BYTE_DATA(out);
    for (Py_ssize_t i = w->start; i < w->end; i++)
        if (s[i] != '\'')
            *to++ = folded(s[i]);
    return out;
}

/* What to do with each wanted pair: `a` is the first word's string (a new reference the
 * action takes over), `cur` the second word; the action sets *cur_string to the second
 * word's string when it made one (kept for the next pair), else leaves it NULL. */
typedef int (*PairAction)(void *state, PyObject *a, const unsigned char *s, const Word *cur,
                          PyObject **cur_string);

/* Bitmaps of letters (and 0), by letter: open[a] bit b when a word opening with a, then b,
 * may stem to one of a question's pair words. */
typedef uint64_t Openings[128][2];

static int opens(const Openings *open, const Word *w) {
    return (int)((*open)[w->first][w->second >> 6] >> (w->second & 63) & 1);
}

/* The scan both entries share: each pair of adjacent words of ASCII `text` whose first
 * letters are a piece of `wanted` (and, given `open`, both of whose openings are open),
 * given to `act` in text order. -1 on an error. */
static int scan(PyObject *text, PyObject *wanted, const Openings *open, PairAction act,
                void *state) {
    if (!PyUnicode_IS_ASCII(text) || !PyUnicode_IS_ASCII(wanted) ||
        PyUnicode_GET_LENGTH(wanted) % 2) {
        PyErr_SetString(PyExc_ValueError, "the pair scan takes ASCII text and pairs of letters");
        return -1;
    }
    const unsigned char *s = PyUnicode_1BYTE_DATA(text);
    const unsigned char *w = PyUnicode_1BYTE_DATA(wanted);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), m = PyUnicode_GET_LENGTH(wanted);
    /* want[a] bit b: a word starting with a followed by one starting with b is wanted. */
    uint64_t want[128][2] = {{0}};
    for (Py_ssize_t i = 0; i < m; i += 2)
        want[w[i]][w[i + 1] >> 6] |= (uint64_t)1 << (w[i + 1] & 63);

    Word prev = {0, 0, 0, 0}, cur;
    PyObject *prev_string = NULL; /* prev's string, when it was made for the last pair */
    int have_prev = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        if (kind[s[i]] == GAP) {
            i++;
            continue;
        }
        cur.start = i;
        cur.first = cur.second = 0;
        /* Its first two letters or digits (a folded one is never 0), then the rest of the
         * run skipped with one test a character: most of a passage's characters. */
        for (; i < n && kind[s[i]] != GAP; i++) {
            if (kind[s[i]] == LETTER) {
                if (cur.first) {
                    cur.second = folded(s[i++]);
                    break;
                }
                cur.first = folded(s[i]);
            }
        }
        while (kind[s[i]] != GAP) /* s[n] is 0, a GAP: a str's data ends in one */
            i++;
        cur.end = i;
        if (!cur.first)
            continue; /* apostrophes alone: no word, and the words around stay adjacent */
        PyObject *cur_string = NULL;
        if (have_prev && (want[prev.first][cur.first >> 6] >> (cur.first & 63) & 1) &&
            (open == NULL || (opens(open, &prev) && opens(open, &cur)))) {
            PyObject *a = prev_string ? prev_string : word_string(s, &prev);
            prev_string = NULL;
            if (a == NULL || act(state, a, s, &cur, &cur_string) < 0) {
                Py_XDECREF(cur_string);
                return -1;
            }
        }
        Py_XDECREF(prev_string);
        prev_string = cur_string;
        prev = cur;
        have_prev = 1;
    }
    Py_XDECREF(prev_string);
    return 0;
}

/* adjacent: each pair listed, as a tuple of its two words. */
static int list_pair(void *state, PyObject *a, const unsigned char *s, const Word *cur,
                     PyObject **cur_string) {
    *cur_string = word_string(s, cur);
    PyObject *pair = *cur_string ? PyTuple_Pack(2, a, *cur_string) : NULL;
    Py_DECREF(a);
    int failed = pair == NULL || PyList_Append((PyObject *)state, pair) < 0;
    Py_XDECREF(pair);
    return failed ? -1 : 0;
}

static PyObject *adjacent(PyObject *self, PyObject *args) {
    PyObject *text, *wanted;
    if (!PyArg_ParseTuple(args, "UU", &text, &wanted))
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL || scan(text, wanted, NULL, list_pair, out) < 0) {
        Py_XDECREF(out);
        return NULL;
    }
    return out;
}

/* held: a pair is stemmed as pairs_held's loop stems it, its first word alone first. */
typedef struct {
    PyObject *stem, *heads, *pairs, *held;
} Held;

static int hold_pair(void *state, PyObject *a, const unsigned char *s, const Word *cur,
                     PyObject **cur_string) {
    Held *h = state;
    PyObject *head = PyObject_CallOneArg(h->stem, a);
    Py_DECREF(a);
    if (head == NULL)
        return -1;
    int known = PySet_Contains(h->heads, head);
    if (known <= 0) {
        Py_DECREF(head);
        return known;
    }
    PyObject *tail = NULL, *pair = NULL;
    *cur_string = word_string(s, cur);
    if (*cur_string)
        tail = PyObject_CallOneArg(h->stem, *cur_string);
    if (tail)
        pair = PyTuple_Pack(2, head, tail);
    Py_DECREF(head);
    Py_XDECREF(tail);
    if (pair == NULL)
        return -1;
    int found = PySet_Contains(h->pairs, pair);
    if (found > 0)
        found = PySet_Add(h->held, pair) < 0 ? -1 : 1;
    Py_DECREF(pair);
    return found < 0 ? -1 : 0;
}

/* The Openings of `openings`, an ASCII str of two-character pieces: a letter, then the
 * second letter it may be followed by, or '*' for any (and for none). -1 on an error. */
static int openings_of(PyObject *openings, Openings *open) {
    if (!PyUnicode_IS_ASCII(openings) || PyUnicode_GET_LENGTH(openings) % 2) {
        PyErr_SetString(PyExc_ValueError, "the openings are pairs of ASCII characters");
        return -1;
    }
    const unsigned char *o = PyUnicode_1BYTE_DATA(openings);
    memset(open, 0, sizeof *open);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(openings); i += 2) {
        if (o[i + 1] == '*') { /* any second letter, and none (0) */
            (*open)[o[i]][0] = (*open)[o[i]][1] = ~(uint64_t)0;
        } else {
            (*open)[o[i]][o[i + 1] >> 6] |= (uint64_t)1 << (o[i + 1] & 63);
        }
    }
    return 0;
}

static PyObject *held(PyObject *self, PyObject *args) {
    PyObject *text, *wanted, *openings;
    Held h = {NULL, NULL, NULL, NULL};
    Openings open;
    if (!PyArg_ParseTuple(args, "UUOO!O!U", &text, &wanted, &h.stem, &PyFrozenSet_Type,
                          &h.heads, &PyFrozenSet_Type, &h.pairs, &openings))
        return NULL;
    if (openings_of(openings, &open) < 0)
        return NULL;
    h.held = PySet_New(NULL);
    if (h.held == NULL)
        return NULL;
    PyObject *count = NULL;
    if (scan(text, wanted, (const Openings *)&open, hold_pair, &h) == 0)
        count = PyLong_FromSsize_t(PySet_GET_SIZE(h.held));
    Py_DECREF(h.held);
    return count;
}

static PyMethodDef methods[] = {
    {"adjacent", adjacent, METH_VARARGS, "Adjacent word pairs with wanted first letters."},
    {"held", held, METH_VARARGS, "How many of a question's word pairs a passage holds."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_pairs", "A passage's word pairs worth stemming, compiled.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__pairs(void) {
    kinds_init();
    return PyModule_Create(&module);
}
