/* A forward index's postings, in two passes over its tokens (engine_numpy.triples).
 *
 * Why C: numpy has to sort every token as a 64-bit (term, passage) key to group them
 * (90 million keys for a million passages); here each token is read twice and counted,
 * with one slot per term, and no sort at all.
 *
 * count(doc_ptr, doc_terms, df) -> postings
 *   doc_ptr    int64[n + 1]  passage i's tokens are doc_terms[doc_ptr[i] : doc_ptr[i + 1]]
 *   doc_terms  uint32[tokens]  term ids, each < len(df)
 *   df         int64[vocab]  out: how many passages hold each term
 * fill(doc_ptr, doc_terms, df, term, doc, tf)
 *   term, doc, tf  int32[postings]  out: (term, passage, count), by term then passage
 * A term id >= vocab or a pointer out of order raises ValueError.
 *
 * score(term, doc, tf, words, idf, variant, k1, b, delta, avgdl, edge, levels,
 *       post_ptr, post_doc, post_tf, post_score, post_unit, max_score)
 *   engine_numpy.score_triples' arrays for two tiers, the same to the last bit: each
 *   posting's BM25 contribution with rank-bm25's formulas (variant 0 Okapi, 1 BM25L,
 *   2 BM25+) and the given IDFs, its tier (above `edge` times its term's mean score:
 *   tier 0), and its score in 1/levels of its tier's largest magnitude.
 *
 * ordered(post_ptr, post_doc, n) -> bool
 *   True when each slice post_doc[post_ptr[s] : post_ptr[s + 1]] (int64, int32) ascends
 *   strictly within [0, n): what loading a mapped file checks of its postings, which the
 *   rankers index by, in one pass (numpy took three over 360 MB at a million passages).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    Py_buffer views[3]; /* doc_ptr, doc_terms, df */
    Py_ssize_t n, tokens, vocab;
} Forward;

static int view(PyObject *obj, Py_buffer *out, Py_ssize_t itemsize, int writable, const char *name)
{
    if (PyObject_GetBuffer(obj, out, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    if (out->itemsize != itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: items of %zd bytes expected", name, itemsize);
        PyBuffer_Release(out);
        return -1;
    }
    return 0;
}

static void release(Py_buffer *views, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (views[i].obj) PyBuffer_Release(&views[i]);
}

/* The forward index's views, checked: pointers ascending within the tokens. */
static int open_forward(PyObject *ptr, PyObject *terms, PyObject *df, int df_writable, Forward *f)
{
    if (view(ptr, &f->views[0], 8, 0, "doc_ptr") < 0
        || view(terms, &f->views[1], 4, 0, "doc_terms") < 0
        || view(df, &f->views[2], 8, df_writable, "df") < 0)
        return -1;
    f->n = f->views[0].len / 8 - 1;
    f->tokens = f->views[1].len / 4;
    f->vocab = f->views[2].len / 8;
    const int64_t *p = f->views[0].buf;
    if (f->n < 0 || p[0] != 0 || p[f->n] != f->tokens) {
        PyErr_SetString(PyExc_ValueError, "doc_ptr does not span doc_terms");
        return -1;
    }
    for (Py_ssize_t i = 0; i < f->n; i++) {
        if (p[i + 1] < p[i]) {
            PyErr_SetString(PyExc_ValueError, "doc_ptr is not in order");
            return -1;
        }
    }
    return 0;
}

/* The last passage each term was seen in, -1 for none (vocab entries). */
static int32_t *unseen(Py_ssize_t vocab)
{
    int32_t *last = PyMem_RawMalloc((size_t)(vocab ? vocab : 1) * sizeof(int32_t));
    if (last) memset(last, 0xff, (size_t)vocab * sizeof(int32_t));
    return last;
}

static PyObject *count(PyObject *self, PyObject *args)
{
    PyObject *ptr_o, *terms_o, *df_o;
    Forward f;
    memset(&f, 0, sizeof f);
    (void)self;
    if (!PyArg_ParseTuple(args, "OOO", &ptr_o, &terms_o, &df_o)) return NULL;
    PyObject *result = NULL;
    int32_t *last = NULL;
    if (open_forward(ptr_o, terms_o, df_o, 1, &f) < 0) goto done;
    if (!(last = unseen(f.vocab))) {
        PyErr_NoMemory();
        goto done;
    }
    const int64_t *p = f.views[0].buf;
    const uint32_t *t = f.views[1].buf;
    int64_t *df = f.views[2].buf, postings = 0;
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    memset(df, 0, (size_t)f.vocab * sizeof(int64_t));
    for (Py_ssize_t d = 0; d < f.n && !bad; d++) {
        for (int64_t j = p[d]; j < p[d + 1]; j++) {
            uint32_t term = t[j];
            if (term >= (uint64_t)f.vocab) {
                bad = 1;
                break;
            }
            if (last[term] != (int32_t)d) {
                last[term] = (int32_t)d;
                df[term]++;
                postings++;
            }
        }
    }
    Py_END_ALLOW_THREADS
    if (bad) PyErr_SetString(PyExc_ValueError, "a token names a term outside the vocabulary");
    else result = PyLong_FromLongLong(postings);
done:
    PyMem_RawFree(last);
    release(f.views, 3);
    return result;
}

static PyObject *fill(PyObject *self, PyObject *args)
{
    PyObject *ptr_o, *terms_o, *df_o, *term_o, *doc_o, *tf_o;
    Forward f;
    memset(&f, 0, sizeof f);
    Py_buffer out[3]; /* term, doc, tf */
    memset(out, 0, sizeof out);
    int64_t *next = NULL, *end = NULL;
    int32_t *last = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOO", &ptr_o, &terms_o, &df_o, &term_o, &doc_o, &tf_o))
        return NULL;
    if (open_forward(ptr_o, terms_o, df_o, 0, &f) < 0 || view(term_o, &out[0], 4, 1, "term") < 0
        || view(doc_o, &out[1], 4, 1, "doc") < 0 || view(tf_o, &out[2], 4, 1, "tf") < 0)
        goto done;
    Py_ssize_t postings = out[0].len / 4;
    if (out[1].len / 4 != postings || out[2].len / 4 != postings) {
        PyErr_SetString(PyExc_ValueError, "term, doc and tf disagree in length");
        goto done;
    }
    const int64_t *df = f.views[2].buf;
    next = PyMem_RawMalloc((size_t)(f.vocab ? f.vocab : 1) * sizeof(int64_t));
    end = PyMem_RawMalloc((size_t)(f.vocab ? f.vocab : 1) * sizeof(int64_t));
    last = unseen(f.vocab);
    if (!next || !end || !last) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t at = 0;
    for (Py_ssize_t v = 0; v < f.vocab; v++) { /* each term's slots: [next, end) */
        if (df[v] < 0 || df[v] > postings - at) {
            PyErr_SetString(PyExc_ValueError, "df does not add up to the postings");
            goto done;
        }
        next[v] = at;
        end[v] = at += df[v];
    }
    if (at != postings) {
        PyErr_SetString(PyExc_ValueError, "df does not add up to the postings");
        goto done;
    }
    const int64_t *p = f.views[0].buf;
    const uint32_t *t = f.views[1].buf;
    int32_t *term = out[0].buf, *doc = out[1].buf, *tf = out[2].buf;
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t v = 0; v < f.vocab; v++)
        for (int64_t j = next[v]; j < end[v]; j++) term[j] = (int32_t)v;
    for (Py_ssize_t d = 0; d < f.n && !bad; d++) {
        for (int64_t j = p[d]; j < p[d + 1]; j++) {
            uint32_t v = t[j];
            if (v >= (uint64_t)f.vocab) {
                bad = 1;
                break;
            }
            if (last[v] == (int32_t)d) {
                tf[next[v] - 1]++;
            } else if (next[v] == end[v]) { /* more passages than df says */
                bad = 2;
                break;
            } else {
                last[v] = (int32_t)d;
                doc[next[v]] = (int32_t)d;
                tf[next[v]] = 1;
                next[v]++;
            }
        }
    }
    for (Py_ssize_t v = 0; v < f.vocab && !bad; v++)
        if (next[v] != end[v]) bad = 2; /* fewer passages than df says */
    Py_END_ALLOW_THREADS
    if (bad == 1) PyErr_SetString(PyExc_ValueError, "a token names a term outside the vocabulary");
    if (bad == 2) PyErr_SetString(PyExc_ValueError, "df does not match the tokens");
done:
    PyMem_RawFree(next);
    PyMem_RawFree(end);
    PyMem_RawFree(last);
    release(f.views, 3);
    release(out, 3);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

typedef struct {
    int variant;
    double k1, b, delta, avgdl, edge;
} Formula;

/* rank-bm25's contribution of one posting before its IDF, as engine_numpy._bm25 has it
 * (the same operations in the same order). */
static double bm25(const Formula *f, double tf, double words)
{
    double norm = f->avgdl != 0.0 ? (1 - f->b) + (f->b * words) / f->avgdl : 1.0;
    if (f->variant == 1) {
        double ctd = tf / norm;
        return (f->k1 + 1) * (ctd + f->delta) / ((f->k1 + ctd) + f->delta) * tf;
    }
    if (f->variant == 2) return tf * (f->k1 + 1) / (f->k1 * norm + tf);
    return tf * (f->k1 + 1) / (tf + f->k1 * norm);
}

static PyObject *score(PyObject *self, PyObject *args)
{
    PyObject *in_o[5], *out_o[6];
    Formula f;
    double levels;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOiddddddOOOOOO", &in_o[0], &in_o[1], &in_o[2], &in_o[3],
                          &in_o[4], &f.variant, &f.k1, &f.b, &f.delta, &f.avgdl, &f.edge,
                          &levels, &out_o[0], &out_o[1], &out_o[2], &out_o[3], &out_o[4],
                          &out_o[5]))
        return NULL;
    /* in: term, doc, tf (int32), words (int64), idf (float64);
     * out: post_ptr (int64), post_doc, post_tf (int32), post_score (uint16),
     *      post_unit, max_score (float64) */
    static const Py_ssize_t in_size[5] = {4, 4, 4, 8, 8}, out_size[6] = {8, 4, 4, 2, 8, 8};
    static const char *in_name[5] = {"term", "doc", "tf", "words", "idf"};
    static const char *out_name[6] = {"post_ptr", "post_doc", "post_tf", "post_score",
                                      "post_unit", "max_score"};
    Py_buffer in[5], out[6];
    memset(in, 0, sizeof in);
    memset(out, 0, sizeof out);
    double *contribution = NULL, *mean = NULL, *low = NULL, *high = NULL;
    int64_t *next = NULL;
    for (int i = 0; i < 5; i++)
        if (view(in_o[i], &in[i], in_size[i], 0, in_name[i]) < 0) goto done;
    for (int i = 0; i < 6; i++)
        if (view(out_o[i], &out[i], out_size[i], 1, out_name[i]) < 0) goto done;
    Py_ssize_t m = in[0].len / 4, n = in[3].len / 8, vocab = in[4].len / 8, slots = 2 * vocab;
    if (in[1].len / 4 != m || in[2].len / 4 != m || out[1].len / 4 != m || out[2].len / 4 != m
        || out[3].len / 2 != m || out[0].len / 8 != slots + 1 || out[4].len / 8 != slots
        || out[5].len / 8 != slots) {
        PyErr_SetString(PyExc_ValueError, "postings arrays disagree in length");
        goto done;
    }
    const int32_t *term = in[0].buf, *doc = in[1].buf, *tf = in[2].buf;
    const int64_t *words = in[3].buf;
    const double *idf = in[4].buf;
    int64_t *ptr = out[0].buf;
    int32_t *post_doc = out[1].buf, *post_tf = out[2].buf;
    uint16_t *post_score = out[3].buf;
    double *unit = out[4].buf, *max_score = out[5].buf;
    for (Py_ssize_t p = 0; p < m; p++) {
        if ((uint32_t)term[p] >= (uint64_t)vocab || (uint32_t)doc[p] >= (uint64_t)n
            || (p && term[p] < term[p - 1])) {
            PyErr_SetString(PyExc_ValueError, "postings are not (term, passage) in order");
            goto done;
        }
    }
    contribution = PyMem_RawMalloc((size_t)(m ? m : 1) * sizeof(double));
    mean = PyMem_RawCalloc((size_t)(vocab ? vocab : 1), sizeof(double));
    low = PyMem_RawMalloc((size_t)(slots ? slots : 1) * sizeof(double));
    high = PyMem_RawMalloc((size_t)(slots ? slots : 1) * sizeof(double));
    next = PyMem_RawCalloc((size_t)(slots ? slots : 1), sizeof(int64_t));
    if (!contribution || !mean || !low || !high || !next) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    /* Each posting's score, and each term's mean (np.bincount's sums: in posting order). */
    for (Py_ssize_t p = 0; p < m; p++) {
        double s = bm25(&f, (double)tf[p], (double)words[doc[p]]) * idf[term[p]];
        contribution[p] = s;
        mean[term[p]] += s;
    }
    for (Py_ssize_t p = 0, t = 0; t < vocab; t++) { /* divided by df, at least 1 */
        Py_ssize_t first = p;
        while (p < m && term[p] == t) p++;
        mean[t] = mean[t] / (double)(p - first > 1 ? p - first : 1);
    }
    /* Tiers: their sizes and extremes (next[] counts sizes for now). */
    for (Py_ssize_t p = 0; p < m; p++) {
        double s = contribution[p];
        Py_ssize_t slot = 2 * (Py_ssize_t)term[p] + (s / mean[term[p]] <= f.edge);
        if (next[slot] == 0 || s < low[slot]) low[slot] = s;
        if (next[slot] == 0 || s > high[slot]) high[slot] = s;
        next[slot]++;
    }
    ptr[0] = 0;
    for (Py_ssize_t j = 0; j < slots; j++) {
        int64_t size = next[j];
        next[j] = ptr[j];
        ptr[j + 1] = ptr[j] + size;
        unit[j] = size ? (-low[j] > high[j] ? low[j] : high[j]) / levels : 0.0;
        max_score[j] = 0.0;
    }
    /* Placed tier by tier, passage order kept; quantised to the tier's unit. */
    for (Py_ssize_t p = 0; p < m; p++) {
        double s = contribution[p];
        Py_ssize_t slot = 2 * (Py_ssize_t)term[p] + (s / mean[term[p]] <= f.edge);
        int64_t at = next[slot]++;
        double u = unit[slot];
        double q = rint(s / (u == 0.0 ? 1.0 : u));
        post_doc[at] = doc[p];
        post_tf[at] = tf[p];
        post_score[at] = (uint16_t)(int64_t)q;
        double back = (double)post_score[at] * u;
        if (at == ptr[slot] || back > max_score[slot]) max_score[slot] = back;
    }
    Py_END_ALLOW_THREADS
done:
    PyMem_RawFree(contribution);
    PyMem_RawFree(mean);
    PyMem_RawFree(low);
    PyMem_RawFree(high);
    PyMem_RawFree(next);
    release(in, 5);
    release(out, 6);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyObject *ordered(PyObject *self, PyObject *args)
{
    PyObject *ptr_o, *doc_o;
    Py_ssize_t n;
    Py_buffer v[2];
    memset(v, 0, sizeof v);
    (void)self;
    if (!PyArg_ParseTuple(args, "OOn", &ptr_o, &doc_o, &n)) return NULL;
    if (view(ptr_o, &v[0], 8, 0, "post_ptr") < 0 || view(doc_o, &v[1], 4, 0, "post_doc") < 0) {
        release(v, 2);
        return NULL;
    }
    const int64_t *ptr = v[0].buf;
    const int32_t *doc = v[1].buf;
    Py_ssize_t slices = v[0].len / 8 - 1, postings = v[1].len / 4;
    int ok = slices >= 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t s = 0; ok && s < slices; s++) {
        int64_t first = ptr[s], end = ptr[s + 1], last = -1;
        if (first < 0 || end < first || end > postings) {
            ok = 0;
            break;
        }
        for (int64_t j = first; j < end; j++) {
            int64_t d = doc[j];
            if (d <= last || d >= n) { /* last starts at -1: d >= 0 */
                ok = 0;
                break;
            }
            last = d;
        }
    }
    Py_END_ALLOW_THREADS
    release(v, 2);
    return PyBool_FromLong(ok);
}

static PyMethodDef methods[] = {
    {"count", count, METH_VARARGS, "How many passages hold each term (see the file)."},
    {"fill", fill, METH_VARARGS, "The postings as (term, passage, count) (see the file)."},
    {"score", score, METH_VARARGS, "The engine's scored postings arrays (see the file)."},
    {"ordered", ordered, METH_VARARGS, "Each term's postings ascend within range (see the file)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_postings", "A forward index's postings, compiled.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__postings(void) { return PyModule_Create(&module); }
