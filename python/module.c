/*
 * module.c -- caveat._caveat, the Python module's C half: an engine over
 * libcaveat, one use checked (JSON in, the interchange result out), and
 * datasets read with the library's reader (cv_reader_*) row by row, as the
 * CSV's cells or as result JSON.  The GIL is released while the library
 * loads, reads and evaluates; every call or iterator has its own use and
 * result, so one engine serves any number of threads (docs/library.md).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "caveat.h"

static PyObject *caveat_error; /* caveat.CaveatError, set by __init__.py */

/* Raises CaveatError(message) with file, line, column, field and code. */
static PyObject *raise_error(const cv_error_t *err, int code) {
  const char *msg = err->message[0] ? err->message : cv_strerror(code);
  PyObject *exc = PyObject_CallFunction(caveat_error ? caveat_error : PyExc_ValueError, "s", msg);
  if (!exc) return NULL;
  PyObject *file = err->file[0] ? PyUnicode_FromString(err->file) : Py_NewRef(Py_None);
  PyObject *field = err->field[0] ? PyUnicode_FromString(err->field) : Py_NewRef(Py_None);
  PyObject *line = PyLong_FromLong(err->line), *column = PyLong_FromLong(err->column);
  PyObject *ccode = PyUnicode_FromString(cv_strerror(code));
  if (file && field && line && column && ccode) {
    PyObject_SetAttrString(exc, "file", file);
    PyObject_SetAttrString(exc, "line", line);
    PyObject_SetAttrString(exc, "column", column);
    PyObject_SetAttrString(exc, "field", field);
    PyObject_SetAttrString(exc, "code", ccode);
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
  }
  Py_XDECREF(file);
  Py_XDECREF(field);
  Py_XDECREF(line);
  Py_XDECREF(column);
  Py_XDECREF(ccode);
  Py_DECREF(exc);
  return NULL;
}

static PyObject *raise_code(int code, const char *what) {
  if (code == CV_NOMEM) return PyErr_NoMemory();
  cv_error_t err = {0};
  snprintf(err.message, sizeof err.message, "%s: %s", what, cv_strerror(code));
  return raise_error(&err, code);
}

/* ------------------------------------------------------------------ Engine */

typedef struct {
  PyObject_HEAD cv_engine_t *engine;
  cv_buf_t produced_by; /* written once, when loaded: it hashes the policies */
} engine_object;

static void engine_dealloc(engine_object *self) {
  cv_engine_free(self->engine);
  cv_buf_free(&self->produced_by);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Engine(data, policies, dcw=None, cache=None, geo=True, land=None,
 *        cities=None, admin1=None, donors=None): loads in that order. */
static int engine_init(engine_object *self, PyObject *args, PyObject *kw) {
  static char *names[] = {"data", "policies", "dcw",    "cache",  "geo",
                          "land", "cities",   "admin1", "donors", NULL};
  const char *data, *dcw = NULL, *cache = NULL, *land = NULL, *cities = NULL, *admin1 = NULL,
                    *donors = NULL;
  PyObject *policies;
  int geo = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|zzpzzzz", names, &data, &policies, &dcw, &cache,
                                   &geo, &land, &cities, &admin1, &donors))
    return -1;
  PyObject *seq = PySequence_Fast(policies, "policies must be a sequence of paths");
  if (!seq) return -1;
  cv_engine_free(self->engine);
  self->engine = cv_engine_new();
  if (!self->engine) {
    Py_DECREF(seq);
    PyErr_NoMemory();
    return -1;
  }
  cv_error_t err = {0};
  int rc;
  Py_BEGIN_ALLOW_THREADS;
  rc = cv_engine_load_data(self->engine, data, &err);
  if (!rc && cities) rc = cv_engine_load_cities_cached(self->engine, cities, admin1, cache, &err);
  if (!rc && geo)
    rc = land ? cv_engine_load_borders(self->engine, land, dcw, cache, &err)
              : cv_engine_load_geo(self->engine, dcw, cache, &err);
  Py_END_ALLOW_THREADS;
  for (Py_ssize_t i = 0; !rc && i < PySequence_Fast_GET_SIZE(seq); i++) {
    const char *path = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));
    if (!path) {
      Py_DECREF(seq);
      return -1;
    }
    Py_BEGIN_ALLOW_THREADS;
    rc = cv_engine_load_policy(self->engine, path, &err);
    Py_END_ALLOW_THREADS;
  }
  Py_DECREF(seq);
  if (!rc && donors) rc = cv_engine_keep_donors(self->engine, donors, &err);
  self->produced_by.len = 0;
  if (!rc) rc = cv_engine_write_produced_by(self->engine, &self->produced_by);
  if (rc == CV_NOMEM) {
    PyErr_NoMemory();
    return -1;
  }
  if (rc) {
    raise_error(&err, rc);
    return -1;
  }
  return 0;
}

static int parse_day(const char *text, cv_date_t *day) {
  cv_error_t err = {0};
  *day = 0;
  if (!text) return 0;
  int rc = cv_date_read(text, strlen(text), day, &err);
  if (rc) raise_error(&err, rc);
  return rc;
}

/* check_json(text, as_of=None, if_theirs=False) -> str: the result object. */
static PyObject *engine_check_json(engine_object *self, PyObject *args, PyObject *kw) {
  static char *names[] = {"text", "as_of", "if_theirs", NULL};
  const char *text, *as_of_text = NULL;
  Py_ssize_t len;
  int if_theirs = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "s#|zp", names, &text, &len, &as_of_text, &if_theirs))
    return NULL;
  cv_date_t as_of;
  if (parse_day(as_of_text, &as_of)) return NULL;
  cv_use_t *use = cv_use_new();
  cv_result_t *result = cv_result_new();
  cv_buf_t out = {0};
  cv_error_t err = {0};
  int rc = use && result ? CV_OK : CV_NOMEM;
  Py_BEGIN_ALLOW_THREADS;
  if (!rc && if_theirs) rc = cv_result_if_theirs(result, 1);
  if (!rc) rc = cv_use_parse_json(self->engine, use, text, (size_t)len, &err);
  if (!rc) rc = cv_evaluate(self->engine, use, as_of, result, &err);
  if (!rc) rc = cv_result_write_json(self->engine, use, result, &out);
  /* As 'caveat check --json': what produced the verdict. */
  if (!rc)
    rc = cv_buf_json_add_member(&out, "produced_by", self->produced_by.data, self->produced_by.len);
  Py_END_ALLOW_THREADS;
  PyObject *ret = NULL;
  if (rc == CV_NOMEM)
    PyErr_NoMemory();
  else if (rc)
    raise_error(&err, rc);
  else
    ret = PyUnicode_FromStringAndSize(out.data ? out.data : "", (Py_ssize_t)out.len);
  cv_buf_free(&out);
  cv_use_free(use);
  cv_result_free(result);
  return ret;
}

static PyObject *engine_donors(engine_object *self, PyObject *unused) {
  size_t n = cv_engine_policy_count(self->engine);
  PyObject *list = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; list && i < n; i++)
    PyList_SET_ITEM(list, (Py_ssize_t)i,
                    PyUnicode_FromString(cv_engine_policy_donor(self->engine, i)));
  return list;
}

/* The latest day a loaded policy's record runs to, "YYYY-MM-DD" or None. */
static PyObject *engine_as_of(engine_object *self, PyObject *unused) {
  cv_date_t as_of = cv_engine_as_of(self->engine);
  if (!as_of) Py_RETURN_NONE;
  char day[11];
  cv_date_format(as_of, day);
  return PyUnicode_FromString(day);
}

/* The "produced_by" object of this engine's results, as JSON text. */
static PyObject *engine_produced_by(engine_object *self, PyObject *unused) {
  if (!self->produced_by.data) return PyUnicode_FromString("{}"); /* not loaded */
  return PyUnicode_FromStringAndSize(self->produced_by.data, (Py_ssize_t)self->produced_by.len);
}

static PyObject *engine_columns(engine_object *self, PyObject *args) {
  int if_theirs = 0;
  if (!PyArg_ParseTuple(args, "|p", &if_theirs)) return NULL;
  cv_table_t *table = cv_table_new(self->engine, 0, if_theirs);
  if (!table) return PyErr_NoMemory();
  size_t width = cv_table_width(table);
  PyObject *t = PyTuple_New((Py_ssize_t)width);
  for (size_t i = 0; t && i < width; i++)
    PyTuple_SET_ITEM(t, (Py_ssize_t)i, PyUnicode_FromString(cv_table_column(table, i)));
  cv_table_free(table);
  return t;
}

static PyObject *engine_rows(engine_object *self, PyObject *args, PyObject *kw);

static PyMethodDef engine_methods[] = {
    {"check_json", (PyCFunction)(void (*)(void))engine_check_json, METH_VARARGS | METH_KEYWORDS,
     "check_json(text, as_of=None, if_theirs=False) -> str: one use (JSON) evaluated; the result "
     "object (docs/interchange.md)."},
    {"rows", (PyCFunction)(void (*)(void))engine_rows, METH_VARARGS | METH_KEYWORDS,
     "rows(source, kind='cells', format='auto', as_of=None, if_theirs=False) -> iterator: a "
     "dataset (a path, or an object with read(n)) read by the library, one item per row: a tuple "
     "of the CSV's cells, or (row, ok, json)."},
    {"donors", (PyCFunction)engine_donors, METH_NOARGS, "the loaded policies' donors, in order"},
    {"as_of", (PyCFunction)engine_as_of, METH_NOARGS,
     "the latest day a loaded policy's record runs to"},
    {"produced_by", (PyCFunction)engine_produced_by, METH_NOARGS,
     "what produced the answers (JSON): libcaveat's version, the as-of date, the digests"},
    {"columns", (PyCFunction)engine_columns, METH_VARARGS,
     "columns(if_theirs=False) -> tuple: the CSV's column names"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject engine_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "caveat._caveat.Engine",
    .tp_basicsize = sizeof(engine_object),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "A loaded libcaveat engine (read-only once loaded; share it between threads).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)engine_init,
    .tp_dealloc = (destructor)engine_dealloc,
    .tp_methods = engine_methods,
};

/* -------------------------------------------------------------------- Rows */

enum { KIND_CELLS, KIND_JSON };

typedef struct {
  PyObject_HEAD engine_object *engine;
  PyObject *source;     /* an object with read(n), or NULL for fd */
  PyObject *read_error; /* what read() raised, to raise again */
  int fd;
  cv_reader_t *reader;
  cv_use_t *use;
  cv_result_t *result;
  cv_table_t *table; /* the row as the CSV's cells */
  cv_buf_t json;
  cv_date_t as_of;
  int kind, if_theirs, busy, done;
} rows_object;

/* The reader's input: a file descriptor, or a Python object's read(n)
 * (called with the GIL taken back: the row loop runs without it). */
static long read_source(void *ctx, char *buf, size_t cap) {
  rows_object *self = ctx;
  if (!self->source) {
    for (;;) {
      ssize_t n = read(self->fd, buf, cap);
      if (n >= 0) return (long)n;
      if (errno != EINTR) return -1;
    }
  }
  PyGILState_STATE gil = PyGILState_Ensure();
  long got = -1;
  PyObject *chunk = PyObject_CallMethod(self->source, "read", "n", (Py_ssize_t)cap);
  const char *data = NULL;
  Py_ssize_t len = 0;
  if (chunk && PyBytes_Check(chunk)) {
    data = PyBytes_AS_STRING(chunk);
    len = PyBytes_GET_SIZE(chunk);
  } else if (chunk && PyUnicode_Check(chunk)) {
    data = PyUnicode_AsUTF8AndSize(chunk, &len);
  } else if (chunk) {
    PyErr_SetString(PyExc_TypeError, "read() must return bytes or str");
  }
  if (data && (size_t)len <= cap) {
    memcpy(buf, data, (size_t)len);
    got = (long)len;
  } else if (data) {
    PyErr_SetString(PyExc_ValueError, "read(n) returned more than n bytes");
  }
  if (got < 0 && PyErr_Occurred() && !self->read_error) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    self->read_error = value;
    Py_XDECREF(type);
    Py_XDECREF(tb);
  }
  PyErr_Clear();
  Py_XDECREF(chunk);
  PyGILState_Release(gil);
  return got;
}

static void rows_dealloc(rows_object *self) {
  cv_reader_free(self->reader);
  cv_use_free(self->use);
  cv_result_free(self->result);
  cv_table_free(self->table);
  cv_buf_free(&self->json);
  if (!self->source && self->fd >= 0) close(self->fd);
  Py_XDECREF(self->source);
  Py_XDECREF(self->read_error);
  Py_XDECREF(self->engine);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *cells_tuple(const cv_table_t *table) {
  size_t width = cv_table_width(table);
  PyObject *t = PyTuple_New((Py_ssize_t)width);
  for (size_t i = 0; t && i < width; i++) {
    size_t len;
    const char *cell = cv_table_cell(table, i, &len);
    PyObject *s = PyUnicode_DecodeUTF8(cell, (Py_ssize_t)len, "replace");
    if (!s) {
      Py_DECREF(t);
      return NULL;
    }
    PyTuple_SET_ITEM(t, (Py_ssize_t)i, s);
  }
  return t;
}

static PyObject *rows_next(rows_object *self) {
  if (self->done) return NULL;
  if (self->busy) {
    PyErr_SetString(PyExc_RuntimeError, "a caveat row iterator is not shared between threads");
    return NULL;
  }
  self->busy = 1;
  cv_error_t err = {0};
  int rc, out_rc = CV_OK, evaluated = 0;
  long row;
  Py_BEGIN_ALLOW_THREADS;
  rc = cv_reader_next(self->reader, self->use, &err);
  row = cv_reader_row(self->reader);
  if (rc != CV_EOF && rc != CV_IO && row != 0) {
    if (rc == CV_OK)
      rc = cv_evaluate(self->engine->engine, self->use, self->as_of, self->result, &err);
    evaluated = rc == CV_OK;
    const char *id = cv_reader_row_id(self->reader);
    self->json.len = 0;
    if (self->kind == KIND_CELLS)
      out_rc = evaluated ? cv_table_fill(self->table, self->use, self->result)
                         : cv_table_fill_error(self->table, row, id, &err);
    else
      out_rc = evaluated ? cv_result_write_json(self->engine->engine, self->use, self->result,
                                                &self->json)
                         : cv_error_write_json(id, &err, &self->json);
  }
  Py_END_ALLOW_THREADS;
  self->busy = 0;
  if (rc == CV_EOF) {
    self->done = 1;
    return NULL;
  }
  if (rc == CV_IO || row == 0) {
    self->done = 1;
    if (self->read_error) {
      PyErr_SetObject((PyObject *)Py_TYPE(self->read_error), self->read_error);
      return NULL;
    }
    return raise_error(&err, rc);
  }
  if (out_rc) return raise_code(out_rc, "writing a row");
  if (self->kind == KIND_CELLS) return cells_tuple(self->table);
  return Py_BuildValue("(lOs#)", row, evaluated ? Py_True : Py_False,
                       self->json.data ? self->json.data : "", (Py_ssize_t)self->json.len);
}

static PyObject *rows_format(rows_object *self, PyObject *unused) {
  return PyUnicode_FromString(cv_format_name(cv_reader_format(self->reader)));
}

static PyMethodDef rows_methods[] = {
    {"format", (PyCFunction)rows_format, METH_NOARGS,
     "the input's format once detected: 'jsonl', 'csv' or 'acled' ('auto' before the first row)"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject rows_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "caveat._caveat.Rows",
    .tp_basicsize = sizeof(rows_object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The rows of a dataset, read and evaluated one at a time.",
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)rows_next,
    .tp_dealloc = (destructor)rows_dealloc,
    .tp_methods = rows_methods,
};

static PyObject *engine_rows(engine_object *self, PyObject *args, PyObject *kw) {
  static char *names[] = {"source", "kind", "format", "as_of", "if_theirs", NULL};
  PyObject *source;
  const char *kind = "cells", *format = "auto", *as_of_text = NULL;
  int if_theirs = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|sszp", names, &source, &kind, &format, &as_of_text,
                                   &if_theirs))
    return NULL;
  cv_format_t fmt;
  if (cv_format_from_name(format, &fmt)) {
    PyErr_Format(PyExc_ValueError, "unknown format '%s'", format);
    return NULL;
  }
  if (strcmp(kind, "cells") != 0 && strcmp(kind, "json") != 0) {
    PyErr_Format(PyExc_ValueError, "kind must be 'cells' or 'json', not '%s'", kind);
    return NULL;
  }
  rows_object *r = PyObject_New(rows_object, &rows_type);
  if (!r) return NULL;
  memset((char *)r + sizeof(PyObject), 0, sizeof *r - sizeof(PyObject));
  r->fd = -1;
  r->engine = (engine_object *)Py_NewRef(self);
  r->kind = strcmp(kind, "cells") == 0 ? KIND_CELLS : KIND_JSON;
  r->if_theirs = if_theirs;
  if (parse_day(as_of_text, &r->as_of)) goto fail;
  if (PyUnicode_Check(source) || PyBytes_Check(source)) {
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(source, &path)) goto fail;
    r->fd = open(PyBytes_AS_STRING(path), O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
      PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, source);
      Py_DECREF(path);
      goto fail;
    }
    Py_DECREF(path);
  } else {
    r->source = Py_NewRef(source);
  }
  r->use = cv_use_new();
  r->result = cv_result_new();
  r->reader = cv_reader_new(self->engine, fmt, read_source, r);
  r->table = cv_table_new(self->engine, r->as_of, if_theirs);
  if (!r->use || !r->result || !r->reader || !r->table ||
      (if_theirs && cv_result_if_theirs(r->result, 1))) {
    PyErr_NoMemory();
    goto fail;
  }
  return (PyObject *)r;
fail:
  Py_DECREF(r);
  return NULL;
}

/* ------------------------------------------------------------------ module */

static PyObject *set_error_class(PyObject *mod, PyObject *cls) {
  Py_XSETREF(caveat_error, Py_NewRef(cls));
  Py_RETURN_NONE;
}

static PyObject *version(PyObject *mod, PyObject *unused) {
  return PyUnicode_FromString(cv_version());
}

static PyMethodDef module_methods[] = {
    {"_set_error_class", set_error_class, METH_O, "the class errors are raised as"},
    {"version", version, METH_NOARGS, "libcaveat's version"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_caveat",
    .m_doc = "libcaveat for Python (caveat/__init__.py wraps it).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__caveat(void) {
  if (PyType_Ready(&engine_type) < 0 || PyType_Ready(&rows_type) < 0) return NULL;
  PyObject *m = PyModule_Create(&module);
  if (!m) return NULL;
  if (PyModule_AddObjectRef(m, "Engine", (PyObject *)&engine_type) < 0 ||
      PyModule_AddStringConstant(m, "CV_VERSION", CV_VERSION) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
