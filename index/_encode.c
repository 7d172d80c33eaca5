/* Texts to entry ids for the build (index/encode.py, _Encoder._plain), without making a
 * Python string of every word.
 *
 * Why C: an ASCII text's tokens are those of its whitespace pieces (str.split()), and a
 * library repeats the same pieces millions of times. Python splits each text into new
 * string objects and looks each up in a dict, about 140 ns a word; here a piece is hashed
 * where it lies in the text and looked up in a table of bytes. Only a piece never seen
 * before becomes a string, for the Python callback that tokenises it. A text's pieces are
 * all hashed before any is looked up, so the table's memory is fetched for several at once.
 *
 * cache = Cache()                      the pieces seen so far, kept from chunk to chunk
 * entries(cache, texts, piece, joined, other) -> (entries, counts)
 *   piece(word) -> int       the entry of a whitespace piece never seen before
 *   joined(word) -> int      the entry of a hyphenated piece's joined form, ditto
 *   other(text) -> [int]     a non-ASCII text's entries, all of them (Python's path)
 *   entries  bytes, uint32 each: per ASCII text its pieces' entries in order, then the
 *            joined entries of its hyphenated pieces, in order (as _plain has them)
 *   counts   bytes, int64 each: how many entries each text gave
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* One table of byte strings -> entry, open addressing. A key of up to KEY_INLINE bytes
 * (nearly every word) lives in its slot, so a lookup reads one cache line; longer keys
 * live in an arena. len 0 marks an empty slot (a piece is never empty). */
#define KEY_INLINE 16
typedef struct {
    uint64_t hash;
    uint32_t len, value;
    union {
        char bytes[KEY_INLINE];
        Py_ssize_t at; /* offset in the arena, when len > KEY_INLINE */
    } key;
} Slot;

typedef struct {
    Slot *slots;
    Py_ssize_t size, used; /* size: a power of two */
    char *arena;
    Py_ssize_t arena_used, arena_size;
} Table;

typedef struct {
    PyObject_HEAD
    Table pieces, joined;
} Cache;

static PyTypeObject CacheType;

/* 8 bytes at a time, each folded in by a multiply (wyhash's mixing step, simplified). */
static uint64_t hash_bytes(const char *s, Py_ssize_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, s, (size_t)n);
        h = (h ^ w) * 0x94D049BB133111EBULL;
        h ^= h >> 29;
    }
    return h;
}

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static int table_init(Table *t)
{
    t->size = 1024;
    t->used = 0;
    t->slots = PyMem_Calloc((size_t)t->size, sizeof(Slot));
    t->arena_size = 1 << 16;
    t->arena_used = 0;
    t->arena = PyMem_Malloc((size_t)t->arena_size);
    return t->slots && t->arena ? 0 : -1;
}

static void table_free(Table *t)
{
    PyMem_Free(t->slots);
    PyMem_Free(t->arena);
    t->slots = NULL;
    t->arena = NULL;
}

static const char *slot_key(const Table *t, const Slot *slot)
{
    return slot->len <= KEY_INLINE ? slot->key.bytes : t->arena + slot->key.at;
}

/* The slot holding key s[0..n), or the empty slot where it would go. */
static Slot *table_find(Table *t, const char *s, Py_ssize_t n, uint64_t h)
{
    Py_ssize_t mask = t->size - 1, i = (Py_ssize_t)(h & (uint64_t)mask);
    for (;;) {
        Slot *slot = &t->slots[i];
        if (!slot->len) return slot;
        if (slot->hash == h && slot->len == (uint32_t)n
            && memcmp(slot_key(t, slot), s, (size_t)n) == 0)
            return slot;
        i = (i + 1) & mask;
    }
}

static int table_grow(Table *t)
{
    Slot *old = t->slots;
    Py_ssize_t old_size = t->size;
    Slot *slots = PyMem_Calloc((size_t)old_size * 2, sizeof(Slot));
    if (!slots) return -1;
    t->slots = slots;
    t->size = old_size * 2;
    for (Py_ssize_t i = 0; i < old_size; i++) {
        if (!old[i].len) continue;
        Py_ssize_t mask = t->size - 1, j = (Py_ssize_t)(old[i].hash & (uint64_t)mask);
        while (t->slots[j].len) j = (j + 1) & mask;
        t->slots[j] = old[i];
    }
    PyMem_Free(old);
    return 0;
}

/* Key s[0..n) -> value, into the empty `slot` table_find gave. */
static int table_put(Table *t, Slot *slot, const char *s, Py_ssize_t n, uint64_t h, uint32_t value)
{
    if (n > UINT32_MAX) return -1; /* a 4 GiB piece: reported as out of memory */
    if (n <= KEY_INLINE) {
        memcpy(slot->key.bytes, s, (size_t)n);
    } else {
        if (t->arena_used + n > t->arena_size) {
            Py_ssize_t size = t->arena_size;
            while (t->arena_used + n > size) size *= 2;
            char *arena = PyMem_Realloc(t->arena, (size_t)size);
            if (!arena) return -1;
            t->arena = arena;
            t->arena_size = size;
        }
        memcpy(t->arena + t->arena_used, s, (size_t)n);
        slot->key.at = t->arena_used;
        t->arena_used += n;
    }
    slot->hash = h;
    slot->len = (uint32_t)n;
    slot->value = value;
    t->used++;
    if (2 * t->used > t->size) return table_grow(t);
    return 0;
}

/* The entry of piece s[0..n): from the table, or from `make` (then remembered). */
static int entry_of(Table *t, const char *s, Py_ssize_t n, uint64_t h, PyObject *make,
                    uint32_t *out)
{
    Slot *slot = table_find(t, s, n, h);
    if (slot->len) {
        *out = slot->value;
        return 0;
    }
    PyObject *word = PyUnicode_DecodeASCII(s, n, NULL);
    if (!word) return -1;
    PyObject *got = PyObject_CallOneArg(make, word);
    Py_DECREF(word);
    if (!got) return -1;
    unsigned long value = PyLong_AsUnsignedLong(got);
    Py_DECREF(got);
    if (PyErr_Occurred()) return -1;
    if (value > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "an entry id does not fit in 32 bits");
        return -1;
    }
    *out = (uint32_t)value;
    if (table_put(t, slot, s, n, h, (uint32_t)value) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* A growing array of fixed-size items. */
typedef struct {
    char *data;
    Py_ssize_t len, size, item;
} Grow;

static int grow_push(Grow *g, const void *item)
{
    if (g->len == g->size) {
        Py_ssize_t size = g->size ? g->size * 2 : 4096;
        char *data = PyMem_Realloc(g->data, (size_t)(size * g->item));
        if (!data) {
            PyErr_NoMemory();
            return -1;
        }
        g->data = data;
        g->size = size;
    }
    memcpy(g->data + g->len * g->item, item, (size_t)g->item);
    g->len++;
    return 0;
}

/* str.isspace() for ASCII: tab, newline, vertical tab, form feed, return, 0x1c-0x1f, space
 * (a letter fails the first test and is done). */
static int is_space(unsigned char c)
{
    return c <= ' ' && (c == ' ' || (c >= 0x09 && c <= 0x0d) || c >= 0x1c);
}

/* A whitespace piece of the text being read: where it is, its hash, whether it has a '-'. */
typedef struct {
    Py_ssize_t start, len;
    uint64_t hash;
    int hyphen;
} Span;

static PyObject *entries(PyObject *self, PyObject *args)
{
    Cache *cache;
    PyObject *texts, *piece, *joined, *other;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!OOOO", &CacheType, &cache, &texts, &piece, &joined, &other))
        return NULL;
    /* A tuple: the callbacks run Python code, which must not change what is being read. */
    PyObject *seq = PySequence_Tuple(texts);
    if (!seq) return NULL;
    Grow out = {NULL, 0, 0, sizeof(uint32_t)}, counts = {NULL, 0, 0, sizeof(int64_t)};
    Grow spans = {NULL, 0, 0, sizeof(Span)}; /* the pieces of the text being read */
    PyObject *result = NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyTuple_GET_ITEM(seq, i);
        if (!PyUnicode_Check(text) || PyUnicode_READY(text) < 0) {
            PyErr_SetString(PyExc_TypeError, "texts must be strings");
            goto done;
        }
        Py_ssize_t before = out.len;
        if (!PyUnicode_IS_ASCII(text)) { /* Python's path for the rest */
            PyObject *got = PyObject_CallOneArg(other, text);
            if (!got) goto done;
            PyObject *list = PySequence_Tuple(got);
            Py_DECREF(got);
            if (!list) goto done;
            for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(list); j++) {
                unsigned long value = PyLong_AsUnsignedLong(PyTuple_GET_ITEM(list, j));
                uint32_t entry = (uint32_t)value;
                if ((PyErr_Occurred() || value > UINT32_MAX) || grow_push(&out, &entry) < 0) {
                    if (!PyErr_Occurred())
                        PyErr_SetString(PyExc_OverflowError, "an entry id does not fit in 32 bits");
                    Py_DECREF(list);
                    goto done;
                }
            }
            Py_DECREF(list);
        } else {
            const char *s = (const char *)PyUnicode_DATA(text);
            Py_ssize_t len = PyUnicode_GET_LENGTH(text), at = 0;
            /* Two passes: find and hash every piece, asking the memory for its slot, then
             * look them up, by when the slots have arrived (a large table misses cache). */
            spans.len = 0;
            while (at < len) {
                while (at < len && is_space((unsigned char)s[at])) at++;
                if (at == len) break;
                Span span = {at, 0, 0, 0};
                int hyphen = 0;
                while (at < len && !is_space((unsigned char)s[at])) hyphen |= s[at++] == '-';
                span.len = at - span.start;
                span.hash = hash_bytes(s + span.start, span.len);
                span.hyphen = hyphen;
                PREFETCH(&cache->pieces.slots[span.hash & (uint64_t)(cache->pieces.size - 1)]);
                if (grow_push(&spans, &span) < 0) goto done;
            }
            const Span *found = (const Span *)spans.data;
            for (Py_ssize_t j = 0; j < spans.len; j++) {
                uint32_t entry;
                if (entry_of(&cache->pieces, s + found[j].start, found[j].len, found[j].hash, piece,
                             &entry) < 0
                    || grow_push(&out, &entry) < 0)
                    goto done;
            }
            for (Py_ssize_t j = 0; j < spans.len; j++) {
                uint32_t entry;
                if (found[j].hyphen
                    && (entry_of(&cache->joined, s + found[j].start, found[j].len, found[j].hash,
                                 joined, &entry) < 0
                        || grow_push(&out, &entry) < 0))
                    goto done;
            }
        }
        int64_t count = out.len - before;
        if (grow_push(&counts, &count) < 0) goto done;
    }
    result = Py_BuildValue("(y#y#)", out.data ? out.data : "", out.len * out.item,
                           counts.data ? counts.data : "", counts.len * counts.item);
done:
    Py_DECREF(seq);
    PyMem_Free(out.data);
    PyMem_Free(counts.data);
    PyMem_Free(spans.data);
    return result;
}

static PyObject *cache_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    (void)args;
    (void)kwargs;
    Cache *self = (Cache *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    if (table_init(&self->pieces) < 0 || table_init(&self->joined) < 0) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static void cache_dealloc(Cache *self)
{
    table_free(&self->pieces);
    table_free(&self->joined);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject CacheType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "index._encode.Cache",
    .tp_basicsize = sizeof(Cache),
    .tp_dealloc = (destructor)cache_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The whitespace pieces seen so far and their entries (see the file).",
    .tp_new = cache_new,
};

static PyMethodDef methods[] = {
    {"entries", entries, METH_VARARGS, "Texts to entry ids (see the file)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_encode", "Texts to entry ids, compiled.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__encode(void)
{
    if (PyType_Ready(&CacheType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&CacheType);
    if (PyModule_AddObject(m, "Cache", (PyObject *)&CacheType) < 0) {
        Py_DECREF(&CacheType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
