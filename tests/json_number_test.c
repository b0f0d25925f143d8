/*
 * json_number_test.c -- the JSON scanner reads every number to the same
 * double, bit for bit, and to the same end, as strtod() does: its path for
 * plain decimals of up to 15 digits (json_scan.h, the land polygons'
 * coordinates), its fast path (src/json_scan.c, Clinger's) for other short
 * numbers, strtod() for the rest.  Random numbers in the forms the data
 * files use (fixed, exponent, many digits, tiny and huge), the edges of
 * both paths, and which numbers the plain decimals' path takes.
 *
 * Usage: json_number_test
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "json_scan.h"

static int g_failed;

/* The number followed by "]" and pad spaces: the scanner's double and end
 * against strtod's.  Within 20 bytes of the text's end the plain decimals'
 * path (cv_jscan_plain_decimal) declines, so each number is read both
 * with no pad and with 24 bytes of it. */
static void same_padded(const char *number, int pad) {
  char text[160];
  snprintf(text, sizeof text, "%s]%*s", number, pad, "");
  cv_error_t err;
  cv_jscan_t s = {text, text, text + strlen(text), "test", &err};
  double got = 0;
  int rc = cv_jscan_number(&s, &got);
  char *end;
  double want = strtod(text, &end);
  int want_ok = end != text && isfinite(want);
  if ((rc == 0) != want_ok || (want_ok && (memcmp(&got, &want, sizeof got) != 0 || s.p != end))) {
    if (g_failed++ < 20)
      fprintf(stderr,
              "json_number_test: '%s' (pad %d): scanner %d %.17g (end %td), strtod %.17g (end "
              "%td)\n",
              number, pad, rc, got, s.p - text, want, end - text);
  }
}

static void same(const char *number) {
  same_padded(number, 0);
  same_padded(number, 24);
}

/* Whether the plain decimals' path itself takes the number (with room
 * after it), and if so reads strtod's double: the test of which forms go
 * which way, so that the comparisons above cannot pass by never reaching
 * it. */
static void plain(const char *number, int taken) {
  char text[160];
  snprintf(text, sizeof text, "%s,%24s", number, "");
  double got = 0;
  const char *after = cv_jscan_plain_decimal(text, text + strlen(text), &got);
  double want = strtod(text, NULL);
  if ((after != NULL) != taken ||
      (after && (memcmp(&got, &want, sizeof got) != 0 || after != text + strlen(number)))) {
    if (g_failed++ < 20)
      fprintf(stderr, "json_number_test: plain '%s': %s, wanted %s\n", number,
              after ? "taken" : "declined", taken ? "taken" : "declined");
  }
}

/* cv_jscan_value walks text (padded with 24 spaces, so that the plain
 * paths are taken) from depth 0: want_ok, and then where it stops, or the
 * error's line, column and message.  The land polygons' positions are
 * walked by a path of their own; anything it declines must be read, or
 * refused, as the general walk does. */
static void walk(const char *json, int want_ok, int want_line, int want_column,
                 const char *want_message) {
  char text[1024];
  snprintf(text, sizeof text, "%s%24s", json, "");
  cv_error_t err = {0};
  cv_jscan_t s = {text, text, text + strlen(text), "test", &err};
  int rc = cv_jscan_value(&s, 0);
  int ok = want_ok ? rc == 0 && s.p == text + strlen(json)
                   : rc != 0 && err.line == want_line && err.column == want_column &&
                         strcmp(err.message, want_message) == 0;
  if (!ok && g_failed++ < 20)
    fprintf(stderr, "json_number_test: walk '%.40s': rc %d at %td, line %d column %d '%s'\n", json,
            rc, s.p - text, err.line, err.column, err.message);
}

/* n brackets around inner, closed. */
static const char *nested(char *buf, int n, const char *inner) {
  memset(buf, '[', (size_t)n);
  strcpy(buf + n, inner);
  memset(buf + n + strlen(inner), ']', (size_t)n);
  buf[2 * n + strlen(inner)] = '\0';
  return buf;
}

static void walks(void) {
  walk("[[-24.67366,14.82374],[1,2],[-0,0.5]]", 1, 0, 0, NULL);
  /* declined by the positions' path, read by the general walk */
  walk("[[0.5 ,2],[ 1,2],[1e1,2],[01,2],[1,2,3],[12345678901234567,2],[]]", 1, 0, 0, NULL);
  walk("[[1.5,2.5],\n[1.5,x]]", 0, 2, 6, "expected a number");
  walk("[[1.5,2.5],[1.5,2.5}]", 0, 1, 20, "expected ']'");
  walk("[[1.5,2.5],[1.5.5,2]]", 0, 1, 16, "expected ']'");
  /* 64 levels of arrays, a number or a position innermost: the last
   * allowed; one more is refused */
  char buf[256];
  walk(nested(buf, 64, "1.5"), 1, 0, 0, NULL);
  walk(nested(buf, 63, "[1.5,2.5]"), 1, 0, 0, NULL);
  walk(nested(buf, 65, "1.5"), 0, 1, 66, "expected nesting under 64 levels");
  walk(nested(buf, 64, "[1.5,2.5]"), 0, 1, 66, "expected nesting under 64 levels");
}

int main(void) {
  walks();
  static const char *const edges[] = {
      "0", "-0", "1", "-1", "0.5", "9007199254740992", "9007199254740993", "9007199254740991e22",
      "1e22", "1e23", "1e-22", "1e-23", "123456789012345678", "1234567890123456789",
      "12345678901234567890", "0.1", "0.3", "2.2250738585072014e-308", "1.7976931348623157e308",
      "1e400", "-1e400", "4.9e-324", "01", "-01", "1.", ".5", "1e", "1e+", "1E5", "1e+05", "-0.0",
      "0.000000000000000000000000001", "52.1012345", "-50.88944", "36.89", "1e0000000000000005",
      "+1", "0x10", "inf", "nan", "-", "",
      /* the plain decimals' edges */
      "123456789012345", "1234567890123456", "12345678901234567", "-0.12345678901234",
      "0.123456789012345", "9.99999999999999", "999999999999999", "99999999999999.9",
      "8.30000000000001", "-24.67366", "0.000000000000001", "0.0000000000000001",
      "-0.0000000000000", "00.5", "-00", "007", "0.5e1", "-24.67366E-2", "1e-15", "1.5.3", "1x",
      "-.5", "--1"};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) same(edges[i]);
  /* Taken: plain decimals of up to 15 digits, -0 among them. */
  static const char *const taken[] = {"0",
                                      "-0",
                                      "-0.0",
                                      "123456789012345",
                                      "-0.12345678901234",
                                      "99999999999999.9",
                                      "0.00000000000001",
                                      "-24.67366",
                                      "179.99999",
                                      "-90"};
  for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++) plain(taken[i], 1);
  /* Declined: 16 and 17 digits, leading zeros, exponents, other forms. */
  static const char *const declined[] = {"1234567890123456",
                                         "12345678901234567",
                                         "0.000000000000001",
                                         "-0.123456789012345",
                                         "00.5",
                                         "-00",
                                         "007",
                                         "0.5e1",
                                         "1E5",
                                         "1.",
                                         ".5",
                                         "-.5",
                                         "--1",
                                         "1.5.3",
                                         "1x",
                                         "0x10",
                                         "-",
                                         "inf",
                                         "+1",
                                         ""};
  for (size_t i = 0; i < sizeof declined / sizeof declined[0]; i++) plain(declined[i], 0);
  srand(23);
  char buf[64];
  for (int i = 0; i < 300000; i++) {
    double v = ((double)rand() / RAND_MAX - 0.5) * pow(10, rand() % 40 - 20);
    int digits = 1 + rand() % 19;
    switch (i % 4) {
      case 0: snprintf(buf, sizeof buf, "%.*f", rand() % 9, v * 360); break;
      case 1: snprintf(buf, sizeof buf, "%.*e", digits - 1, v); break;
      case 2: snprintf(buf, sizeof buf, "%.*g", digits, v); break;
      default:
        snprintf(buf, sizeof buf, "%d.%0*d", rand() % 181 - 90, 1 + rand() % 8, rand() % 10000000);
        break;
    }
    same(buf);
  }
  if (g_failed)
    fprintf(stderr, "json_number_test: %d numbers read otherwise\n", g_failed);
  else
    fprintf(stderr, "json_number_test: ok\n");
  return g_failed != 0;
}
