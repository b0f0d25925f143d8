/*
 * json_number_test.c -- the JSON scanner reads every number to the same
 * double, bit for bit, and to the same end, as strtod() does: its fast path
 * (src/json_scan.c, Clinger's) for short numbers, strtod() for the rest.
 * Random numbers in the forms the data files use (fixed, exponent, many
 * digits, tiny and huge), and the edges of the fast path.
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

/* text followed by "]": the scanner's double and end against strtod's. */
static void same(const char *number) {
  char text[128];
  snprintf(text, sizeof text, "%s]", number);
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
              "json_number_test: '%s': scanner %d %.17g (end %td), strtod %.17g (end %td)\n",
              number, rc, got, s.p - text, want, end - text);
  }
}

int main(void) {
  static const char *const edges[] = {"0",
                                      "-0",
                                      "1",
                                      "-1",
                                      "0.5",
                                      "9007199254740992",
                                      "9007199254740993",
                                      "9007199254740991e22",
                                      "1e22",
                                      "1e23",
                                      "1e-22",
                                      "1e-23",
                                      "123456789012345678",
                                      "1234567890123456789",
                                      "12345678901234567890",
                                      "0.1",
                                      "0.3",
                                      "2.2250738585072014e-308",
                                      "1.7976931348623157e308",
                                      "1e400",
                                      "-1e400",
                                      "4.9e-324",
                                      "01",
                                      "-01",
                                      "1.",
                                      ".5",
                                      "1e",
                                      "1e+",
                                      "1E5",
                                      "1e+05",
                                      "-0.0",
                                      "0.000000000000000000000000001",
                                      "52.1012345",
                                      "-50.88944",
                                      "36.89",
                                      "1e0000000000000005",
                                      "+1",
                                      "0x10",
                                      "inf",
                                      "nan",
                                      "-",
                                      ""};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) same(edges[i]);
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
