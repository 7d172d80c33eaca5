/* A mapped file's passages and brief records read and checked in one compiled call, as
 * index/mapped_tables.py's PassageTable._read and index/mapped_briefs.py's _Records do in
 * Python.
 *
 * Why C: a cold passage read was 17 us, of which zstandard's decode is 4; the rest was
 * Python around it (six field reads, slices, the checksum's packing, the brief's record
 * copied and checked), and a search reads ten passages.
 *
 * PassageReader(text, blocks, ptr, brief, paragraph, part, start, end, page, crc,
 *               frame_size, zstd_error)
 *   text        uint8   the passages' compressed text blocks, one after another
 *   blocks      int64   passage i's block is text[blocks[i]:blocks[i + 1]]
 *   ptr         int64   passage i is [ptr[i], ptr[i + 1]) of the text uncompressed
 *   brief .. page       int32, int32, int32, int64, int64, int32: the passage fields
 *   crc         uint32  each passage's checksum (index/mapped_check.py passage_crc)
 *   frame_size  zstandard.frame_content_size; zstd_error: zstandard.ZstdError
 * PassageReader.read_cited(i, inflate, cites) -> (id, brief, paragraph, part, start, end,
 *   text, page, cited): passage i read and checked, as a Passage holds it, with its brief's
 *   id and citation fields read from the brief's row (`cites`: the citation rows'
 *   BriefReader, below), in one call where a search's read, id and citation took three
 *   calls and four Python frames. cited: (title, url, publisher, paragraphs), or None for
 *   a row that passes its checksum but is no citation's (refused when cited, not read).
 *   inflate: the calling thread's zstandard decompress (a context is not shared).
 * PassageReader.touch(ids, cites): one byte read of each place reading passages `ids` will
 *   read, so that their cache misses overlap (see passages_touch).
 *
 * BriefReader(json, ptr, crc, ids)
 *   json uint8, ptr int64, crc uint32: the brief records and their checksums
 *   ids  one fixed-width item a brief (NUL-padded, numpy "S")
 * BriefReader.read(number) -> (id, record): the brief's id (str) and JSON record (bytes).
 *   The same reader serves the briefs' citation rows (cite_rows, cite_ptr, cite_crc):
 * BriefReader.cited(number) -> (id, title, url, publisher, paragraphs), the row read and
 *   checked as above, then its fields (index/mapped_arrays.py cite_row): a parse of a JSON
 *   list was 1 of a citation's 3.2 us, ten a search.
 *
 * All buffers in the machine's byte order (index/mapped_tables.py int_view).
 * Damage raises Damaged with what was wrong, in the Python path's words; the caller checks
 * the file's guard first (a file truncated in place would crash any read of it).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static PyObject *Damaged;
static uint32_t crc_table[8][256];

/* zlib's CRC-32 (reflected 0xEDB88320), eight bytes a step. */
static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++)
        for (int t = 1; t < 8; t++)
            crc_table[t][n] = (crc_table[t - 1][n] >> 8) ^ crc_table[0][crc_table[t - 1][n] & 0xff];
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, Py_ssize_t n) {
    crc = ~crc;
    for (; n >= 8; n -= 8, p += 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                             (uint32_t)p[3] << 24);
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][p[4]] ^
              crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
    }
    while (n--)
        crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void put_le(unsigned char *to, uint64_t value, int size) {
    for (int k = 0; k < size; k++)
        to[k] = (unsigned char)(value >> (8 * k));
}

/* Buffers of one reader, each checked to hold items of the expected size (0: any). */
static int take_buffers(PyObject **from, Py_buffer *view, const Py_ssize_t *item, int count,
                        int *held) {
    for (int v = 0; v < count; v++) {
        if (PyObject_GetBuffer(from[v], &view[v], PyBUF_C_CONTIGUOUS) < 0)
            return -1;
        *held = v + 1;
        if (item[v] && view[v].itemsize != item[v]) {
            PyErr_Format(PyExc_ValueError, "buffer %d holds items of %zd bytes, not %zd", v,
                         view[v].itemsize, item[v]);
            return -1;
        }
    }
    return 0;
}

/* A tuple of `n` new references, taken over (each released if one is NULL or the tuple
 * cannot be made): where Py_BuildValue parsed its format at every read. */
static PyObject *tuple_of(Py_ssize_t n, PyObject **items) {
    PyObject *out = NULL;
    for (Py_ssize_t k = 0; k < n; k++)
        if (items[k] == NULL)
            goto fail;
    out = PyTuple_New(n);
    if (out == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < n; k++)
        PyTuple_SET_ITEM(out, k, items[k]);
    return out;
fail:
    for (Py_ssize_t k = 0; k < n; k++)
        Py_XDECREF(items[k]);
    return NULL;
}

/* The one index argument of a read (METH_O: no argument tuple parsed). */
static int index_of(PyObject *arg, Py_ssize_t *i) {
    *i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    return *i == -1 && PyErr_Occurred() ? -1 : 0;
}

#define ITEMS(view) ((view).len / (view).itemsize)
#define I64(view, i) (((const int64_t *)(view).buf)[i])
#define I32(view, i) (((const int32_t *)(view).buf)[i])
#define U32(view, i) (((const uint32_t *)(view).buf)[i])

enum { TEXT, BLOCKS, PTR, BRIEF, PARAGRAPH, PART, START, END, PAGE, CRC, P_VIEWS };
static const Py_ssize_t P_ITEM[P_VIEWS] = {1, 8, 8, 4, 4, 4, 8, 8, 4, 4};

typedef struct {
    PyObject_HEAD
    Py_buffer view[P_VIEWS];
    int held;
    PyObject *frame_size, *zstd_error;
} PassageReader;

static void passages_dealloc(PassageReader *self) {
    for (int v = 0; v < self->held; v++)
        PyBuffer_Release(&self->view[v]);
    Py_XDECREF(self->frame_size);
    Py_XDECREF(self->zstd_error);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int passages_init(PassageReader *self, PyObject *args, PyObject *kwargs) {
    PyObject *from[P_VIEWS], *frame_size, *zstd_error;
    if (self->held) {
        PyErr_SetString(PyExc_TypeError, "a reader is made once");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOO", &from[TEXT], &from[BLOCKS], &from[PTR],
                          &from[BRIEF], &from[PARAGRAPH], &from[PART], &from[START],
                          &from[END], &from[PAGE], &from[CRC], &frame_size, &zstd_error))
        return -1;
    if (take_buffers(from, self->view, P_ITEM, P_VIEWS, &self->held) < 0)
        return -1;
    Py_ssize_t n = ITEMS(self->view[CRC]);
    for (int v = BRIEF; v <= PAGE; v++)
        if (ITEMS(self->view[v]) != n) {
            PyErr_SetString(PyExc_ValueError, "the passage fields differ in length");
            return -1;
        }
    if (ITEMS(self->view[PTR]) != n + 1 || ITEMS(self->view[BLOCKS]) != n + 1) {
        PyErr_SetString(PyExc_ValueError, "the passage arrays do not fit together");
        return -1;
    }
    Py_INCREF(frame_size);
    Py_INCREF(zstd_error);
    self->frame_size = frame_size;
    self->zstd_error = zstd_error;
    return 0;
}

/* Passage i's block decoded, `size` bytes (a new reference), or NULL with Damaged set. A
 * frame declaring no size or another (a build writes the passage's) is not decoded: its
 * header never decides what is allocated. */
static PyObject *decoded(PassageReader *self, Py_ssize_t i, Py_ssize_t size,
                         PyObject *inflate) {
    int64_t lo = I64(self->view[BLOCKS], i), hi = I64(self->view[BLOCKS], i + 1);
    if (size < 0 || lo < 0 || hi < lo || hi > self->view[TEXT].len)
        return PyErr_Format(Damaged, "text block %zd: it has the wrong length", i);
    PyObject *packed = PyMemoryView_FromMemory((char *)self->view[TEXT].buf + lo, hi - lo,
                                               PyBUF_READ);
    if (packed == NULL)
        return NULL;
    PyObject *raw = NULL, *declared = PyObject_CallOneArg(self->frame_size, packed);
    if (declared != NULL) {
        int over = 0;
        long long frame = PyLong_AsLongLongAndOverflow(declared, &over);
        Py_DECREF(declared);
        if (!PyErr_Occurred() && (over || frame != size))
            PyErr_Format(Damaged, "text block %zd: its frame declares another size", i);
        else if (!PyErr_Occurred())
            raw = PyObject_CallOneArg(inflate, packed);
    }
    Py_DECREF(packed);
    if (raw == NULL) {
        if (PyErr_ExceptionMatches(self->zstd_error)) {
            PyObject *type, *value, *trace;
            PyErr_Fetch(&type, &value, &trace);
            PyErr_Format(Damaged, "text block %zd: it does not decompress (%S)", i, value);
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(trace);
        }
        return NULL;
    }
    if (!PyBytes_Check(raw) || PyBytes_GET_SIZE(raw) != size) {
        Py_DECREF(raw);
        return PyErr_Format(Damaged, "text block %zd: it has the wrong length", i);
    }
    return raw;
}

/* A passage's fields, read with its text (index/mapped_check.py passage_crc's order). */
typedef struct {
    int32_t number, paragraph, part, page;
    int64_t start, end;
} Fields;

/* Passage `index`'s text (a new reference) and fields, checked against its checksum;
 * NULL with the error set. */
static PyObject *read_passage(PassageReader *self, PyObject *index, PyObject *inflate,
                              Fields *f) {
    Py_ssize_t i;
    if (index_of(index, &i) < 0)
        return NULL;
    if (self->frame_size == NULL) { /* made by __new__ alone, or its __init__ failed */
        PyErr_SetString(PyExc_TypeError, "the reader was not made");
        return NULL;
    }
    const Py_buffer *v = self->view;
    Py_ssize_t n = ITEMS(v[CRC]);
    if (i < 0 || i >= n) {
        PyErr_SetString(PyExc_IndexError, "passage index out of range");
        return NULL;
    }
    int64_t lo = I64(v[PTR], i), hi = I64(v[PTR], i + 1);
    PyObject *block = decoded(self, i, hi - lo, inflate);
    if (block == NULL)
        return NULL;
    const unsigned char *raw = (const unsigned char *)PyBytes_AS_STRING(block);
    f->number = I32(v[BRIEF], i);
    f->paragraph = I32(v[PARAGRAPH], i);
    f->part = I32(v[PART], i);
    f->page = I32(v[PAGE], i);
    f->start = I64(v[START], i);
    f->end = I64(v[END], i);
    unsigned char fields[32]; /* "<iiiqqi", as passage_crc packs them */
    put_le(fields, (uint32_t)f->number, 4);
    put_le(fields + 4, (uint32_t)f->paragraph, 4);
    put_le(fields + 8, (uint32_t)f->part, 4);
    put_le(fields + 12, (uint64_t)f->start, 8);
    put_le(fields + 20, (uint64_t)f->end, 8);
    put_le(fields + 28, (uint32_t)f->page, 4);
    if (crc32_update(crc32_update(0, fields, 32), raw, hi - lo) != U32(v[CRC], i)) {
        Py_DECREF(block);
        return PyErr_Format(Damaged, "passage %zd fails its checksum", i);
    }
    PyObject *text = PyUnicode_DecodeUTF8((const char *)raw, hi - lo, NULL);
    Py_DECREF(block);
    if (text == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            return NULL;
        PyErr_Clear();
        return PyErr_Format(Damaged, "passage %zd is not UTF-8", i);
    }
    return text;
}

enum { JSON, B_PTR, B_CRC, IDS, B_VIEWS };
static const Py_ssize_t B_ITEM[B_VIEWS] = {1, 8, 4, 0};

typedef struct {
    PyObject_HEAD
    Py_buffer view[B_VIEWS];
    int held, ready;
} BriefReader;

static void briefs_dealloc(BriefReader *self) {
    for (int v = 0; v < self->held; v++)
        PyBuffer_Release(&self->view[v]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int briefs_init(BriefReader *self, PyObject *args, PyObject *kwargs) {
    PyObject *from[B_VIEWS];
    if (self->held) {
        PyErr_SetString(PyExc_TypeError, "a reader is made once");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "OOOO", &from[JSON], &from[B_PTR], &from[B_CRC], &from[IDS]))
        return -1;
    if (take_buffers(from, self->view, B_ITEM, B_VIEWS, &self->held) < 0)
        return -1;
    Py_ssize_t n = ITEMS(self->view[B_CRC]);
    if (ITEMS(self->view[B_PTR]) != n + 1 || ITEMS(self->view[IDS]) != n) {
        PyErr_SetString(PyExc_ValueError, "the brief arrays do not fit together");
        return -1;
    }
    self->ready = 1;
    return 0;
}

/* Brief b's id (a new reference) and where its record lies (*row, *size), checked
 * against its checksum; NULL with the error set. */
static PyObject *brief_row(BriefReader *self, Py_ssize_t b, const unsigned char **row,
                           Py_ssize_t *size) {
    if (!self->ready) { /* made by __new__ alone, or its __init__ failed */
        PyErr_SetString(PyExc_TypeError, "the reader was not made");
        return NULL;
    }
    const Py_buffer *v = self->view;
    if (b < 0 || b >= ITEMS(v[B_CRC])) {
        PyErr_SetString(PyExc_IndexError, "brief index out of range");
        return NULL;
    }
    int64_t lo = I64(v[B_PTR], b), hi = I64(v[B_PTR], b + 1);
    if (lo < 0 || hi < lo || hi > v[JSON].len)
        return PyErr_Format(Damaged, "the record of brief %zd fails its checksum", b);
    Py_ssize_t width = v[IDS].itemsize;
    const unsigned char *id = (const unsigned char *)v[IDS].buf + b * width, nul = 0;
    *row = (const unsigned char *)v[JSON].buf + lo;
    *size = hi - lo;
    Py_ssize_t length = width;
    while (length > 0 && id[length - 1] == 0) /* numpy drops an "S" item's trailing NULs */
        length--;
    uint32_t crc = crc32_update(crc32_update(crc32_update(0, id, length), &nul, 1), *row,
                                *size); /* index/mapped_check.py brief_crc */
    if (crc != U32(v[B_CRC], b))
        return PyErr_Format(Damaged, "the record of brief %zd fails its checksum", b);
    PyObject *name = PyUnicode_DecodeUTF8((const char *)id, length, NULL);
    if (name == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            return NULL;
        PyErr_Clear();
        return PyErr_Format(Damaged, "the id of brief %zd is not UTF-8", b);
    }
    return name;
}

/* brief_row of the brief whose index is the one argument of a read (METH_O). */
static PyObject *brief_row_of(BriefReader *self, PyObject *arg, const unsigned char **row,
                              Py_ssize_t *size) {
    Py_ssize_t b;
    return index_of(arg, &b) < 0 ? NULL : brief_row(self, b, row, size);
}

static PyObject *briefs_read(BriefReader *self, PyObject *arg) {
    Py_ssize_t size;
    const unsigned char *record;
    PyObject *name = brief_row_of(self, arg, &record, &size);
    if (name == NULL)
        return NULL;
    PyObject *pair[2] = {name, PyBytes_FromStringAndSize((const char *)record, size)};
    return tuple_of(2, pair);
}

/* One field of a citation row at *at (index/mapped_arrays.py cite_row): a 0 byte for
 * null, or a 1 byte, a 4-byte little-endian length and that many bytes of UTF-8. A new
 * reference (Py_None for null), or NULL when the row holds no such field there (`nullable`
 * 0: a null is none either); a UTF-8 error is left set. */
static PyObject *row_field(const unsigned char *row, Py_ssize_t size, Py_ssize_t *at,
                           int nullable) {
    if (*at >= size)
        return NULL;
    unsigned char tag = row[(*at)++];
    if (tag == 0 && nullable)
        return Py_NewRef(Py_None);
    if (tag != 1 || size - *at < 4)
        return NULL;
    uint32_t length = (uint32_t)row[*at] | (uint32_t)row[*at + 1] << 8 |
                      (uint32_t)row[*at + 2] << 16 | (uint32_t)row[*at + 3] << 24;
    *at += 4;
    if ((Py_ssize_t)length > size - *at)
        return NULL;
    PyObject *text = PyUnicode_DecodeUTF8((const char *)row + *at, (Py_ssize_t)length, NULL);
    *at += (Py_ssize_t)length;
    return text;
}

/* The citation fields of brief `name`'s row, into cited[0..4) (new references: title, url,
 * publisher, paragraphs): 0, or -1 with Damaged set when the row is not one (or another
 * error). */
static int row_cited(PyObject *name, const unsigned char *row, Py_ssize_t size,
                     PyObject **cited) {
    Py_ssize_t at = 0;
    PyObject *fields[3] = {NULL, NULL, NULL};
    for (int k = 0; k < 3; k++) {
        fields[k] = row_field(row, size, &at, k > 0);
        if (fields[k] == NULL)
            break;
    }
    if (fields[2] != NULL && size - at == 8) {
        uint64_t paragraphs = 0;
        for (int k = 7; k >= 0; k--)
            paragraphs = paragraphs << 8 | row[at + k];
        PyObject *count = PyLong_FromLongLong((long long)paragraphs);
        if (count != NULL) {
            for (int k = 0; k < 3; k++)
                cited[k] = fields[k];
            cited[3] = count;
            return 0;
        }
    } else if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        PyErr_Clear();
        PyErr_Format(Damaged, "brief %R: its citation is not one", name);
    }
    for (int k = 0; k < 3; k++)
        Py_XDECREF(fields[k]);
    return -1;
}

/* Brief `number`'s id and its row's citation fields, checked: (id, title, url, publisher,
 * paragraphs); Damaged when the row fails its checksum or is not one. */
static PyObject *briefs_cited(BriefReader *self, PyObject *arg) {
    Py_ssize_t size;
    const unsigned char *row;
    PyObject *name = brief_row_of(self, arg, &row, &size);
    if (name == NULL)
        return NULL;
    PyObject *out[5] = {name, NULL, NULL, NULL, NULL};
    if (row_cited(name, row, size, out + 1) < 0) {
        Py_DECREF(name);
        return NULL;
    }
    return tuple_of(5, out);
}

static PyTypeObject BriefReaderType;

/* read_cited (the header above): the passage's id made as index/passages.py passage_id
 * makes it. */
static PyObject *passages_read_cited(PassageReader *self, PyObject *const *args,
                                     Py_ssize_t nargs) {
    Fields f;
    const char *usage = "read_cited takes a passage index, an inflate function and the "
                        "citation rows' reader";
    if (nargs != 3 || !PyObject_TypeCheck(args[2], &BriefReaderType)) {
        PyErr_SetString(PyExc_TypeError, usage);
        return NULL;
    }
    PyObject *text = read_passage(self, args[0], args[1], &f);
    if (text == NULL)
        return NULL;
    const unsigned char *row;
    Py_ssize_t size;
    PyObject *name = brief_row((BriefReader *)args[2], f.number, &row, &size);
    if (name == NULL) {
        Py_DECREF(text);
        return NULL;
    }
    PyObject *cited = NULL, *fields[4];
    if (row_cited(name, row, size, fields) == 0) {
        cited = tuple_of(4, fields);
    } else if (PyErr_ExceptionMatches(Damaged)) {
        PyErr_Clear(); /* no citation's row: refused when cited */
        cited = Py_NewRef(Py_None);
    }
    /* index/passages.py passage_id: brief:4, brief:4.2, brief:c4 (a caption, paragraph -4) */
    long long where = f.paragraph < 0 ? -(long long)f.paragraph : (long long)f.paragraph;
    const char *caption = f.paragraph < 0 ? "c" : "";
    PyObject *id = f.part ? PyUnicode_FromFormat("%U:%s%lld.%d", name, caption, where, f.part)
                          : PyUnicode_FromFormat("%U:%s%lld", name, caption, where);
    PyObject *read[9] = {id,
                         name,
                         PyLong_FromLong(f.paragraph),
                         PyLong_FromLong(f.part),
                         PyLong_FromLongLong(f.start),
                         PyLong_FromLongLong(f.end),
                         text,
                         PyLong_FromLong(f.page),
                         cited};
    return tuple_of(9, read);
}

/* touch(ids, cites): read one byte of every place that reading passages `ids` and their
 * briefs' citation rows will read, before any is read. A random passage is a dozen cold
 * places in the file (its fields in seven arrays and two pointers, its frame, its brief's
 * pointers and row), each a miss of the caches and often of the page tables, waited on
 * one after another by the reads; touched together, ten passages' misses overlap. With
 * __builtin_prefetch, which the CPU may drop (and does at a page-table miss), the reads
 * took the same time: 10 random passages after a search, 4.72 and 6.82 us a passage
 * against 4.74 and 6.80; touched with loads, 4.85 -> 3.71 and 6.11 -> 4.99 us.
 * Touching reads nothing it does not check against its array's size first; ids out of
 * range, or not ints, are passed over; the caller has checked the file's guard, as for a
 * read. */
#define LINE 64
#define FRAME_LINES 16 /* of a frame: a passage's is a few hundred bytes */
#define TOUCHED 64     /* passages touched at a call (a search reads ten) */

static volatile unsigned char touched; /* where the bytes touched go, so they are read */

static unsigned char touch(const Py_buffer *v, Py_ssize_t i) {
    return i >= 0 && i < ITEMS(*v) ? ((const unsigned char *)v->buf)[i * v->itemsize] : 0;
}

static PyObject *passages_touch(PassageReader *self, PyObject *const *args,
                                Py_ssize_t nargs) {
    const char *usage = "touch takes a sequence of passage indexes and the citation "
                        "rows' reader";
    if (nargs != 2 || !PyObject_TypeCheck(args[1], &BriefReaderType)) {
        PyErr_SetString(PyExc_TypeError, usage);
        return NULL;
    }
    PyObject *ids = PySequence_Fast(args[0], usage);
    if (ids == NULL)
        return NULL;
    if (self->frame_size == NULL) { /* not made: nothing to touch */
        Py_DECREF(ids);
        Py_RETURN_NONE;
    }
    const Py_buffer *v = self->view, *b = ((BriefReader *)args[1])->view;
    int briefs = ((BriefReader *)args[1])->ready;
    Py_ssize_t at[TOUCHED], count = 0, n = ITEMS(v[CRC]);
    unsigned char seen = 0;
    for (Py_ssize_t q = 0; q < PySequence_Fast_GET_SIZE(ids) && count < TOUCHED; q++) {
        PyObject *item = PySequence_Fast_GET_ITEM(ids, q);
        Py_ssize_t i = PyLong_CheckExact(item) ? PyLong_AsSsize_t(item) : -1;
        if (i == -1 && PyErr_Occurred())
            PyErr_Clear();
        if (0 <= i && i < n)
            at[count++] = i;
    }
    Py_DECREF(ids);
    for (Py_ssize_t q = 0; q < count; q++) /* the fields: seven arrays and two pointers */
        for (int w = BLOCKS; w < P_VIEWS; w++)
            seen ^= touch(&v[w], at[q]);
    for (Py_ssize_t q = 0; q < count; q++) { /* then the frames and the briefs' pointers */
        Py_ssize_t i = at[q];
        int64_t lo = I64(v[BLOCKS], i), hi = I64(v[BLOCKS], i + 1);
        if (0 <= lo && lo <= hi && hi <= v[TEXT].len) /* else damage, refused by the read */
            for (int64_t o = lo; o < hi && o < lo + FRAME_LINES * LINE; o += LINE)
                seen ^= touch(&v[TEXT], o);
        int32_t brief = I32(v[BRIEF], i);
        if (!briefs)
            continue;
        seen ^= touch(&b[B_PTR], brief);
        seen ^= touch(&b[B_CRC], brief);
        seen ^= touch(&b[IDS], brief);
    }
    for (Py_ssize_t q = 0; q < count && briefs; q++) { /* then the briefs' rows */
        int32_t brief = I32(v[BRIEF], at[q]);
        if (0 <= brief && brief < ITEMS(b[B_PTR]))
            seen ^= touch(&b[JSON], I64(b[B_PTR], brief));
    }
    touched = seen;
    Py_RETURN_NONE;
}

static PyMethodDef passages_methods[] = {
    {"read_cited", (PyCFunction)(void (*)(void))passages_read_cited, METH_FASTCALL,
     "Passage i as a Passage's fields, with its brief's citation fields."},
    {"touch", (PyCFunction)(void (*)(void))passages_touch, METH_FASTCALL,
     "Touch what reading these passages will read, so their misses overlap."},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef briefs_methods[] = {
    {"read", (PyCFunction)briefs_read, METH_O,
     "The id and JSON record of brief `number`, checked against its checksum."},
    {"cited", (PyCFunction)briefs_cited, METH_O,
     "Brief `number`'s id and its row's citation fields, checked."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject PassageReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "index._reads.PassageReader",
    .tp_basicsize = sizeof(PassageReader),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A mapped file's passages, each read checked.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)passages_init,
    .tp_dealloc = (destructor)passages_dealloc,
    .tp_methods = passages_methods,
};

static PyTypeObject BriefReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "index._reads.BriefReader",
    .tp_basicsize = sizeof(BriefReader),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A mapped file's brief records, each read checked.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)briefs_init,
    .tp_dealloc = (destructor)briefs_dealloc,
    .tp_methods = briefs_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_reads", "A mapped file's passages and briefs read, compiled.",
    -1, NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__reads(void) {
    crc_init();
    if (PyType_Ready(&PassageReaderType) < 0 || PyType_Ready(&BriefReaderType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Damaged = PyErr_NewException("index._reads.Damaged", PyExc_ValueError, NULL);
    if (Damaged == NULL ||
        PyModule_AddObjectRef(m, "Damaged", Damaged) < 0 ||
        PyModule_AddObjectRef(m, "PassageReader", (PyObject *)&PassageReaderType) < 0 ||
        PyModule_AddObjectRef(m, "BriefReader", (PyObject *)&BriefReaderType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
