/* round(x, digits) for the scores and coverages a search shows, without writing x out as
 * decimal text (index/rounding.py).
 *
 * Why C: CPython rounds a float to decimal places by printing it with correct rounding
 * (its dtoa), then reading the digits back (snprintf and strtod): about 2,600 instructions
 * a call under callgrind, and a whole search at 10^5 rounds twenty of them, 2.2% of its
 * instructions.
 *
 * rounded(x, digits) is round(x, digits), bit for bit. For a float x and 0 <= digits <= 8:
 * y = x * 10^digits is the exact product rounded once (error at most |y| * 2^-53); while
 * |y| < 2^31 that error is below 2.4e-7, so when y's fraction is more than 1e-6 from one
 * half, the integer nearest y is the one nearest the exact product, the integer the
 * correctly rounded decimal holds. That integer over 10^digits (both exact in a double) is
 * then divided with IEEE's correct rounding: the double nearest the decimal, as strtod
 * reads it. Anything else (near a tie, large, not finite, another type or digits) is
 * Python's own round.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static PyObject *builtin_round;

static const double POWERS[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

static PyObject *rounded(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs == 2 && PyFloat_CheckExact(args[0]) && PyLong_CheckExact(args[1])) {
        double x = PyFloat_AS_DOUBLE(args[0]);
        int over = 0;
        long digits = PyLong_AsLongAndOverflow(args[1], &over);
        if (!over && digits >= 0 && digits <= 8 && isfinite(x)) {
            double y = x * POWERS[digits];
            if (fabs(y) < 2147483648.0 && fabs(fabs(y - trunc(y)) - 0.5) > 1e-6)
                return PyFloat_FromDouble(nearbyint(y) / POWERS[digits]);
        }
    }
    return PyObject_Vectorcall(builtin_round, args, (size_t)nargs, NULL);
}

static PyMethodDef methods[] = {
    {"rounded", (PyCFunction)(void (*)(void))rounded, METH_FASTCALL,
     "round(x, digits), bit for bit, without printing x as decimal text."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "index._rounding",
    "round(x, digits) without printing x (index/rounding.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__rounding(void)
{
    PyObject *builtins = PyImport_ImportModule("builtins");
    if (builtins == NULL)
        return NULL;
    builtin_round = PyObject_GetAttrString(builtins, "round");
    Py_DECREF(builtins);
    if (builtin_round == NULL)
        return NULL;
    return PyModule_Create(&module);
}
