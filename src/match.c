/*
 * match.c -- whole-word, case-insensitive multi-pattern search.
 *
 * Because matches must be whole words, a match can only begin where a word
 * begins.  The scan finds the word starts sixteen bytes at a time (SSE2)
 * or eight (a mask of the chunk's word bytes, where little-endian; a byte
 * at a time elsewhere and at the end of the text); at each one a bitmap of the patterns' first
 * two (folded) bytes turns most words away in one load, and the rest are
 * looked up in three bitmaps of the patterns' keys: a pattern's first four
 * bytes, or fewer where it is shorter or has a blank among them (its bytes
 * to that blank, which a run of blanks in the text begins with too).  Only
 * the words some key admits walk a trie of the patterns.  Two bytes alone
 * were not enough once the catalog held targets: "the", "near" and
 * "reported" begin like "thermal power plant", "neptune" and "refinery",
 * and four in ten words walked the trie; with the first two and four bytes
 * alone, every word that began like a short pattern ("in" of "in response
 * to shelling") still did.  With no backtracking beyond the longest
 * pattern, the scan costs well under a nanosecond per byte of text.
 *
 * The trie's edges are indexed by byte class (the distinct folded bytes that
 * occur in patterns, plus "other"), which keeps its table small enough to
 * stay in cache.
 */
#include "match.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caveat.h"

#define MAX_NODES 65535u /* node ids fit in 16 bits */
#define MAX_PATTERN 255u
#define AMBIGUOUS (-2)
#define NO_TAG (-1)

typedef struct pattern {
  char *text; /* folded */
  size_t len;
  int tag;
  bool name; /* a plural "s" only after a digit or capital */
} pattern_t;

struct cv_match {
  pattern_t *pats;
  size_t n_pats, cap_pats;
  /* built */
  uint8_t cls[256]; /* folded byte -> class; 0 is "no pattern has it" */
  unsigned n_cls;
  uint16_t *next; /* next[node * n_cls + class], 0 = no edge */
  int *tag;       /* per node: a pattern's tag, NO_TAG or AMBIGUOUS */
  bool *name;     /* per node: a name's end (cv_match_add()) */
  unsigned n_nodes;
  /* bit (b0 << 8 | b1): some pattern starts so; most words are turned
   * away by this one load before the keys are looked up */
  uint8_t first2[65536 / 8];
  /* The patterns' keys (cv_match_build()), by their length: bit (b0 << 8 |
   * b1) of a two-byte key, bit prefix_hash() of a three- or four-byte one
   * (a missing fourth byte as 0). */
  uint8_t key2[65536 / 8];
  uint8_t key3[65536 / 8];
  uint8_t key4[65536 / 8];
  uint8_t lower[256];       /* fold() as a table, for the scan */
  uint8_t lower_space[256]; /* the same, with blank space as ' ' */
};

/* ASCII letters and digits, and every byte of a multi-byte UTF-8 sequence:
 * a name glued to a Cyrillic letter is not a whole word either. */
static const uint8_t word_byte[256] = {
#define R10(x) x, x, x, x, x, x, x, x, x, x
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
    ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
    ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
    ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1,
    ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1,
    ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, [128] = R10(1),
    R10(1),    R10(1),    R10(1),    R10(1),    R10(1),    R10(1),    R10(1),
    R10(1),    R10(1),    R10(1),    R10(1),    1,         1,         1,
    1,         1,         1,         1,         1};
#undef R10

static inline unsigned char fold(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static inline bool space_byte(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Four folded bytes as 16 bits (Fibonacci hashing). */
static inline unsigned prefix_hash(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (unsigned)(((uint32_t)(a | b << 8 | c << 16 | d << 24) * 2654435761u) >> 16);
}

static inline void set_bit(uint8_t *map, unsigned bit) {
  map[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

static inline bool has_bit(const uint8_t *map, unsigned bit) {
  return map[bit >> 3] & (1u << (bit & 7));
}

cv_match_t *cv_match_new(void) { return calloc(1, sizeof(cv_match_t)); }

void cv_match_free(cv_match_t *m) {
  if (!m) return;
  for (size_t i = 0; i < m->n_pats; i++) free(m->pats[i].text);
  free(m->pats);
  free(m->next);
  free(m->tag);
  free(m->name);
  free(m);
}

int cv_match_add(cv_match_t *m, const char *pattern, size_t len, int tag, bool name) {
  if (len < 2 || !word_byte[(unsigned char)pattern[0]] || tag < 0) return CV_VALUE;
  if (len > MAX_PATTERN) return CV_TOO_LARGE;
  if (m->n_pats == m->cap_pats) {
    size_t cap = m->cap_pats ? m->cap_pats * 2 : 64;
    pattern_t *p = realloc(m->pats, cap * sizeof *p);
    if (!p) return CV_NOMEM;
    m->pats = p;
    m->cap_pats = cap;
  }
  char *text = malloc(len);
  if (!text) return CV_NOMEM;
  /* Fold case, and blank space to one space (the scan does the same). */
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)pattern[i];
    if (space_byte(c)) {
      if (n && text[n - 1] != ' ') text[n++] = ' ';
    } else {
      text[n++] = (char)fold(c);
    }
  }
  while (n && text[n - 1] == ' ') n--;
  /* A name of several words ends in one ("HARM missile", "Storm Shadow")
   * whose plural says nothing new: only a one-word name is held to it. */
  m->pats[m->n_pats++] = (pattern_t){text, n, tag, name && !memchr(text, ' ', n)};
  return CV_OK;
}

int cv_match_build(cv_match_t *m) {
  for (unsigned c = 0; c < 256; c++) {
    m->lower[c] = fold((unsigned char)c);
    m->lower_space[c] = space_byte((unsigned char)c) ? ' ' : fold((unsigned char)c);
  }
  memset(m->cls, 0, sizeof m->cls);
  memset(m->first2, 0, sizeof m->first2);
  memset(m->key2, 0, sizeof m->key2);
  memset(m->key3, 0, sizeof m->key3);
  memset(m->key4, 0, sizeof m->key4);
  m->n_cls = 1;
  size_t total = 1;
  for (size_t i = 0; i < m->n_pats; i++) {
    const pattern_t *p = &m->pats[i];
    for (size_t k = 0; k < p->len; k++) {
      unsigned char c = (unsigned char)p->text[k];
      if (!m->cls[c]) m->cls[c] = (uint8_t)m->n_cls++;
    }
    total += p->len;
  }
  if (total > MAX_NODES) return CV_TOO_LARGE;
  free(m->next);
  free(m->tag);
  free(m->name);
  m->next = calloc(total * m->n_cls, sizeof *m->next);
  m->tag = malloc(total * sizeof *m->tag);
  m->name = calloc(total, sizeof *m->name);
  if (!m->next || !m->tag || !m->name) return CV_NOMEM;
  m->n_nodes = 1;
  m->tag[0] = NO_TAG;
  for (size_t i = 0; i < m->n_pats; i++) {
    const pattern_t *p = &m->pats[i];
    unsigned node = 0;
    for (size_t k = 0; k < p->len; k++) {
      uint16_t *edge = &m->next[node * m->n_cls + m->cls[(unsigned char)p->text[k]]];
      if (!*edge) {
        m->tag[m->n_nodes] = NO_TAG;
        *edge = (uint16_t)m->n_nodes++;
      }
      node = *edge;
    }
    m->name[node] |= p->name;
    if (m->tag[node] == NO_TAG)
      m->tag[node] = p->tag;
    else if (m->tag[node] != p->tag)
      m->tag[node] = AMBIGUOUS;
    const unsigned char *t = (const unsigned char *)p->text;
    /* The key: up to four bytes, to the first blank.  The text's bytes
     * agree with the pattern's that far even where it has a run of blanks
     * for the pattern's one. */
    size_t key = p->len < 4 ? p->len : 4;
    for (size_t k = 1; k < key; k++)
      if (t[k] == ' ') key = k + 1;
    set_bit(m->first2, t[0] << 8 | t[1]);
    if (key == 2)
      set_bit(m->key2, t[0] << 8 | t[1]);
    else if (key == 3)
      set_bit(m->key3, prefix_hash(t[0], t[1], t[2], 0));
    else
      set_bit(m->key4, prefix_hash(t[0], t[1], t[2], t[3]));
  }
  return CV_OK;
}

/* Walks the trie from a word start; reports every pattern that ends at a
 * word end (or before a plural "s" that does, after a digit or capital for
 * a name). */
static void walk(const cv_match_t *m, const unsigned char *t, size_t len, size_t start,
                 cv_match_hit_fn hit, void *ctx) {
  unsigned node = 0;
  size_t i = start;
  while (i < len) {
    unsigned char c = fold(t[i]);
    size_t step = 1;
    if (space_byte(c)) {
      c = ' ';
      while (i + step < len && space_byte(t[i + step])) step++;
    }
    unsigned cls = m->cls[c];
    if (!cls) return;
    node = m->next[node * m->n_cls + cls];
    if (!node) return;
    i += step;
    int tag = m->tag[node];
    if (tag < 0) continue;
    if (i == len || !word_byte[t[i]])
      hit(ctx, tag, start, i);
    else if (fold(t[i]) == 's' && (i + 1 == len || !word_byte[t[i + 1]]) &&
             !(m->name[node] && t[i - 1] >= 'a' && t[i - 1] <= 'z'))
      hit(ctx, tag, start, i + 1);
  }
}

/* A word start at t[i] (i + 1 < len): the keys its first bytes could be
 * (folded, a blank as ' '), then the trie. */
static inline void word_start(const cv_match_t *m, const unsigned char *t, size_t len, size_t i,
                              cv_match_hit_fn hit, void *ctx) {
  const unsigned char *w = t + i;
  size_t left = len - i;
  unsigned a = m->lower[w[0]], b = m->lower_space[w[1]];
  if (!has_bit(m->first2, a << 8 | b)) return;
  unsigned c = left > 2 ? m->lower_space[w[2]] : 0, d = left > 3 ? m->lower_space[w[3]] : 0;
  if (has_bit(m->key2, a << 8 | b) || (left > 2 && has_bit(m->key3, prefix_hash(a, b, c, 0))) ||
      (left > 3 && has_bit(m->key4, prefix_hash(a, b, c, d))))
    walk(m, t, len, i, hit, ctx);
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORD_STARTS_BY_EIGHT 1
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* word_byte[] for eight bytes at once: the high bit of each byte of the
 * result is set where v holds a word byte (a letter, a digit, or any byte
 * of 0x80 and above).  On the low seven bits, x + (0x80 - lo) carries into
 * the high bit exactly when x >= lo, and x + (0x7F - hi) exactly when
 * x > hi; neither sum overflows its byte.  OR-ing in 0x20 folds the
 * capitals onto the small letters and moves no other byte into a..z. */
static inline uint64_t word_bytes8(uint64_t v) {
  uint64_t x = v & ~HIGHS;
  uint64_t digit = (x + (0x80 - '0') * ONES) & ~(x + (0x7F - '9') * ONES);
  uint64_t y = x | 0x20 * ONES;
  uint64_t letter = (y + (0x80 - 'a') * ONES) & ~(y + (0x7F - 'z') * ONES);
  return (digit | letter | v) & HIGHS;
}
#endif

#ifdef __SSE2__
#include <emmintrin.h>
#define WORD_STARTS_BY_SIXTEEN 1

/* word_byte[] for the sixteen bytes at p, as the low bits of the result.
 * The comparisons are signed, so a byte of 0x80 and above fails them all
 * and is taken by its sign bit instead; OR-ing in 0x20 folds the capitals
 * onto the small letters as in word_bytes8(). */
static inline unsigned word_bytes16(const unsigned char *p) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i y = _mm_or_si128(v, _mm_set1_epi8(0x20));
  __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(y, _mm_set1_epi8('a' - 1)),
                                 _mm_cmplt_epi8(y, _mm_set1_epi8('z' + 1)));
  __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
  return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), v));
}
#endif

/* Visits every word start (a word byte after a non-word byte or at the
 * start) in order.  The notes are mostly short words between spaces, and a
 * byte-at-a-time walk over them cost a third of reading an ACLED row; eight
 * bytes at a time, the starts of a chunk come out as the set bits of one
 * mask. */
void cv_match_scan(const cv_match_t *m, const char *text, size_t len, cv_match_hit_fn hit,
                   void *ctx) {
  const unsigned char *t = (const unsigned char *)text;
  if (!m->n_pats || len < 2) return;
  size_t i = 0;
  bool after_word = false; /* t[i - 1] is a word byte */
#ifdef WORD_STARTS_BY_SIXTEEN
  /* Sixteen bytes at a time where SSE2 is there (every x86-64): the mask
   * takes a third of the instructions eight bytes' did.  The rest of the
   * text, less than a chunk, goes eight bytes at a time, then one. */
  for (; i + 17 <= len; i += 16) {
    unsigned words = word_bytes16(t + i);
    unsigned starts = words & ~(words << 1 | (after_word ? 1u : 0u));
    after_word = words >> 15 & 1;
    while (starts) {
      word_start(m, t, len, i + (unsigned)__builtin_ctz(starts), hit, ctx);
      starts &= starts - 1;
    }
  }
#endif
#ifdef WORD_STARTS_BY_EIGHT
  /* Stops a chunk short of the end, so that a start found has the byte
   * after it (t[i + 1]) inside the text, as word_start() reads it. */
  for (; i + 9 <= len; i += 8) {
    uint64_t v;
    memcpy(&v, t + i, 8);
    uint64_t words = word_bytes8(v);
    uint64_t starts = words & ~(words << 8 | (after_word ? 0x80u : 0u));
    after_word = words >> 63;
    while (starts) {
      word_start(m, t, len, i + ((unsigned)__builtin_ctzll(starts) >> 3), hit, ctx);
      starts &= starts - 1;
    }
  }
#endif
  for (; i + 1 < len; i++) {
    bool word = word_byte[t[i]];
    if (word && !after_word) word_start(m, t, len, i, hit, ctx);
    after_word = word;
  }
}
