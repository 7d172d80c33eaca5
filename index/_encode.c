/* Texts to entry ids for the build (index/encode.py, _Encoder._plain), without making a
 * Python string of every word.
 *
 * Why C: an ASCII text's tokens are those of its whitespace pieces (str.split()), and a
 * library repeats the same pieces millions of times. Python splits each text into new
 * string objects and looks each up in a dict, about 140 ns a word; here a piece is hashed
 * where it lies in the text and looked up in a table of bytes. Only a piece never seen
 * before becomes a string, for the Python callback that tokenises it.
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

/* One table of byte strings -> entry, open addressing; keys live in one arena. */
typedef struct {
    uint64_t hash;
    Py_ssize_t at; /* key offset in the arena; -1: empty slot */
    Py_ssize_t len;
    uint32_t value;
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

static uint64_t fnv1a(const char *s, Py_ssize_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int table_init(Table *t)
{
    t->size = 1024;
    t->used = 0;
    t->slots = PyMem_Malloc((size_t)t->size * sizeof(Slot));
    t->arena_size = 1 << 16;
    t->arena_used = 0;
    t->arena = PyMem_Malloc((size_t)t->arena_size);
    if (!t->slots || !t->arena) return -1;
    for (Py_ssize_t i = 0; i < t->size; i++) t->slots[i].at = -1;
    return 0;
}

static void table_free(Table *t)
{
    PyMem_Free(t->slots);
    PyMem_Free(t->arena);
    t->slots = NULL;
    t->arena = NULL;
}

/* The slot holding key s[0..n), or the empty slot where it would go. */
static Slot *table_find(Table *t, const char *s, Py_ssize_t n, uint64_t h)
{
    Py_ssize_t mask = t->size - 1, i = (Py_ssize_t)(h & (uint64_t)mask);
    for (;;) {
        Slot *slot = &t->slots[i];
        if (slot->at < 0) return slot;
        if (slot->hash == h && slot->len == n && memcmp(t->arena + slot->at, s, (size_t)n) == 0)
            return slot;
        i = (i + 1) & mask;
    }
}

static int table_grow(Table *t)
{
    Slot *old = t->slots;
    Py_ssize_t old_size = t->size;
    Slot *slots = PyMem_Malloc((size_t)old_size * 2 * sizeof(Slot));
    if (!slots) return -1;
    t->slots = slots;
    t->size = old_size * 2;
    for (Py_ssize_t i = 0; i < t->size; i++) t->slots[i].at = -1;
    for (Py_ssize_t i = 0; i < old_size; i++) {
        if (old[i].at < 0) continue;
        Py_ssize_t mask = t->size - 1, j = (Py_ssize_t)(old[i].hash & (uint64_t)mask);
        while (t->slots[j].at >= 0) j = (j + 1) & mask;
        t->slots[j] = old[i];
    }
    PyMem_Free(old);
    return 0;
}

/* Key s[0..n) -> value, into the empty `slot` table_find gave. */
static int table_put(Table *t, Slot *slot, const char *s, Py_ssize_t n, uint64_t h, uint32_t value)
{
    if (t->arena_used + n > t->arena_size) {
        Py_ssize_t size = t->arena_size;
        while (t->arena_used + n > size) size *= 2;
        char *arena = PyMem_Realloc(t->arena, (size_t)size);
        if (!arena) return -1;
        t->arena = arena;
        t->arena_size = size;
    }
    memcpy(t->arena + t->arena_used, s, (size_t)n);
    slot->hash = h;
    slot->at = t->arena_used;
    slot->len = n;
    slot->value = value;
    t->arena_used += n;
    t->used++;
    if (2 * t->used > t->size) return table_grow(t);
    return 0;
}

/* The entry of piece s[0..n): from the table, or from `make` (then remembered). */
static int entry_of(Table *t, const char *s, Py_ssize_t n, PyObject *make, uint32_t *out)
{
    uint64_t h = fnv1a(s, n);
    Slot *slot = table_find(t, s, n, h);
    if (slot->at >= 0) {
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

/* str.isspace() for ASCII: tab, newline, vertical tab, form feed, return, 0x1c-0x1f, space. */
static int is_space(unsigned char c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
}

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
    Grow hyphens = {NULL, 0, 0, 2 * sizeof(Py_ssize_t)}; /* (start, length) of each */
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
            hyphens.len = 0;
            while (at < len) {
                while (at < len && is_space((unsigned char)s[at])) at++;
                if (at == len) break;
                Py_ssize_t start = at;
                int hyphen = 0;
                while (at < len && !is_space((unsigned char)s[at])) hyphen |= s[at++] == '-';
                uint32_t entry;
                if (entry_of(&cache->pieces, s + start, at - start, piece, &entry) < 0
                    || grow_push(&out, &entry) < 0)
                    goto done;
                Py_ssize_t span[2] = {start, at - start};
                if (hyphen && grow_push(&hyphens, span) < 0) goto done;
            }
            for (Py_ssize_t h = 0; h < hyphens.len; h++) {
                Py_ssize_t *span = (Py_ssize_t *)(hyphens.data + h * hyphens.item);
                uint32_t entry;
                if (entry_of(&cache->joined, s + span[0], span[1], joined, &entry) < 0
                    || grow_push(&out, &entry) < 0)
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
    PyMem_Free(hyphens.data);
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
