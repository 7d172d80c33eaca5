/* A key among a mapped file's sorted keys, compiled: a term's id, a brief's position.
 *
 * Keys(keys).find(key) -> int | None
 *   keys  a one-dimensional numpy "S" array (fixed-width byte strings, NUL-padded), sorted
 *   key   bytes
 *   The position of `key` in `keys`, or None: index/sorted_keys.py sorted_finder (numpy's
 *   searchsorted, then its equality, where this was not compiled). The array's buffer is
 *   taken once and held while the Keys lives: a brief's position is asked at each
 *   citation, and asking numpy for the buffer at each find was most of it (0.04 us a
 *   find against 0.27; numpy's own search took 6).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* How item (`width` bytes, NUL-padded) compares with key (`len` bytes, len <= width)
 * padded with NULs to `width`: numpy's order of "S" items, bytes unsigned. */
static int compare(const unsigned char *item, Py_ssize_t width, const unsigned char *key,
                   Py_ssize_t len)
{
    int c = memcmp(item, key, (size_t)len);
    if (c != 0) return c;
    for (Py_ssize_t j = len; j < width; j++)
        if (item[j] != 0) return 1;
    return 0;
}

/* The buffer of `keys`, checked to be one row of byte strings (TypeError otherwise). */
static int keys_view(PyObject *keys, Py_buffer *view)
{
    if (PyObject_GetBuffer(keys, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    const char *format = view->format ? view->format : "B";
    if (view->ndim != 1 || format[strlen(format) - 1] != 's') {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_TypeError, "keys must be a one-dimensional array of byte strings");
        return -1;
    }
    return 0;
}

/* The position of key (`len` bytes) among the items of `view`, or None. */
static PyObject *search(const Py_buffer *view, const unsigned char *key, Py_ssize_t len)
{
    Py_ssize_t width = view->itemsize, size = width > 0 ? view->len / width : 0;
    /* numpy's equality strips an item's trailing NULs: a key ending in one equals none. */
    if (len == 0 || size == 0 || len > width || key[len - 1] == 0) Py_RETURN_NONE;
    const unsigned char *items = view->buf;
    Py_ssize_t lo = 0, hi = size; /* the first item not below key is in [lo, hi] */
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (compare(items + mid * width, width, key, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < size && compare(items + lo * width, width, key, len) == 0)
        return PyLong_FromSsize_t(lo);
    Py_RETURN_NONE;
}

typedef struct {
    PyObject_HEAD
    Py_buffer view; /* the keys' buffer, held from __init__ to the end */
} Keys;

static int keys_init(Keys *self, PyObject *args, PyObject *kwargs)
{
    PyObject *keys;
    if (kwargs && PyDict_GET_SIZE(kwargs)) {
        PyErr_SetString(PyExc_TypeError, "Keys takes no keyword arguments");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "O", &keys)) return -1;
    if (self->view.obj) PyBuffer_Release(&self->view);
    return keys_view(keys, &self->view);
}

static void keys_dealloc(Keys *self)
{
    if (self->view.obj) PyBuffer_Release(&self->view);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *keys_find(Keys *self, PyObject *key)
{
    if (!self->view.obj) {
        PyErr_SetString(PyExc_ValueError, "Keys was not given its keys");
        return NULL;
    }
    if (!PyBytes_Check(key)) {
        PyErr_SetString(PyExc_TypeError, "a key is bytes");
        return NULL;
    }
    return search(&self->view, (const unsigned char *)PyBytes_AS_STRING(key),
                  PyBytes_GET_SIZE(key));
}

static PyMethodDef keys_methods[] = {
    {"find", (PyCFunction)keys_find, METH_O, "The position of a key, or None."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject KeysType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "index._lookups.Keys",
    .tp_basicsize = sizeof(Keys),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Sorted fixed-width keys, their buffer held: find(key) searches them.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)keys_init,
    .tp_dealloc = (destructor)keys_dealloc,
    .tp_methods = keys_methods,
};

static PyMethodDef methods[] = {
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_lookups", "A key among sorted fixed-width keys, compiled.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__lookups(void)
{
    if (PyType_Ready(&KeysType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "Keys", (PyObject *)&KeysType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
