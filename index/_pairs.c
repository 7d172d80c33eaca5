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
 *   in text order, repeats included.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static int is_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char folded(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* One word: where its run of letters, digits and apostrophes lies, how many letters and
 * digits it has (its length once apostrophes are dropped) and its first one, folded. */
typedef struct {
    Py_ssize_t start, end, size;
    unsigned char first;
} Word;

static PyObject *word_string(const unsigned char *s, const Word *w) {
    PyObject *out = PyUnicode_New(w->size, 127);
    if (out == NULL)
        return NULL;
    Py_UCS1 *to = PyUnicode_1BYTE_DATA(out);
    for (Py_ssize_t i = w->start; i < w->end; i++)
        if (s[i] != '\'')
            *to++ = folded(s[i]);
    return out;
}

static PyObject *adjacent(PyObject *self, PyObject *args) {
    PyObject *text, *wanted;
    if (!PyArg_ParseTuple(args, "UU", &text, &wanted))
        return NULL;
    if (!PyUnicode_IS_ASCII(text) || !PyUnicode_IS_ASCII(wanted) ||
        PyUnicode_GET_LENGTH(wanted) % 2) {
        PyErr_SetString(PyExc_ValueError, "adjacent() takes ASCII text and pairs of letters");
        return NULL;
    }
    const unsigned char *s = PyUnicode_1BYTE_DATA(text);
    const unsigned char *w = PyUnicode_1BYTE_DATA(wanted);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), m = PyUnicode_GET_LENGTH(wanted);
    /* want[a] bit b: a word starting with a followed by one starting with b is wanted. */
    uint64_t want[128][2] = {{0}};
    for (Py_ssize_t i = 0; i < m; i += 2)
        want[w[i]][w[i + 1] >> 6] |= (uint64_t)1 << (w[i + 1] & 63);

    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Word prev = {0, 0, 0, 0}, cur;
    PyObject *prev_string = NULL; /* prev's string, when it was made for the last pair */
    int have_prev = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_alnum(s[i]) && s[i] != '\'') {
            i++;
            continue;
        }
        cur.start = i;
        cur.size = 0;
        cur.first = 0;
        for (; i < n && (is_alnum(s[i]) || s[i] == '\''); i++) {
            if (s[i] != '\'') {
                if (!cur.size)
                    cur.first = folded(s[i]);
                cur.size++;
            }
        }
        cur.end = i;
        if (!cur.size)
            continue; /* apostrophes alone: no word, and the words around stay adjacent */
        PyObject *cur_string = NULL;
        if (have_prev && (want[prev.first][cur.first >> 6] >> (cur.first & 63) & 1)) {
            PyObject *a = prev_string ? prev_string : word_string(s, &prev);
            prev_string = NULL;
            cur_string = a ? word_string(s, &cur) : NULL;
            PyObject *pair = cur_string ? PyTuple_Pack(2, a, cur_string) : NULL;
            Py_XDECREF(a);
            if (pair == NULL || PyList_Append(out, pair) < 0) {
                Py_XDECREF(pair);
                Py_XDECREF(cur_string);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(pair);
        }
        Py_XDECREF(prev_string);
        prev_string = cur_string;
        prev = cur;
        have_prev = 1;
    }
    Py_XDECREF(prev_string);
    return out;
}

static PyMethodDef methods[] = {
    {"adjacent", adjacent, METH_VARARGS, "Adjacent word pairs with wanted first letters."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_pairs", "A passage's word pairs worth stemming, compiled.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__pairs(void) { return PyModule_Create(&module); }
