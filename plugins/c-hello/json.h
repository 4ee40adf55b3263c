// A small JSON reader and writer for the C HelloWorkflow plugin.
//
// The reader works in place on JSON text that need not be NUL-terminated: every function takes
// a position `p` and the end of the text `end`, and a "value" is a pointer to the first byte of
// a JSON value (leading whitespace is skipped everywhere). Nothing is copied until a string is
// decoded with `json_string_decode`.
//
// The writer appends to a growable buffer whose storage comes from malloc, so it can be handed
// to the canonical ABI as a result string (the bindings' post-return frees it).
#ifndef SWFWASM_C_HELLO_JSON_H
#define SWFWASM_C_HELLO_JSON_H

#include <stdbool.h>
#include <stddef.h>

// Nesting deeper than this is rejected as malformed (the reader recurses once per level).
#define JSON_MAX_DEPTH 512

typedef enum json_type {
  JSON_INVALID,
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT,
} json_type;

// Returns the first byte at or after `p` that is not JSON whitespace (or `end`).
const char *json_skip_ws(const char *p, const char *end);

// Skips one well-formed JSON value at `p`; returns the byte after it, or NULL if the text there
// is not a well-formed value (including strings with bad escapes or raw control characters, and
// nesting deeper than JSON_MAX_DEPTH).
const char *json_skip_value(const char *p, const char *end);

// True if [p, end) is exactly one well-formed JSON value, with optional surrounding whitespace.
bool json_validate(const char *p, const char *end);

// The type of the value at `p`, judged by its first byte (JSON_INVALID if none fits).
json_type json_type_of(const char *p, const char *end);

// If the value at `p` is an object with a member named `key` (compared after unescaping), returns
// that member's value; with repeated keys the last one wins, as in JavaScript and Python.
// Returns NULL if there is no such member or the object is malformed.
const char *json_object_get(const char *p, const char *end, const char *key);

// The first element of the array at `p`, or NULL if it is empty, malformed or not an array.
const char *json_array_first(const char *p, const char *end);

// The element after the array element `elem` (as returned by json_array_first or
// json_array_next), or NULL after the last one or if the array is malformed.
const char *json_array_next(const char *elem, const char *end);

// Decodes the string value at `p` into a new malloc'd, NUL-terminated UTF-8 buffer and stores
// its length (which excludes the terminator; the text may hold \u0000) in `*len`. Escapes are
// resolved, \uXXXX surrogate pairs combined, and a lone surrogate becomes U+FFFD. Returns NULL
// if the value is not a well-formed string or memory runs out.
char *json_string_decode(const char *p, const char *end, size_t *len);

// True if the string value at `p` decodes to exactly the `n` bytes at `s`.
bool json_string_equals(const char *p, const char *end, const char *s, size_t n);

// A growable output buffer. `failed` is set (and further appends ignored) if memory runs out.
typedef struct json_buf {
  char *data;
  size_t len;
  size_t cap;
  bool failed;
} json_buf;

// An empty buffer; equivalent to zero-initialising the struct.
void json_buf_init(json_buf *b);

// Appends `n` raw bytes.
void json_buf_append(json_buf *b, const char *s, size_t n);

// Appends a NUL-terminated string as raw bytes.
void json_buf_puts(json_buf *b, const char *s);

// Appends the `n` UTF-8 bytes at `s` as a JSON string literal, quoted and escaped.
void json_buf_write_string(json_buf *b, const char *s, size_t n);

// Hands over the buffer's malloc'd storage (NULL if it is empty or an append failed) and its
// length, and leaves the buffer empty. The caller frees the storage.
char *json_buf_take(json_buf *b, size_t *len);

// Frees the buffer's storage and leaves it empty.
void json_buf_free(json_buf *b);

#endif
