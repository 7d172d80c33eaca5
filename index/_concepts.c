/* A question's candidates scored by concept, from each term's column (index/words.py,
 * WordRanker.score): the same numbers as its Python helpers, added in the same order.
 *
 * Why C: a search scores thirty candidates over five or six terms. In Python, each
 * concept's phrase sums, its best phrase, whether each candidate holds it and the set of
 * terms each holds are lists of thirty made a dozen times over (60 us a search); here
 * they are one pass over the columns.
 *
 * combine(n, terms, scores, holds, concepts, factors) -> (totals, held, rows)
 *   n         how many candidates
 *   terms     the question's T terms (str)
 *   scores    T lists of n floats: each term's BM25 score alone in each candidate
 *   holds     T lists of n bools: whether each candidate holds the term
 *   concepts  C tuples of phrases, a phrase a tuple of indices into terms
 *   factors   C floats: each concept's weight factor
 *   totals    n floats: the sum over concepts, in order, of its best phrase's score (the
 *             phrase's terms added in order from 0.0; the first of equal phrases) times
 *             its factor (_concept_scores)
 *   held      n frozensets: the terms each candidate holds (_held_sets; equal sets are
 *             one object)
 *   rows      n tuples of C bools: whether each candidate holds each concept, one of its
 *             phrases wholly (_concepts_held, by candidate)
 * Built with -ffp-contract=off (setup.py): `total + best * factor` is rounded twice, as
 * Python rounds it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* Distinct sets of held terms a candidate's is compared with before a new set is made. */
#define KINDS 16

/* Column t of a list of T lists of n items into out[t * n + j]: floats or truths. */
static int read_columns(PyObject *columns, Py_ssize_t T, Py_ssize_t n, double *floats,
                        unsigned char *truths) {
    if (!PyList_Check(columns) || PyList_GET_SIZE(columns) != T) {
        PyErr_SetString(PyExc_ValueError, "combine(): one column a term");
        return -1;
    }
    for (Py_ssize_t t = 0; t < T; t++) {
        PyObject *column = PyList_GET_ITEM(columns, t);
        if (!PyList_Check(column) || PyList_GET_SIZE(column) != n) {
            PyErr_SetString(PyExc_ValueError, "combine(): a column of n items a term");
            return -1;
        }
        for (Py_ssize_t j = 0; j < n; j++) {
            PyObject *item = PyList_GET_ITEM(column, j);
            if (floats != NULL) {
                double x = PyFloat_AsDouble(item);
                if (x == -1.0 && PyErr_Occurred())
                    return -1;
                floats[t * n + j] = x;
            } else {
                int truth = PyObject_IsTrue(item);
                if (truth < 0)
                    return -1;
                truths[t * n + j] = (unsigned char)truth;
            }
        }
    }
    return 0;
}

/* The term indices of each phrase of each concept, flattened: phrase k of all is
 * terms[start[k] .. start[k + 1]), concept c's phrases are first[c] .. first[c + 1]. */
typedef struct {
    Py_ssize_t *term, *start, *first;
    Py_ssize_t phrases;
} Phrases;

static int read_phrases(PyObject *concepts, Py_ssize_t C, Py_ssize_t T, Phrases *out) {
    Py_ssize_t phrases = 0, terms = 0;
    for (Py_ssize_t c = 0; c < C; c++) {
        PyObject *concept = PyList_GET_ITEM(concepts, c);
        if (!PyTuple_Check(concept) || PyTuple_GET_SIZE(concept) == 0) {
            PyErr_SetString(PyExc_ValueError, "combine(): a concept is a tuple of phrases");
            return -1;
        }
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(concept); k++) {
            PyObject *phrase = PyTuple_GET_ITEM(concept, k);
            if (!PyTuple_Check(phrase)) {
                PyErr_SetString(PyExc_ValueError, "combine(): a phrase is a tuple of terms");
                return -1;
            }
            phrases++;
            terms += PyTuple_GET_SIZE(phrase);
        }
    }
    out->phrases = phrases;
    out->term = PyMem_Malloc(sizeof(Py_ssize_t) * (terms + 1));
    out->start = PyMem_Malloc(sizeof(Py_ssize_t) * (phrases + 1));
    out->first = PyMem_Malloc(sizeof(Py_ssize_t) * (C + 1));
    if (!out->term || !out->start || !out->first) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t k_all = 0, at = 0;
    for (Py_ssize_t c = 0; c < C; c++) {
        PyObject *concept = PyList_GET_ITEM(concepts, c);
        out->first[c] = k_all;
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(concept); k++, k_all++) {
            PyObject *phrase = PyTuple_GET_ITEM(concept, k);
            out->start[k_all] = at;
            for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(phrase); i++) {
                Py_ssize_t t = PyLong_AsSsize_t(PyTuple_GET_ITEM(phrase, i));
                if (t == -1 && PyErr_Occurred())
                    return -1;
                if (t < 0 || t >= T) {
                    PyErr_SetString(PyExc_ValueError, "combine(): a term index out of range");
                    return -1;
                }
                out->term[at++] = t;
            }
        }
    }
    out->first[C] = k_all;
    out->start[k_all] = at;
    return 0;
}

static PyObject *combine(PyObject *self, PyObject *args) {
    Py_ssize_t n;
    PyObject *terms, *scores, *holds, *concepts, *factors;
    if (!PyArg_ParseTuple(args, "nO!OOO!O!", &n, &PyList_Type, &terms, &scores, &holds,
                          &PyList_Type, &concepts, &PyList_Type, &factors))
        return NULL;
    Py_ssize_t T = PyList_GET_SIZE(terms), C = PyList_GET_SIZE(concepts);
    if (n < 0 || PyList_GET_SIZE(factors) != C) {
        PyErr_SetString(PyExc_ValueError, "combine(): one factor a concept, n >= 0");
        return NULL;
    }
    PyObject *result = NULL, *totals = NULL, *held = NULL, *rows = NULL;
    double *S = PyMem_Malloc(sizeof(double) * (T * n + 1));
    double *total = PyMem_Malloc(sizeof(double) * (n + 1));
    unsigned char *H = PyMem_Malloc(T * n + 1), *R = PyMem_Malloc(C * n + 1);
    Phrases P = {NULL, NULL, NULL, 0};
    if (!S || !total || !H || !R) {
        PyErr_NoMemory();
        goto done;
    }
    if (read_columns(scores, T, n, S, NULL) < 0 || read_columns(holds, T, n, NULL, H) < 0 ||
        read_phrases(concepts, C, T, &P) < 0)
        goto done;
    for (Py_ssize_t j = 0; j < n; j++)
        total[j] = 0.0;
    for (Py_ssize_t c = 0; c < C; c++) {
        double factor = PyFloat_AsDouble(PyList_GET_ITEM(factors, c));
        if (factor == -1.0 && PyErr_Occurred())
            goto done;
        for (Py_ssize_t j = 0; j < n; j++) {
            double best = 0.0;
            int any = 0;
            for (Py_ssize_t k = P.first[c]; k < P.first[c + 1]; k++) {
                double sum = 0.0;
                int all = 1;
                for (Py_ssize_t i = P.start[k]; i < P.start[k + 1]; i++) {
                    sum = sum + S[P.term[i] * n + j];
                    all &= H[P.term[i] * n + j];
                }
                if (k == P.first[c] || sum > best)
                    best = sum; /* max() keeps the first of equals */
                any |= all;
            }
            total[j] = total[j] + best * factor;
            R[c * n + j] = (unsigned char)any;
        }
    }
    totals = PyList_New(n);
    held = PyList_New(n);
    rows = PyList_New(n);
    if (!totals || !held || !rows)
        goto done;
    Py_ssize_t kind[KINDS]; /* candidates whose held sets others may share */
    int kinds = 0;
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *x = PyFloat_FromDouble(total[j]);
        if (x == NULL)
            goto done;
        PyList_SET_ITEM(totals, j, x);
        PyObject *row = PyTuple_New(C);
        if (row == NULL)
            goto done;
        for (Py_ssize_t c = 0; c < C; c++) {
            PyObject *truth = R[c * n + j] ? Py_True : Py_False;
            Py_INCREF(truth);
            PyTuple_SET_ITEM(row, c, truth);
        }
        PyList_SET_ITEM(rows, j, row);
        /* A candidate holding the same terms as one of the first few distinct sets made
         * shares it (most of thirty candidates hold one of a few sets; a brief's hundreds
         * of passages are not compared with each other). */
        PyObject *terms_held = NULL;
        for (int e = 0; e < kinds && terms_held == NULL; e++) {
            Py_ssize_t t = 0;
            while (t < T && H[t * n + kind[e]] == H[t * n + j])
                t++;
            if (t == T)
                terms_held = PyList_GET_ITEM(held, kind[e]);
        }
        if (terms_held != NULL) {
            Py_INCREF(terms_held);
        } else {
            terms_held = PyFrozenSet_New(NULL);
            if (terms_held == NULL)
                goto done;
            for (Py_ssize_t t = 0; t < T; t++) {
                if (H[t * n + j] && PySet_Add(terms_held, PyList_GET_ITEM(terms, t)) < 0) {
                    Py_DECREF(terms_held);
                    goto done;
                }
            }
            if (kinds < KINDS)
                kind[kinds++] = j;
        }
        PyList_SET_ITEM(held, j, terms_held);
    }
    result = PyTuple_Pack(3, totals, held, rows);
done:
    /* A list being filled holds NULL in the slots not yet set: Py_DECREF skips them. */
    Py_XDECREF(totals);
    Py_XDECREF(held);
    Py_XDECREF(rows);
    PyMem_Free(S);
    PyMem_Free(total);
    PyMem_Free(H);
    PyMem_Free(R);
    PyMem_Free(P.term);
    PyMem_Free(P.start);
    PyMem_Free(P.first);
    return result;
}

/* coverages(weights, total, rows, lacking, in_context, context_weight) -> n floats
 *   weights      C floats: each concept's weight (its IDF)
 *   total        their sum, as Python adds it
 *   rows         n tuples of C bools: whether each candidate holds each concept (combine)
 *   lacking      the positions in rows of the candidates lacking a concept, ascending
 *   in_context   for each of lacking, C bools: whether its brief's title holds each concept
 *   coverages    1.0 for a candidate holding every concept; else the sum, in the concepts'
 *                order from 0.0, of the weight of each it holds and context_weight times
 *                the weight of each its title holds, over total (WordRanker._coverages)
 */
static int bool_at(PyObject *row, Py_ssize_t c, Py_ssize_t C, const char *name) {
    if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != C) {
        PyErr_Format(PyExc_ValueError, "%s: tuples of %zd bools expected", name, C);
        return -1;
    }
    return PyObject_IsTrue(PyTuple_GET_ITEM(row, c));
}

static PyObject *coverages(PyObject *self, PyObject *args) {
    PyObject *weights_o, *rows, *lacking, *in_context;
    double total, context_weight;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!dO!O!O!d", &PyList_Type, &weights_o, &total, &PyList_Type,
                          &rows, &PyList_Type, &lacking, &PyList_Type, &in_context,
                          &context_weight))
        return NULL;
    Py_ssize_t C = PyList_GET_SIZE(weights_o), n = PyList_GET_SIZE(rows);
    Py_ssize_t L = PyList_GET_SIZE(lacking);
    if (PyList_GET_SIZE(in_context) != L) {
        PyErr_SetString(PyExc_ValueError, "in_context: one row for each lacking candidate");
        return NULL;
    }
    double *w = PyMem_Malloc((size_t)(C ? C : 1) * sizeof(double));
    if (!w) return PyErr_NoMemory();
    PyObject *out = NULL;
    for (Py_ssize_t c = 0; c < C; c++) {
        w[c] = PyFloat_AsDouble(PyList_GET_ITEM(weights_o, c));
        if (w[c] == -1.0 && PyErr_Occurred()) goto done;
    }
    out = PyList_New(n);
    if (!out) goto done;
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *one = PyFloat_FromDouble(1.0);
        if (!one) goto fail;
        PyList_SET_ITEM(out, j, one);
    }
    for (Py_ssize_t k = 0; k < L; k++) {
        Py_ssize_t j = PyLong_AsSsize_t(PyList_GET_ITEM(lacking, k));
        if (j == -1 && PyErr_Occurred()) goto fail;
        if (j < 0 || j >= n) {
            PyErr_SetString(PyExc_IndexError, "lacking: a position outside the candidates");
            goto fail;
        }
        PyObject *row = PyList_GET_ITEM(rows, j), *title = PyList_GET_ITEM(in_context, k);
        double share = 0.0;
        for (Py_ssize_t c = 0; c < C; c++) {
            int has = bool_at(row, c, C, "rows"), named = bool_at(title, c, C, "in_context");
            if (has < 0 || named < 0) goto fail;
            if (has)
                share += w[c];
            else if (named)
                share += w[c] * context_weight;
        }
        PyObject *value = PyFloat_FromDouble(share / total);
        if (!value || PyList_SetItem(out, j, value) < 0) goto fail;  /* frees the 1.0 */
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    PyMem_Free(w);
    return out;
}

/* in_order(ranked, phrases, phrase_weight) -> list
 *   ranked         candidates (Scored: tuples of coverage, score, passage, ...)
 *   phrases        None, or one float a candidate: the share of the question's word pairs
 *                  it holds
 *   The candidates best first, as words._in_order orders them in Python: by
 *   -(score * (0.5 + coverage)), times (1 + phrase_weight * phrase) when phrases are
 *   given, then by passage. Keys made and sorted in C, where two comprehensions and a
 *   sort of thirty candidates ran twice a search in Python.
 */
typedef struct {
    double key;
    long long passage;
    PyObject *item;
} Keyed;

static int keyed_order(const void *a, const void *b) {
    const Keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->passage > y->passage) - (x->passage < y->passage);
}

static PyObject *in_order(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 3 || !PyList_Check(args[0]) || (args[1] != Py_None && !PyList_Check(args[1]))) {
        PyErr_SetString(PyExc_TypeError, "in_order(ranked list, phrases list or None, weight)");
        return NULL;
    }
    PyObject *ranked = args[0], *phrases = args[1] == Py_None ? NULL : args[1];
    double weight = PyFloat_AsDouble(args[2]);
    if (weight == -1.0 && PyErr_Occurred()) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(ranked);
    if (phrases && PyList_GET_SIZE(phrases) != n) {
        PyErr_SetString(PyExc_ValueError, "in_order: one phrase share a candidate");
        return NULL;
    }
    Keyed *keyed = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Keyed));
    if (!keyed) return PyErr_NoMemory();
    PyObject *out = NULL;
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *item = PyList_GET_ITEM(ranked, j);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) < 3) {
            PyErr_SetString(PyExc_TypeError,
                            "in_order: candidates are (coverage, score, passage, ...)");
            goto done;
        }
        double coverage = PyFloat_AsDouble(PyTuple_GET_ITEM(item, 0));
        if (coverage == -1.0 && PyErr_Occurred()) goto done;
        double score = PyFloat_AsDouble(PyTuple_GET_ITEM(item, 1));
        if (score == -1.0 && PyErr_Occurred()) goto done;
        long long passage = PyLong_AsLongLong(PyTuple_GET_ITEM(item, 2));
        if (passage == -1 && PyErr_Occurred()) goto done;
        double rerank = score * (0.5 + coverage);
        if (phrases) {
            double phrase = PyFloat_AsDouble(PyList_GET_ITEM(phrases, j));
            if (phrase == -1.0 && PyErr_Occurred()) goto done;
            rerank = rerank * (1 + weight * phrase);
        }
        keyed[j].key = -rerank;
        keyed[j].passage = passage;
        keyed[j].item = item;
    }
    qsort(keyed, (size_t)n, sizeof(Keyed), keyed_order);
    out = PyList_New(n);
    if (!out) goto done;
    for (Py_ssize_t j = 0; j < n; j++)
        PyList_SET_ITEM(out, j, Py_NewRef(keyed[j].item));
done:
    PyMem_Free(keyed);
    return out;
}

static PyMethodDef methods[] = {
    {"combine", combine, METH_VARARGS, "Candidates' concept scores, terms and concepts held."},
    {"coverages", coverages, METH_VARARGS, "Candidates' shares of the question's weight."},
    {"in_order", (PyCFunction)(void (*)(void))in_order, METH_FASTCALL,
     "Candidates best first by their scores, coverages and phrase shares."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_concepts", "A question's candidates scored by concept, compiled.",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__concepts(void) { return PyModule_Create(&module); }
