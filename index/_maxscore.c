/* The numpy engine's top-k (index/engine_numpy.py, NumpyEngine._top_numpy), in one
 * compiled pass: the same MaxScore algorithm, the same additions in the same order, so
 * the same scores to the last bit (built with -ffp-contract=off: no fused multiply-add).
 *
 * Why C: a query is a few dozen numpy calls of a few microseconds each, and a long
 * postings list is gathered, multiplied, added and scattered in four passes with
 * temporaries. Here each posting is read once. The GIL is released while it runs.
 *
 * top_terms(doc, score, ptr, unit, peak, tiers, terms, k, plus, total, aux, work, ids)
 *   doc     int32[nnz]   passage of each posting (ascending within a list)
 *   score   uint16[nnz]  quantised contribution of each posting
 *   ptr     int64[tiers * V + 1]  term t's tier j is [ptr[tiers*t+j], ptr[tiers*t+j+1])
 *   unit, peak  float64[tiers * V]  each tier's quantum and largest contribution
 *   terms   sequence of (term id, times the query holds it)
 *   k       how many passages to return
 *   plus    a constant added to every candidate's score at the end (BM25+)
 *   total, aux  float64[n] scratch, all zeros (left all zeros); n = number of passages
 *               (aux is read as a bitmap of candidates or as int32 marks, never as floats)
 *   work    float64[2n] scratch; ids  int32[n] scratch
 * Each tier holding postings is a list: its postings add score * unit * times, its bound
 * is peak * times (see top_terms below for the order and the pruning).
 * Returns [(passage, score)], best first, ties by passage order.
 * A posting naming a passage outside [0, n) raises ValueError (a damaged index).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLACK (1 + 1e-9)
/* A remaining list is read whole, each posting finding its candidate by a mark at its
 * passage, when it holds fewer than this many postings a candidate; sparser lists are
 * searched for the candidates (seek). Measured with the list scattered into a buffer and
 * gallop, 3,000 bench queries, alternating builds: 2 -> 32 took the p99 of top 10 from
 * 0.186 to 0.158 ms at 10^5 and from 1.26 to 1.16 ms at 10^6 (16 to 64: the same within
 * noise; 1: worse); with marks and seek, 8 to 128 measure the same within noise. The
 * numpy path keeps its own (candidates_numpy.DENSE_LOOKUP). */
#define DENSE_LOOKUP 32
/* From this many passages on, the candidates are gathered in passage order (mark, collect)
 * and a dense remaining list is merged with them, not scattered into the accumulator and
 * cleared: past the CPU's second-level cache, the scatter's random writes into 8 bytes a
 * passage cost more than reading the candidates back in order. Interleaved A/B, 4,000
 * distinct bench queries each asked once: at 10^6 top 10 p50 0.86x, p99 0.86x (swapped
 * processes: 0.87x, 0.84x); at 10^5, where the accumulator is 0.8 MB, ordered was 1.08x
 * slower at p50 (p99 the same), so small indexes keep the runs. (Measured when a small
 * index scattered a dense remaining list into a buffer and cleared it; it now reads the
 * list against marks at its candidates, below.) */
#define ORDERED_FROM (1 << 18)
/* Postings ahead of the one being added whose accumulator slot is fetched in advance: the
 * slots are random places in 8 bytes a passage, and the CPU cannot guess them. Interleaved
 * A/B, 3,000-4,000 distinct bench queries, top 10 at 10^6: 16 ahead took p50 to 0.76-0.84x
 * and p99 to 0.58-0.70x; 32 and 64 measured 0.96x and 0.97x of 16 (8: 1.08x). At 10^5
 * (accumulator within the second-level cache) p50 0.98-1.0x, p99 0.89-0.92x. */
#define AHEAD 32

typedef struct {
    Py_ssize_t lo, hi;
    double weight, bound;
} List;

typedef struct {
    const int32_t *doc;
    const uint16_t *score;
    double *total, *aux, *work;
    int32_t *ids;
    Py_ssize_t n;
} Arrays;

/* heap_offer's v into the heap of `size` values: sifted up while it fills, else in place
 * of heap[0]; returns the new size. */
static Py_ssize_t heap_push(double *heap, Py_ssize_t size, Py_ssize_t k, double v)
{
    Py_ssize_t at;
    if (size < k) { /* sift up */
        at = size;
        while (at > 0 && heap[(at - 1) / 2] > v) {
            heap[at] = heap[(at - 1) / 2];
            at = (at - 1) / 2;
        }
        heap[at] = v;
        return size + 1;
    }
    at = 0; /* sift down */
    for (;;) {
        Py_ssize_t child = 2 * at + 1;
        if (child >= k) break;
        if (child + 1 < k && heap[child + 1] < heap[child]) child++;
        if (!(heap[child] < v)) break;
        heap[at] = heap[child];
        at = child;
    }
    heap[at] = v;
    return size;
}

/* The k largest values seen, as a min-heap of `size` values (returned, updated): heap[0]
 * is the k-th largest once full. Most values offered are turned away by the one
 * comparison here, inlined where it is called (gcc stopped inlining the whole once it had
 * two callers: a call a posting and a candidate cost 12-18% of a query's time). */
static inline Py_ssize_t heap_offer(double *heap, Py_ssize_t size, Py_ssize_t k, double v)
{
    return size < k || v > heap[0] ? heap_push(heap, size, k, v) : size;
}

/* Take the passages of lists[0..count) whose total reaches `floor_` into ids and work,
 * each once, in the order first seen; return how many. With `zero` (only for a floor
 * above zero) each total is zeroed as it is read: a zero never reaches the floor, so a
 * passage's later postings are not taken again, and the accumulator is left zeroed in the
 * same pass (a third of the postings read fewer). Without, a taken total becomes NaN
 * (never >= floor) and the caller zeroes the accumulator after. Inlined with `zero` a
 * constant, so each call site compiles to its own loop. */
static inline Py_ssize_t take(const List *lists, Py_ssize_t count, const int32_t *doc,
                              double *total, double floor_, int32_t *ids, double *work,
                              int zero)
{
    Py_ssize_t c = 0;
    for (Py_ssize_t j = 0; j < count; j++) {
        for (Py_ssize_t p = lists[j].lo; p < lists[j].hi; p++) {
            int32_t d = doc[p];
            double v = total[d];
            if (v >= floor_) {
                ids[c] = d;
                work[c] = v;
                c++;
                if (!zero) total[d] = NAN;
            }
            if (zero) total[d] = 0.0;
        }
    }
    return c;
}

/* Mark in `marks` (a bitmap of n bits) the passages of lists[0..count) whose total
 * reaches `floor_`; any other total is set to `other` as it is read, so that a passage
 * seen again in a later list is not marked then either: 0.0 for a floor above zero (the
 * accumulator is then left zeroed but for the marked), else NaN (never >= floor; the
 * caller zeroes the accumulator after). Inlined with `other` a constant. */
static inline void mark(const List *lists, Py_ssize_t count, const int32_t *doc,
                        double *total, double floor_, uint64_t *marks, double other)
{
    for (Py_ssize_t j = 0; j < count; j++) {
        for (Py_ssize_t p = lists[j].lo; p < lists[j].hi; p++) {
            uint32_t d = (uint32_t)doc[p];
            if (p + AHEAD < lists[j].hi) /* in range: the adding checked every posting */
                __builtin_prefetch(&total[(uint32_t)doc[p + AHEAD]], 1);
            double v = total[d];
            uint64_t reaches = v >= floor_;
            marks[d >> 6] |= reaches << (d & 63);
            total[d] = reaches ? v : other;
        }
    }
}

/* The marked passages into ids and their totals into work, in passage order; each total
 * is zeroed and the bitmap cleared as they are read. Returns how many. */
static Py_ssize_t collect(uint64_t *marks, Py_ssize_t n, double *total, int32_t *ids,
                          double *work)
{
    Py_ssize_t c = 0, words = (n + 63) / 64;
    for (Py_ssize_t w = 0; w < words; w++) {
        uint64_t m = marks[w];
        if (!m) continue;
        marks[w] = 0;
        while (m) {
            int32_t d = (int32_t)(w * 64 + __builtin_ctzll(m));
            m &= m - 1;
            ids[c] = d;
            work[c] = total[d];
            total[d] = 0.0;
            c++;
        }
    }
    return c;
}

/* The k-th largest of the candidates' scores acc[0..c), c >= k, kept in a heap of k in
 * the scratch that follows them (work holds 2n doubles, and c <= n). One pass, most
 * values turned away by one comparison: a quickselect of a copy read and wrote every
 * candidate several times, a third of a long query's time at 10^6 (callgrind). */
static double kth_of(double *acc, Py_ssize_t c, Py_ssize_t k)
{
    double *heap = acc + c;
    Py_ssize_t held = 0;
    for (Py_ssize_t q = 0; q < c; q++)
        held = heap_offer(heap, held, k, acc[q]);
    return heap[0];
}

/* The candidates scoring at least `floor`, kept in place, in order; how many. */
static Py_ssize_t keep_from(int32_t *ids, double *acc, Py_ssize_t c, double floor_)
{
    Py_ssize_t m = 0;
    for (Py_ssize_t q = 0; q < c; q++) {
        if (acc[q] >= floor_) {
            ids[m] = ids[q];
            acc[m] = acc[q];
            m++;
        }
    }
    return m;
}

/* Position of the first posting in doc[lo..hi) that is >= d (hi when none is).
 * Branchless: the halving step compiles to a conditional move, so the CPU never guesses a
 * comparison of passage numbers, which it would get wrong half the time. The lookups of a
 * long query's remaining lists were most of its time (callgrind, the 30 slowest bench
 * queries at 10^5: 65M of 105M instructions, the branch mispredicted at every other step). */
static Py_ssize_t lower_bound(const int32_t *doc, Py_ssize_t lo, Py_ssize_t hi, int32_t d)
{
    Py_ssize_t len = hi - lo;
    if (len <= 0) return lo;
    const int32_t *base = doc + lo;
    while (len > 1) {
        Py_ssize_t half = len / 2;
        base = base[half - 1] < d ? base + half : base;
        len -= half;
    }
    return (base - doc) + (*base < d);
}

/* Position of the first posting in doc[pos..hi) that is >= d, searched outwards from pos
 * (steps 1, 2, 4, ...), then halved: a few probes near pos when the passage sought is close
 * to the last one found, where a search of the whole list takes log2 of its length. */
static Py_ssize_t gallop(const int32_t *doc, Py_ssize_t pos, Py_ssize_t hi, int32_t d)
{
    if (pos >= hi || doc[pos] >= d) return pos;
    Py_ssize_t lo = pos + 1, step = 1; /* doc[lo - 1] < d */
    while (lo + step - 1 < hi && doc[lo + step - 1] < d) {
        lo += step;
        step *= 2;
    }
    return lower_bound(doc, lo, lo + step - 1 < hi ? lo + step - 1 : hi, d);
}

/* Position of the first posting in doc[lo..hi) that is >= d (hi when none is): its place
 * guessed by interpolation (a list's passages spread over the library about evenly), then
 * galloped from the guess and halved. A few probes where a search of the whole list takes
 * log2 of its length, each probe of a long list a likely cache miss: the candidates'
 * lookups (columns) took 29.6 -> 24.1 us a bench search at 10^5 in-process, 72 -> 53 at
 * 10^6. An uneven list costs at most about two searches of it. */
static Py_ssize_t seek(const int32_t *doc, Py_ssize_t lo, Py_ssize_t hi, int32_t d)
{
    if (hi - lo < 32) return lower_bound(doc, lo, hi, d);
    int32_t first = doc[lo], last = doc[hi - 1];
    if (d <= first) return lo;
    if (d > last) return hi;
    /* first < d <= last, so the guess lies in [lo, hi - 1] */
    Py_ssize_t g = lo + (Py_ssize_t)(((double)d - (double)first) / ((double)last - (double)first)
                                     * (double)(hi - 1 - lo));
    if (g < lo) g = lo;
    if (g > hi - 1) g = hi - 1;
    Py_ssize_t step = 1;
    if (doc[g] < d) return gallop(doc, g + 1, hi, d);
    /* doc[g] >= d: outwards to the left until a posting below d */
    while (g - step >= lo && doc[g - step] >= d) {
        g -= step;
        step *= 2;
    }
    return lower_bound(doc, g - step < lo ? lo : g - step + 1, g, d);
}

/* Candidates order: higher score first, then lower passage. */
typedef struct {
    int32_t id;
    double score;
} Hit;

static int hit_order(const void *x, const void *y)
{
    const Hit *a = x, *b = y;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Everything but the result list; returns the number of hits written to `out`
 * (at most k), or -1 for a posting outside [0, n). */
static Py_ssize_t rank(const Arrays *A, const List *lists, Py_ssize_t count,
                       const double *rest, Py_ssize_t k, int prune, double plus, Hit *out)
{
    const int32_t *doc = A->doc;
    const uint16_t *score = A->score;
    double *total = A->total, *aux = A->aux, *work = A->work;
    int32_t *ids = A->ids;
    double theta = -INFINITY, done = 0.0;
    Py_ssize_t i = 0, p, c = 0, bad = 0;

    /* Term at a time into the dense accumulator, highest bound first, until theta (the
     * k-th best partial sum of the list just added) beats what the rest could add. */
    while (i < count && !(theta > rest[i] * SLACK)) {
        const List *L = &lists[i];
        /* No partial sum exceeds `done`: look for a better theta only if it could stop. */
        int select = prune && L->hi - L->lo >= k && done + L->bound > rest[i + 1] * SLACK;
        Py_ssize_t held = 0;
        for (p = L->lo; p < L->hi; p++) {
            uint32_t d = (uint32_t)doc[p];
            if (d >= (uint32_t)A->n) { bad = 1; break; }
            if (p + AHEAD < L->hi) {
                uint32_t next = (uint32_t)doc[p + AHEAD];
                if (next < (uint32_t)A->n) __builtin_prefetch(&total[next], 1);
            }
            total[d] = total[d] + (double)score[p] * L->weight;
            if (select) held = heap_offer(work, held, k, total[d]);
        }
        if (bad) { i++; break; }
        done += L->bound;
        i++;
        if (select && work[0] > theta) theta = work[0];
    }
    /* Candidates: passages seen that can still reach theta; in a large index, in passage
     * order, marked in aux (n bits in n doubles of zeros, left zeros) and collected. */
    double floor_ = theta - rest[i] * SLACK;
    /* zeroed: with a floor above zero, totals are zeroed as they are read (a zero never
     * reaches the floor again); else, or after a bad posting, they are zeroed after. */
    int ordered = A->n >= ORDERED_FROM, zeroed = floor_ > 0.0;
    uint64_t *marks = (uint64_t *)aux;
    if (bad) {
        /* nothing taken: the accumulator is zeroed below */
    } else if (ordered) {
        if (zeroed)
            mark(lists, i, doc, total, floor_, marks, 0.0);
        else
            mark(lists, i, doc, total, floor_, marks, NAN);
        c = collect(marks, A->n, total, ids, work);
    } else {
        c = zeroed ? take(lists, i, doc, total, floor_, ids, work, 1)
                   : take(lists, i, doc, total, floor_, ids, work, 0);
    }
    if (bad || !zeroed) {
        for (Py_ssize_t j = 0; j < i; j++) { /* total back to zeros */
            for (p = lists[j].lo; p < lists[j].hi; p++) {
                uint32_t d = (uint32_t)doc[p];
                if (d >= (uint32_t)A->n) break; /* where a bad posting stopped the adding */
                total[d] = 0.0;
            }
        }
    }
    if (bad) return -1;
    /* The remaining lists, looked up for the candidates only; after each, theta rises
     * to the k-th best exact partial sum and candidates that cannot reach it drop out. */
    double *acc = work;
    for (Py_ssize_t j = i; j < count; j++) {
        const List *L = &lists[j];
        Py_ssize_t len = L->hi - L->lo;
        if (c == 0 || len == 0) {
            /* nothing to look up */
        } else if (ordered && c * DENSE_LOOKUP > len) {
            /* Merged with the candidates in passage order, each posting read once. */
            Py_ssize_t at = L->lo;
            for (Py_ssize_t q = 0; q < c; q++) {
                int32_t want = ids[q];
                while (at < L->hi && doc[at] < want) at++;
                if (at == L->hi) break;
                if (doc[at] == want) acc[q] = acc[q] + (double)score[at] * L->weight;
            }
        } else if (c * DENSE_LOOKUP > len) {
            /* Each candidate's place marked in aux (as int32: 2n slots of zeros), then the
             * list read in order, a posting adding to the candidate marked at its passage;
             * the marks cleared after. The list's scores scattered into aux and cleared were
             * two random writes a posting where this is one read: top 30 at 10^5 p50
             * 99 -> 91 us, top 10 69 -> 65 us (in-process, side by side). A candidate the
             * list lacks is left as it was, where adding 0.0 gave the same (a total is
             * never -0.0), as the ordered path's merge below has always done. */
            int32_t *at = (int32_t *)aux;
            for (Py_ssize_t q = 0; q < c; q++) at[ids[q]] = (int32_t)(q + 1);
            for (p = L->lo; p < L->hi; p++) {
                uint32_t d = (uint32_t)doc[p];
                if (d >= (uint32_t)A->n) { bad = 1; break; }
                int32_t q = at[d];
                if (q) acc[q - 1] = acc[q - 1] + (double)score[p] * L->weight;
            }
            for (Py_ssize_t q = 0; q < c; q++) at[ids[q]] = 0;
            if (bad) return -1;
        } else {
            /* The candidates are ascending runs (those of each list taken above, in order;
             * dropping some keeps the order): each is sought in the rest of the list from
             * where the one before it was (seek: a guess, then a gallop), and a run starting
             * lower starts again from the list's start. Guessing, where a gallop from the
             * last place found was, took top 30 at 10^5 from 87.5 to 80.5 us p50. */
            Py_ssize_t at = L->lo;
            int32_t before = INT32_MIN;
            for (Py_ssize_t q = 0; q < c; q++) {
                if (ids[q] < before) at = L->lo;
                before = ids[q];
                at = seek(doc, at, L->hi, ids[q]);
                if (at < L->hi && doc[at] == ids[q])
                    acc[q] = acc[q] + (double)score[at] * L->weight;
            }
        }
        if (prune && c > k && j + 1 < count) {
            double t = kth_of(acc, c, k);
            if (t > theta) theta = t;
            c = keep_from(ids, acc, c, theta - rest[j + 1] * SLACK);
        }
    }
    if (plus != 0.0)
        for (Py_ssize_t q = 0; q < c; q++) acc[q] = acc[q] + plus;
    /* The k best by score, then passage order: only those at or above the k-th score
     * are sorted. */
    Py_ssize_t m = c > k ? keep_from(ids, acc, c, kth_of(acc, c, k)) : c;
    Hit *sorted = malloc((size_t)(m ? m : 1) * sizeof(Hit));
    if (!sorted) return -2;
    for (Py_ssize_t q = 0; q < m; q++) {
        sorted[q].id = ids[q];
        sorted[q].score = acc[q];
    }
    qsort(sorted, (size_t)m, sizeof(Hit), hit_order);
    if (m > k) m = k;
    for (Py_ssize_t q = 0; q < m; q++) out[q] = sorted[q];
    free(sorted);
    return m;
}

/* A buffer of `count` items of `itemsize` bytes, C-contiguous; `writable` for scratch. */
static int get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, int writable,
                      const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    if (view->itemsize != itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: items of %zd bytes expected", name, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* rank()'s hits as a list of (passage, score), or NULL with an exception set. */
static PyObject *ranked(const Arrays *A, const List *lists, Py_ssize_t count, const double *rest,
                        Py_ssize_t k, int prune, double plus)
{
    Hit *out = PyMem_Malloc((size_t)(k ? k : 1) * sizeof(Hit));
    if (!out) return PyErr_NoMemory();
    Py_ssize_t found = 0;
    if (count && k && A->n) {
        Py_BEGIN_ALLOW_THREADS
        found = rank(A, lists, count, rest, k, prune, plus, out);
        Py_END_ALLOW_THREADS
    }
    PyObject *result = NULL;
    if (found == -1)
        PyErr_SetString(PyExc_ValueError, "a posting names a passage outside the index");
    else if (found == -2)
        PyErr_NoMemory();
    else if ((result = PyList_New(found)) != NULL) {
        for (Py_ssize_t q = 0; q < found; q++) {
            /* Made directly: Py_BuildValue parsed its format for each of thirty hits. */
            PyObject *id = PyLong_FromLong(out[q].id), *score = PyFloat_FromDouble(out[q].score);
            PyObject *pair = id && score ? PyTuple_Pack(2, id, score) : NULL;
            Py_XDECREF(id);
            Py_XDECREF(score);
            if (!pair) {
                Py_CLEAR(result);
                break;
            }
            PyList_SET_ITEM(result, q, pair);
        }
    }
    PyMem_Free(out);
    return result;
}

/* holds(doc, spans, owner, cands): for each span (lo, hi) of doc, a list ascending (a term's
 * briefs in the contexts' postings), whether it holds the owner of each candidate
 * (owner[cand]: a passage's brief). One binary search a span and candidate, where numpy
 * took five calls a span (index/mapped_contexts.py, whose numpy path gives the same). */
static PyObject *holds(PyObject *self, PyObject *args)
{
    PyObject *doc_o, *spans_o, *owner_o, *cands_o;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOO", &doc_o, &spans_o, &owner_o, &cands_o)) return NULL;
    Py_buffer doc = {0}, owner = {0};
    PyObject *spans = NULL, *cands = NULL, *result = NULL;
    int32_t *wanted = NULL;
    if (get_buffer(doc_o, &doc, 4, 0, "doc") < 0 || get_buffer(owner_o, &owner, 4, 0, "owner") < 0)
        goto done;
    spans = PySequence_Tuple(spans_o);
    cands = PySequence_Tuple(cands_o);
    if (!spans || !cands) goto done;
    Py_ssize_t count = PyTuple_GET_SIZE(spans), c = PyTuple_GET_SIZE(cands);
    Py_ssize_t nnz = doc.len / 4, owners = owner.len / 4;
    const int32_t *d = doc.buf, *o = owner.buf;
    wanted = PyMem_Malloc((size_t)(c ? c : 1) * sizeof(int32_t));
    if (!wanted) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < c; j++) {
        Py_ssize_t cand = PyLong_AsSsize_t(PyTuple_GET_ITEM(cands, j));
        if (cand == -1 && PyErr_Occurred()) goto done;
        if (cand < 0 || cand >= owners) {
            PyErr_SetString(PyExc_IndexError, "a candidate lies outside the passages");
            goto done;
        }
        wanted[j] = o[cand];
    }
    result = PyList_New(count);
    if (!result) goto done;
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t lo, hi;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(spans, i), "nn", &lo, &hi)) goto fail;
        if (lo < 0 || hi < lo || hi > nnz) {
            PyErr_SetString(PyExc_ValueError, "a span lies outside the postings");
            goto fail;
        }
        PyObject *row = PyList_New(c);
        if (!row) goto fail;
        PyList_SET_ITEM(result, i, row);
        for (Py_ssize_t j = 0; j < c; j++) {
            Py_ssize_t pos = lower_bound(d, lo, hi, wanted[j]);
            int found = pos < hi && d[pos] == wanted[j];
            PyList_SET_ITEM(row, j, Py_NewRef(found ? Py_True : Py_False));
        }
    }
    goto done;
fail:
    Py_CLEAR(result);
done:
    Py_XDECREF(spans);
    Py_XDECREF(cands);
    PyMem_Free(wanted);
    if (doc.obj) PyBuffer_Release(&doc);
    if (owner.obj) PyBuffer_Release(&owner);
    return result;
}

/* One list before ordering: its bound, its slot (ties go to the lower) and where it lies. */
typedef struct {
    List list;
    Py_ssize_t slot;
} Slotted;

static int slotted_order(const void *x, const void *y)
{
    const Slotted *a = x, *b = y;
    if (a->list.bound != b->list.bound) return a->list.bound > b->list.bound ? -1 : 1;
    return (a->slot > b->slot) - (a->slot < b->slot);
}

/* The term ids of a sequence, each checked to lie in [0, vocab): -1 for None. */
static Py_ssize_t *term_ids(PyObject *seq, Py_ssize_t vocab, int none_ok, Py_ssize_t *counts)
{
    Py_ssize_t m = PyTuple_GET_SIZE(seq);
    Py_ssize_t *out = PyMem_Malloc((size_t)(m ? m : 1) * sizeof(Py_ssize_t));
    if (!out) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t q = 0; q < m; q++) {
        PyObject *item = PyTuple_GET_ITEM(seq, q);
        Py_ssize_t t = -1, n = 1;
        if (counts) {
            if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
                PyErr_SetString(PyExc_TypeError, "a query term is a (term id, times) pair");
                goto fail;
            }
            t = PyNumber_AsSsize_t(PyTuple_GET_ITEM(item, 0), PyExc_OverflowError);
            if (t == -1 && PyErr_Occurred()) goto fail;
            n = PyNumber_AsSsize_t(PyTuple_GET_ITEM(item, 1), PyExc_OverflowError);
            if (n == -1 && PyErr_Occurred()) goto fail;
            counts[q] = n;
        } else if (!(none_ok && item == Py_None)) {
            t = PyLong_AsSsize_t(item);
            if (t == -1 && PyErr_Occurred()) goto fail;
        }
        if ((item != Py_None || counts) && (t < 0 || t >= vocab || n < 1)) {
            PyErr_SetString(PyExc_ValueError, "a term id lies outside the vocabulary");
            goto fail;
        }
        out[q] = t;
    }
    return out;
fail:
    PyMem_Free(out);
    return NULL;
}

/* top_terms (its arguments: the top of the file). Each tier holding postings is a list
 * with bound peak * times and weight unit * times; lists go highest bound first (then
 * lower slot), and bounds prune when none is negative: the lists, in the order, that
 * NumpyEngine.top makes for its numpy path. rest[i], the bounds from i on, is summed from
 * the last (numpy's path takes math.fsum): a sum of a few dozen positive floats is within
 * 1e-14 of the exact one, and every test of a bound allows SLACK (1e-9), so the same
 * passages are pruned and the same answers come out. */
static PyObject *top_terms(PyObject *self, PyObject *args)
{
    PyObject *doc_o, *score_o, *ptr_o, *unit_o, *peak_o, *terms_o, *total_o, *aux_o, *work_o,
        *ids_o;
    Py_ssize_t tiers, k;
    double plus;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOnOndOOOO", &doc_o, &score_o, &ptr_o, &unit_o, &peak_o,
                          &tiers, &terms_o, &k, &plus, &total_o, &aux_o, &work_o, &ids_o))
        return NULL;
    Py_buffer doc = {0}, score = {0}, ptr = {0}, unit = {0}, peak = {0}, total = {0}, aux = {0},
              work = {0}, ids = {0};
    PyObject *terms = NULL, *result = NULL;
    Py_ssize_t *t = NULL, *times = NULL;
    Slotted *slotted = NULL;
    List *lists = NULL;
    double *rest = NULL;
    if (get_buffer(doc_o, &doc, 4, 0, "doc") < 0 || get_buffer(score_o, &score, 2, 0, "score") < 0
        || get_buffer(ptr_o, &ptr, 8, 0, "ptr") < 0 || get_buffer(unit_o, &unit, 8, 0, "unit") < 0
        || get_buffer(peak_o, &peak, 8, 0, "peak") < 0
        || get_buffer(total_o, &total, 8, 1, "total") < 0 || get_buffer(aux_o, &aux, 8, 1, "aux") < 0
        || get_buffer(work_o, &work, 8, 1, "work") < 0 || get_buffer(ids_o, &ids, 4, 1, "ids") < 0)
        goto done;
    Py_ssize_t nnz = doc.len / 4, n = total.len / 8, slots = peak.len / 8;
    if (score.len / 2 != nnz || aux.len / 8 != n || work.len / 8 < 2 * n || ids.len / 4 < n
        || tiers < 1 || slots % tiers || unit.len / 8 != slots || ptr.len / 8 != slots + 1) {
        PyErr_SetString(PyExc_ValueError, "postings or scratch buffers disagree in length");
        goto done;
    }
    if (k < 0) k = 0;
    terms = PySequence_Tuple(terms_o);
    if (!terms) goto done;
    Py_ssize_t m = PyTuple_GET_SIZE(terms);
    times = PyMem_Malloc((size_t)(m ? m : 1) * sizeof(Py_ssize_t));
    slotted = PyMem_Malloc((size_t)(m * tiers > 0 ? m * tiers : 1) * sizeof(Slotted));
    if (!times || !slotted) {
        PyErr_NoMemory();
        goto done;
    }
    t = term_ids(terms, slots / tiers, 0, times);
    if (!t) goto done;
    const int64_t *p = ptr.buf;
    const double *u = unit.buf, *top_of = peak.buf;
    Py_ssize_t count = 0;
    for (Py_ssize_t q = 0; q < m; q++)
        for (Py_ssize_t j = 0; j < tiers; j++) {
            Py_ssize_t slot = tiers * t[q] + j;
            int64_t lo = p[slot], hi = p[slot + 1];
            if (hi <= lo) continue;
            if (lo < 0 || hi > nnz || hi - lo > n) {
                PyErr_SetString(PyExc_ValueError, "a postings list lies outside the postings");
                goto done;
            }
            Slotted *S = &slotted[count++];
            S->list.lo = lo;
            S->list.hi = hi;
            S->list.weight = u[slot] * (double)times[q];
            S->list.bound = top_of[slot] * (double)times[q];
            S->slot = slot;
        }
    if (!count) {
        result = PyList_New(0);
        goto done;
    }
    qsort(slotted, (size_t)count, sizeof(Slotted), slotted_order);
    lists = PyMem_Malloc((size_t)count * sizeof(List));
    rest = PyMem_Malloc((size_t)(count + 1) * sizeof(double));
    if (!lists || !rest) {
        PyErr_NoMemory();
        goto done;
    }
    int prune = 1;
    rest[count] = 0.0;
    for (Py_ssize_t i = count - 1; i >= 0; i--) {
        lists[i] = slotted[i].list;
        rest[i] = rest[i + 1] + lists[i].bound;
        if (lists[i].bound < 0) prune = 0;
    }
    Arrays A = {doc.buf, score.buf, total.buf, aux.buf, work.buf, ids.buf, n};
    result = ranked(&A, lists, count, rest, k, prune, plus);
done:
    Py_XDECREF(terms);
    PyMem_Free(t);
    PyMem_Free(times);
    PyMem_Free(slotted);
    PyMem_Free(lists);
    PyMem_Free(rest);
    Py_buffer *views[] = {&doc, &score, &ptr, &unit, &peak, &total, &aux, &work, &ids};
    for (size_t v = 0; v < sizeof views / sizeof *views; v++)
        if (views[v]->obj) PyBuffer_Release(views[v]);
    return result;
}

/* columns(doc, score, ptr, unit, tiers, terms, cands): for each of a query's terms (an id,
 * or None for a term no passage holds), each candidate's score and presence, its tiers
 * read from ptr and unit: [([score], [held]), ...], a pair a term. A candidate's score is
 * 0.0 plus score * unit of each tier holding it, in tier order (as the numpy path adds);
 * a candidate outside int32 is held by none. */
static PyObject *columns(PyObject *self, PyObject *args)
{
    PyObject *doc_o, *score_o, *ptr_o, *unit_o, *terms_o, *cands_o;
    Py_ssize_t tiers;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOnOO", &doc_o, &score_o, &ptr_o, &unit_o, &tiers, &terms_o,
                          &cands_o))
        return NULL;
    Py_buffer doc = {0}, score = {0}, ptr = {0}, unit = {0};
    PyObject *terms = NULL, *cands = NULL, *result = NULL;
    Py_ssize_t *t = NULL;
    int32_t *wanted = NULL;
    int *inside = NULL; /* whether each candidate is a passage number at all */
    if (get_buffer(doc_o, &doc, 4, 0, "doc") < 0 || get_buffer(score_o, &score, 2, 0, "score") < 0
        || get_buffer(ptr_o, &ptr, 8, 0, "ptr") < 0 || get_buffer(unit_o, &unit, 8, 0, "unit") < 0)
        goto done;
    Py_ssize_t nnz = doc.len / 4, slots = unit.len / 8;
    if (score.len / 2 != nnz || tiers < 1 || slots % tiers || ptr.len / 8 != slots + 1) {
        PyErr_SetString(PyExc_ValueError, "postings disagree in length");
        goto done;
    }
    terms = PySequence_Tuple(terms_o);
    cands = PySequence_Tuple(cands_o);
    if (!terms || !cands) goto done;
    Py_ssize_t m = PyTuple_GET_SIZE(terms), c = PyTuple_GET_SIZE(cands);
    t = term_ids(terms, slots / tiers, 1, NULL);
    if (!t) goto done;
    wanted = PyMem_Malloc((size_t)(c ? c : 1) * sizeof(int32_t));
    inside = PyMem_Malloc((size_t)(c ? c : 1) * sizeof(int));
    if (!wanted || !inside) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < c; j++) {
        long long want = PyLong_AsLongLong(PyTuple_GET_ITEM(cands, j));
        if (want == -1 && PyErr_Occurred()) goto done;
        inside[j] = want >= INT32_MIN && want <= INT32_MAX;
        wanted[j] = inside[j] ? (int32_t)want : 0;
    }
    result = PyList_New(m);
    if (!result) goto done;
    const int64_t *p = ptr.buf;
    const double *u = unit.buf;
    const int32_t *d = doc.buf;
    const uint16_t *sc = score.buf;
    for (Py_ssize_t q = 0; q < m; q++) {
        PyObject *scores = PyList_New(c), *held = PyList_New(c), *pair = NULL;
        if (scores && held) pair = PyTuple_Pack(2, scores, held);
        Py_XDECREF(scores);
        Py_XDECREF(held);
        if (!pair) goto fail;
        PyList_SET_ITEM(result, q, pair);
        /* The term's tiers checked once, before its candidates are looked up in them. */
        for (Py_ssize_t i = 0; t[q] >= 0 && c && i < tiers; i++) {
            int64_t lo = p[tiers * t[q] + i], hi = p[tiers * t[q] + i + 1];
            if (lo < 0 || hi < lo || hi > nnz) {
                PyErr_SetString(PyExc_ValueError, "a postings list lies outside the postings");
                goto fail;
            }
        }
        for (Py_ssize_t j = 0; j < c; j++) {
            double acc = 0.0;
            int found = 0;
            for (Py_ssize_t i = 0; t[q] >= 0 && inside[j] && i < tiers; i++) {
                Py_ssize_t slot = tiers * t[q] + i;
                int64_t lo = p[slot], hi = p[slot + 1];
                Py_ssize_t pos = seek(d, lo, hi, wanted[j]);
                if (pos < hi && d[pos] == wanted[j]) {
                    acc += (double)sc[pos] * u[slot];
                    found = 1;
                }
            }
            PyObject *value = PyFloat_FromDouble(acc);
            if (!value) goto fail;
            PyList_SET_ITEM(scores, j, value);
            PyList_SET_ITEM(held, j, Py_NewRef(found ? Py_True : Py_False));
        }
    }
    goto done;
fail:
    Py_CLEAR(result);
done:
    Py_XDECREF(terms);
    Py_XDECREF(cands);
    PyMem_Free(t);
    PyMem_Free(wanted);
    PyMem_Free(inside);
    Py_buffer *views[] = {&doc, &score, &ptr, &unit};
    for (size_t v = 0; v < sizeof views / sizeof *views; v++)
        if (views[v]->obj) PyBuffer_Release(views[v]);
    return result;
}

static PyMethodDef methods[] = {
    {"top_terms", top_terms, METH_VARARGS, "The best k passages of a query's terms, MaxScore (see the file)."},
    {"columns", columns, METH_VARARGS, "Each query term's score and presence in a few passages."},
    {"holds", holds, METH_VARARGS, "Whether lists of owners hold each candidate's owner."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_maxscore", "The numpy engine's top-k, compiled.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__maxscore(void) { return PyModule_Create(&module); }
