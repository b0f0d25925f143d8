/*
 * json_escape_test.c -- the one JSON string escaper against random bytes:
 * prints 20,000 JSON lines {"s": ESCAPED} of random byte strings (biased
 * to UTF-8 lead and continuation bytes, controls, quotes and backslashes;
 * the second half mostly runs of ASCII letters, as notes and explanations
 * are, so that the escaper's eight-bytes-at-a-time path is taken between
 * and after its sequences and escapes);
 * tests/json_escape_check.py decodes each strictly as UTF-8 and parses it
 * with Python's json, and checks that valid UTF-8 came back unchanged.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

int main(void) {
  static const unsigned char pool[] = {0x00, 0x01, 0x1f, '"',  '\\', 'a',  0x7f, 0x80, 0xbf,
                                       0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5,
                                       0xff, 0xa0, 0x9f, 0x8f, 0x90, '\n', '\r', 0xd0, 0xb0};
  srand(22);
  for (int line = 0; line < 20000; line++) {
    unsigned char s[256];
    bool prose = line >= 10000;
    size_t n = (size_t)(rand() % (prose ? 256 : 64));
    for (size_t i = 0; i < n; i++)
      s[i] = prose && rand() % 8 ? (unsigned char)('a' + rand() % 26)
             : rand() % 2        ? pool[rand() % (int)sizeof pool]
                                 : (unsigned char)rand();
    cv_buf_t b = {0};
    if (cv_buf_append(&b, "{\"s\": ", 6) || cv_buf_append_json_string(&b, (char *)s, n) ||
        cv_buf_append(&b, ", \"raw\": \"", 10))
      return 1;
    for (size_t i = 0; i < n; i++) cv_buf_printf(&b, "%02x", s[i]);
    if (cv_buf_append(&b, "\"}\n", 3)) return 1;
    fwrite(b.data, 1, b.len, stdout);
    cv_buf_free(&b);
  }
  return 0;
}
