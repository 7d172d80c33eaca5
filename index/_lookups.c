/* A key among a mapped file's sorted keys, compiled: a term's id, a brief's position.
 *
 * find(keys, key) -> int | None
 *   keys  a one-dimensional numpy "S" array (fixed-width byte strings, NUL-padded), sorted
 *   key   bytes
 *   The position of `key` in `keys`, or None: index/sorted_keys.py find_sorted (numpy's
 *   searchsorted, then its equality). A term a question asks the library for the first
 *   time costs one: 6 us through numpy, most of it the calls around the search.
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

static PyObject *find(PyObject *self, PyObject *args)
{
    PyObject *keys;
    const unsigned char *key;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "Oy#", &keys, &key, &len)) return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(keys, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return NULL;
    Py_ssize_t width = view.itemsize, size = width > 0 ? view.len / width : 0;
    const char *format = view.format ? view.format : "B";
    if (view.ndim != 1 || format[strlen(format) - 1] != 's') {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_TypeError, "keys must be a one-dimensional array of byte strings");
        return NULL;
    }
    /* numpy's equality strips an item's trailing NULs: a key ending in one equals none. */
    if (len == 0 || size == 0 || len > width || key[len - 1] == 0) {
        PyBuffer_Release(&view);
        Py_RETURN_NONE;
    }
    const unsigned char *items = view.buf;
    Py_ssize_t lo = 0, hi = size; /* the first item not below key is in [lo, hi] */
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (compare(items + mid * width, width, key, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int found = lo < size && compare(items + lo * width, width, key, len) == 0;
    PyBuffer_Release(&view);
    if (!found) Py_RETURN_NONE;
    return PyLong_FromSsize_t(lo);
}

static PyMethodDef methods[] = {
    {"find", find, METH_VARARGS, "The position of a key among sorted fixed-width keys, or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_lookups", "A key among sorted fixed-width keys, compiled.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__lookups(void) { return PyModule_Create(&module); }
