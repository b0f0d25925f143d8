/*
 * site.c -- 'caveat site DIR FILE': the web page as a static copy that any
 * plain web server can serve, with no caveat process behind it.  DIR gets
 * the page's files (the same the server answers, from server/serve.h's
 * list), the catalogs, the borders as GeoJSON, the dataset itself (the
 * page reads each use's own row from it, as it does in the browser) and
 * site.json: the policies' rules and, per row, its full result on its own
 * day and the history of its verdict under each policy that covers it
 * (cv_timeline), so that the day slider can judge every use by any day.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../server/serve.h"
#include "commands.h"
#include "load.h"

enum { MAX_PERIODS = 256, FILE_LIMIT = 1 << 30 };

static const char usage[] =
    "usage: caveat site DIR FILE\n"
    "\n"
    "Writes the web page of 'caveat serve' as static files to DIR (created\n"
    "if needed): index.html, embed.html, app.js, app.css, vendor/, the\n"
    "catalogs under data/, outlines.json (the borders), FILE's rows as\n"
    "dataset.csv or dataset.jsonl, and site.json: the policies' rules and,\n"
    "for every row, its result on its own day with the history of its\n"
    "verdict under each policy that covers it.  Serve DIR with any web\n"
    "server (python3 -m http.server -d DIR): the map, the table, the panel\n"
    "and the day slider work without caveat; what-if assumptions need\n"
    "'caveat serve'.  FILE is a dataset as 'caveat assess' reads it (JSON\n"
    "Lines, CSV of uses, an ACLED export).  Meant for datasets of up to some\n"
    "thousands of rows: each row's full result goes into site.json.\n"
    "\n"
    "exit status: 0 written, 1 some rows could not be read (written as\n"
    "errors), 2 usage, or a file that cannot be read or written.\n";

/* mkdir -p of the directories above path (path itself is a file). */
static int make_parents(const char *path) {
  char dir[4096];
  if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) return -1;
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return 0;
}

static int write_file(const char *dir, const char *name, const char *data, size_t len) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return -1;
  if (make_parents(path)) {
    fprintf(stderr, "caveat: site: cannot make the folders of %s: %s\n", path, strerror(errno));
    return -1;
  }
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "caveat: site: cannot write %s: %s\n", path, strerror(errno));
    if (f) fclose(f);
    return -1;
  }
  return 0;
}

/* A file made of a start, an insertion and the rest. */
static int write_parts(const char *dir, const char *name, const char *a, size_t a_len,
                       const char *insert, const char *b, size_t b_len) {
  cv_buf_t buf = {0};
  int rc = cv_buf_append(&buf, a, a_len) || cv_buf_append(&buf, insert, strlen(insert)) ||
                   cv_buf_append(&buf, b, b_len)
               ? -1
               : write_file(dir, name, buf.data, buf.len);
  cv_buf_free(&buf);
  return rc;
}

/* The page's files, named as their paths on the server: "/" is index.html,
 * "/embed" embed.html, the rest keep their paths. */
static int copy_page(const char *dir) {
  const char *url, *file;
  for (size_t i = 0; (file = caveat_page_file(i, &url)); i++) {
    char from[4096], name[512];
    snprintf(from, sizeof from, "%s/%s", cli_home(), file);
    if (strcmp(url, "/") == 0)
      snprintf(name, sizeof name, "index.html");
    else if (!strchr(url + 1, '.'))
      snprintf(name, sizeof name, "%s.html", url + 1);
    else
      snprintf(name, sizeof name, "%s", url + 1);
    size_t len;
    char *data = cli_read_file(from, FILE_LIMIT, &len);
    if (!data) {
      fprintf(stderr, "caveat: site: cannot read %s%s\n", from,
              strstr(file, "node_modules") ? " (run scripts/web-deps.sh)" : "");
      return -1;
    }
    /* The page finds its data by this element: a static copy has no API. */
    static const char meta[] = "<head>\n  <meta name=\"caveat-site\" content=\"site.json\">";
    char *head = strstr(file, ".html") ? strstr(data, "<head>") : NULL;
    int rc =
        head ? write_parts(dir, name, data, (size_t)(head - data), meta, head + strlen("<head>"),
                           len - (size_t)(head - data) - strlen("<head>"))
             : write_file(dir, name, data, len);
    free(data);
    if (rc) return -1;
  }
  return 0;
}

typedef struct text_in {
  const char *data;
  size_t len, at;
} text_in_t;

static long read_text(void *ctx, char *buf, size_t cap) {
  text_in_t *in = ctx;
  size_t n = in->len - in->at < cap ? in->len - in->at : cap;
  memcpy(buf, in->data + in->at, n);
  in->at += n;
  return (long)n;
}

/* The periods of each policy the use is about (its donor's, or its
 * system's suppliers'; result holds its own day's answer): the page needs
 * no history of the donors whose weapon it was not. */
static int write_history(cv_engine_t *engine, cv_use_t *use, const cv_result_t *result,
                         cv_result_t *scratch, cv_buf_t *out) {
  cv_period_t periods[MAX_PERIODS];
  int rc = CLI_LIT(out, ", \"history\": [");
  bool first = true;
  for (size_t p = 0; !rc && p < cv_engine_policy_count(engine); p++) {
    if (!cv_result_about(result, p)) continue;
    size_t count;
    cv_error_t err;
    if (cv_timeline(engine, use, p, scratch, periods, MAX_PERIODS, &count, &err)) continue;
    /* A longer history is asked for again in full, as /v1/timeline does,
     * rather than cut short. */
    cv_period_t *all = periods;
    if (count > MAX_PERIODS) {
      all = malloc(count * sizeof *all);
      if (!all) return CV_NOMEM;
      if (cv_timeline(engine, use, p, scratch, all, count, &count, &err)) {
        free(all);
        continue;
      }
    }
    if (!first) rc = CLI_LIT(out, ", ");
    first = false;
    if (!rc) rc = cv_periods_write_json(engine, p, all, count, out);
    if (all != periods) free(all);
  }
  return rc ? rc : CLI_LIT(out, "]");
}

/* site.json: the policies, then a line per row of the dataset. */
static int write_site(cv_engine_t *engine, const char *name, const char *text, size_t len,
                      const char *dataset_file, cv_buf_t *out, long *errors) {
  text_in_t in = {text, len, 0};
  cv_reader_t *reader = cv_reader_new(engine, CV_FORMAT_AUTO, read_text, &in);
  cv_use_t *use = cv_use_new();
  cv_result_t *result = cv_result_new(), *scratch = cv_result_new();
  int rc = reader && use && result && scratch ? 0 : CV_NOMEM;
  char made[11];
  cv_date_format((cv_date_t)(time(NULL) / 86400), made);
  if (!rc) rc = CLI_LIT(out, "{\"generator\": \"caveat site\", \"made\": \"");
  if (!rc) rc = cv_buf_append(out, made, strlen(made));
  if (!rc) rc = CLI_LIT(out, "\", \"dataset\": ");
  if (!rc) rc = cv_buf_append_json_string(out, name, strlen(name));
  if (!rc) rc = CLI_LIT(out, ", \"dataset_file\": ");
  if (!rc) rc = cv_buf_append_json_string(out, dataset_file, strlen(dataset_file));
  if (!rc) rc = CLI_LIT(out, ",\n\"policies\": ");
  if (!rc) rc = cv_policies_write_json(engine, out);
  if (!rc) rc = CLI_LIT(out, ",\n\"uses\": [\n");
  for (long row = 0; !rc; row++) {
    cv_error_t err;
    cv_use_reset(use);
    int r = cv_reader_next(reader, use, &err);
    if (r == CV_EOF) break;
    if (r == CV_IO || r == CV_NOMEM || cv_reader_row(reader) == 0) { /* the header, or the input */
      cli_print_error("site: reading the dataset", &err);
      rc = r == CV_NOMEM ? CV_NOMEM : CV_IO;
      break;
    }
    if (row) rc = CLI_LIT(out, ",\n");
    if (!r) {
      cv_use_resolve(engine, use);
      r = cv_evaluate(engine, use, 0, result, &err);
    }
    if (r) {
      ++*errors;
      if (!rc) rc = CLI_LIT(out, "{\"error\": ");
      if (!rc) rc = cv_error_write_json(cv_reader_row_id(reader), &err, out);
      if (!rc) rc = CLI_LIT(out, "}");
      continue;
    }
    if (!rc) rc = CLI_LIT(out, "{\"result\": ");
    if (!rc) rc = cv_result_write_json(engine, use, result, out);
    if (!rc) rc = write_history(engine, use, result, scratch, out);
    if (!rc) rc = CLI_LIT(out, "}");
  }
  if (!rc) rc = CLI_LIT(out, "\n]}\n");
  cv_result_free(scratch);
  cv_result_free(result);
  cv_use_free(use);
  cv_reader_free(reader);
  return rc;
}

int cv_cmd_site(int argc, char **argv, cv_engine_t *engine) {
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(usage, stdout);
    return CLI_OK;
  }
  if (argc != 3 || argv[1][0] == '-' || strcmp(argv[2], "-") == 0) {
    fprintf(stderr, "caveat: site: takes a folder and a dataset file\n\n%s", usage);
    return CLI_USAGE;
  }
  const char *dir = argv[1], *file = argv[2];
  size_t len;
  char *text = cli_read_file(file, FILE_LIMIT, &len);
  if (!text) {
    fprintf(stderr, "caveat: site: cannot read %s\n", file);
    return CLI_USAGE;
  }
  /* The page tells CSV from JSON Lines by the first character, as here. */
  size_t lead = strspn(text, " \t\r\n");
  const char *dataset_file =
      text[lead] == '{' || text[lead] == '[' ? "dataset.jsonl" : "dataset.csv";
  const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
  cv_buf_t site = {0}, outlines = {0};
  cv_error_t err;
  long errors = 0;
  int status = CLI_USAGE;
  if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "caveat: site: cannot make %s: %s\n", dir, strerror(errno));
    goto done;
  }
  if (copy_page(dir) || write_file(dir, dataset_file, text, len)) goto done;
  /* The borders as /v1/outlines answers the page (its default box, the
   * page's step). */
  if (cv_engine_outlines(engine, 20, 43, 50, 57, 0.03, 1, &outlines, &err)) {
    cli_print_error("site: the borders", &err);
    goto done;
  }
  if (write_file(dir, "outlines.json", outlines.data, outlines.len)) goto done;
  int rc = write_site(engine, base, text, len, dataset_file, &site, &errors);
  if (rc) {
    if (rc != CV_IO) fprintf(stderr, "caveat: site: out of memory writing site.json\n");
    goto done;
  }
  if (write_file(dir, "site.json", site.data, site.len)) goto done;
  fprintf(stderr, "caveat: site: wrote %s (%s: %ld rows could not be read)\n", dir, base, errors);
  status = errors ? CLI_FAILED : CLI_OK;
done:
  cv_buf_free(&site);
  cv_buf_free(&outlines);
  free(text);
  return status;
}
