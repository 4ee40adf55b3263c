// A small JSON reader and writer for the C HelloWorkflow plugin; see json.h.
#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *json_skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
    p++;
  }
  return p;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the four hex digits at `p`; returns -1 if there are not four.
static int32_t read_hex4(const char *p, const char *end) {
  if (end - p < 4) return -1;
  int32_t v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_digit(p[i]);
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

static size_t encode_utf8(uint32_t cp, char out[4]) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

// One step through the inside of a string literal. `p` is just after the opening quote or a
// previous character. Decodes the next character into `out` (1 to 4 bytes) and stores the count
// in `*n`; at the closing quote stores 0 in `*n` and returns the byte after the quote. Returns
// NULL if the literal is malformed (unterminated, a raw control character, a bad escape).
static const char *string_step(const char *p, const char *end, char out[4], size_t *n) {
  if (p >= end) return NULL;
  unsigned char c = (unsigned char)*p;
  if (c == '"') {
    *n = 0;
    return p + 1;
  }
  if (c < 0x20) return NULL;
  if (c != '\\') {
    // Raw bytes are copied through: component-model strings are valid UTF-8 already.
    out[0] = (char)c;
    *n = 1;
    return p + 1;
  }
  if (++p >= end) return NULL;
  switch (*p) {
    case '"': out[0] = '"'; break;
    case '\\': out[0] = '\\'; break;
    case '/': out[0] = '/'; break;
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'u': {
      int32_t unit = read_hex4(p + 1, end);
      if (unit < 0) return NULL;
      p += 5;
      uint32_t cp = (uint32_t)unit;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        // A high surrogate: combine it with a following \uDC00-\uDFFF, else it stands alone.
        int32_t low = (end - p >= 6 && p[0] == '\\' && p[1] == 'u') ? read_hex4(p + 2, end) : -1;
        if (low >= 0xDC00 && low <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)low - 0xDC00);
          p += 6;
        } else {
          cp = 0xFFFD;
        }
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      *n = encode_utf8(cp, out);
      return p;
    }
    default:
      return NULL;
  }
  *n = 1;
  return p + 1;
}

// Skips the string literal at `p` (which must be at the opening quote).
static const char *skip_string(const char *p, const char *end) {
  if (p >= end || *p != '"') return NULL;
  p++;
  char out[4];
  size_t n;
  do {
    p = string_step(p, end, out, &n);
    if (!p) return NULL;
  } while (n > 0);
  return p;
}

static const char *skip_digits(const char *p, const char *end) {
  const char *start = p;
  while (p < end && *p >= '0' && *p <= '9') p++;
  return p == start ? NULL : p;
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
static const char *skip_number(const char *p, const char *end) {
  if (p < end && *p == '-') p++;
  if (p < end && *p == '0') {
    p++;
  } else {
    p = skip_digits(p, end);
    if (!p) return NULL;
  }
  if (p < end && *p == '.') {
    p = skip_digits(p + 1, end);
    if (!p) return NULL;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '+' || *p == '-')) p++;
    p = skip_digits(p, end);
  }
  return p;
}

static const char *skip_literal(const char *p, const char *end, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(end - p) < n || memcmp(p, word, n) != 0) return NULL;
  return p + n;
}

static const char *skip_value(const char *p, const char *end, int depth);

// Skips the array or object at `p` (at its opening bracket).
static const char *skip_container(const char *p, const char *end, int depth) {
  if (depth >= JSON_MAX_DEPTH) return NULL;
  bool object = *p == '{';
  char close = object ? '}' : ']';
  p = json_skip_ws(p + 1, end);
  if (p < end && *p == close) return p + 1;
  for (;;) {
    if (object) {
      p = skip_string(p, end);
      if (!p) return NULL;
      p = json_skip_ws(p, end);
      if (p >= end || *p != ':') return NULL;
      p++;
    }
    p = skip_value(p, end, depth + 1);
    if (!p) return NULL;
    p = json_skip_ws(p, end);
    if (p >= end) return NULL;
    if (*p == close) return p + 1;
    if (*p != ',') return NULL;
    p = json_skip_ws(p + 1, end);
  }
}

static const char *skip_value(const char *p, const char *end, int depth) {
  p = json_skip_ws(p, end);
  if (p >= end) return NULL;
  switch (*p) {
    case '{':
    case '[':
      return skip_container(p, end, depth);
    case '"':
      return skip_string(p, end);
    case 't':
      return skip_literal(p, end, "true");
    case 'f':
      return skip_literal(p, end, "false");
    case 'n':
      return skip_literal(p, end, "null");
    default:
      return skip_number(p, end);
  }
}

const char *json_skip_value(const char *p, const char *end) { return skip_value(p, end, 0); }

bool json_validate(const char *p, const char *end) {
  p = json_skip_value(p, end);
  return p && json_skip_ws(p, end) == end;
}

json_type json_type_of(const char *p, const char *end) {
  p = json_skip_ws(p, end);
  if (p >= end) return JSON_INVALID;
  switch (*p) {
    case '{': return JSON_OBJECT;
    case '[': return JSON_ARRAY;
    case '"': return JSON_STRING;
    case 't':
    case 'f': return JSON_BOOL;
    case 'n': return JSON_NULL;
    default: return (*p == '-' || (*p >= '0' && *p <= '9')) ? JSON_NUMBER : JSON_INVALID;
  }
}

bool json_string_equals(const char *p, const char *end, const char *s, size_t n) {
  p = json_skip_ws(p, end);
  if (p >= end || *p != '"') return false;
  p++;
  size_t at = 0;
  char out[4];
  size_t k;
  for (;;) {
    p = string_step(p, end, out, &k);
    if (!p) return false;
    if (k == 0) return at == n;
    if (k > n - at || memcmp(s + at, out, k) != 0) return false;
    at += k;
  }
}

const char *json_object_get(const char *p, const char *end, const char *key) {
  p = json_skip_ws(p, end);
  if (p >= end || *p != '{') return NULL;
  size_t key_len = strlen(key);
  const char *found = NULL;
  p = json_skip_ws(p + 1, end);
  if (p < end && *p == '}') return NULL;
  for (;;) {
    const char *name = p;
    p = skip_string(p, end);
    if (!p) return NULL;
    p = json_skip_ws(p, end);
    if (p >= end || *p != ':') return NULL;
    const char *value = json_skip_ws(p + 1, end);
    p = json_skip_value(value, end);
    if (!p) return NULL;
    if (json_string_equals(name, end, key, key_len)) found = value;
    p = json_skip_ws(p, end);
    if (p >= end) return NULL;
    if (*p == '}') return found;
    if (*p != ',') return NULL;
    p = json_skip_ws(p + 1, end);
  }
}

const char *json_array_first(const char *p, const char *end) {
  p = json_skip_ws(p, end);
  if (p >= end || *p != '[') return NULL;
  p = json_skip_ws(p + 1, end);
  if (p >= end || *p == ']') return NULL;
  return p;
}

const char *json_array_next(const char *elem, const char *end) {
  const char *p = json_skip_value(elem, end);
  if (!p) return NULL;
  p = json_skip_ws(p, end);
  if (p >= end || *p != ',') return NULL;
  return json_skip_ws(p + 1, end);
}

char *json_string_decode(const char *p, const char *end, size_t *len) {
  p = json_skip_ws(p, end);
  const char *after = skip_string(p, end);
  if (!after) return NULL;
  // Every escape is at least as long as the UTF-8 it decodes to, so the literal's length
  // bounds the decoded length.
  char *buf = malloc((size_t)(after - p) + 1);
  if (!buf) return NULL;
  size_t at = 0;
  char out[4];
  size_t k;
  p++;
  for (;;) {
    p = string_step(p, end, out, &k);
    if (k == 0) break;
    memcpy(buf + at, out, k);
    at += k;
  }
  buf[at] = '\0';
  *len = at;
  return buf;
}

void json_buf_init(json_buf *b) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->failed = false;
}

void json_buf_append(json_buf *b, const char *s, size_t n) {
  if (b->failed || n == 0) return;
  if (n > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len < n) {
      if (cap > SIZE_MAX / 2) {
        b->failed = true;
        return;
      }
      cap *= 2;
    }
    char *data = realloc(b->data, cap);
    if (!data) {
      b->failed = true;
      return;
    }
    b->data = data;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

void json_buf_puts(json_buf *b, const char *s) { json_buf_append(b, s, strlen(s)); }

void json_buf_write_string(json_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  json_buf_append(b, "\"", 1);
  size_t run = 0;  // bytes at s[run_start..] copied through unchanged
  size_t run_start = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *escape = NULL;
    char u[6];
    switch (c) {
      case '"': escape = "\\\""; break;
      case '\\': escape = "\\\\"; break;
      case '\b': escape = "\\b"; break;
      case '\f': escape = "\\f"; break;
      case '\n': escape = "\\n"; break;
      case '\r': escape = "\\r"; break;
      case '\t': escape = "\\t"; break;
      default:
        if (c < 0x20) {
          memcpy(u, "\\u00", 4);
          u[4] = hex[c >> 4];
          u[5] = hex[c & 0xF];
        }
        break;
    }
    if (!escape && c >= 0x20) {
      run++;
      continue;
    }
    json_buf_append(b, s + run_start, run);
    if (escape) {
      json_buf_puts(b, escape);
    } else {
      json_buf_append(b, u, 6);
    }
    run = 0;
    run_start = i + 1;
  }
  json_buf_append(b, s + run_start, run);
  json_buf_append(b, "\"", 1);
}

char *json_buf_take(json_buf *b, size_t *len) {
  char *data = b->data;
  *len = b->len;
  if (b->failed || b->len == 0) {
    free(data);
    data = NULL;
    *len = 0;
  }
  json_buf_init(b);
  return data;
}

void json_buf_free(json_buf *b) {
  free(b->data);
  json_buf_init(b);
}
