// swfwasm_config.h: reading the operator's configuration from a C activity.
//
// `swfwasm-c-tool bindings --world activity` writes this header next to the generated
// `activity.h`, so a plugin's build needs no include path beyond the bindings directory. It
// wraps the generated import `swfwasm_plugin_config_get` (WIT `swfwasm:plugin/config.get`),
// whose value is a length-delimited, host-allocated string, into a NUL-terminated C string.
//
// A key is readable only if the activity declares it in `requires` (`config-keys`) and the
// operator grants it a value; see `guest-sdk/wit/plugin.wit`.
//
//   char *greeting;
//   switch (swfwasm_config_get("GREETING", &greeting, NULL)) {
//     case SWFWASM_CONFIG_OK:          use(greeting); free(greeting); break;
//     case SWFWASM_CONFIG_NONE:        use("Hello"); break;
//     case SWFWASM_CONFIG_UNDECLARED:  fail("GREETING: undeclared"); break;
//     case SWFWASM_CONFIG_UNAVAILABLE: fail_with(greeting); free(greeting); break;
//   }
//
// Header-only (static inline functions): it is tied to the names wit-bindgen-c gives the
// activity world, which is why it ships with the tool that pins that wit-bindgen version.
#ifndef SWFWASM_CONFIG_H
#define SWFWASM_CONFIG_H

#include <stdlib.h>
#include <string.h>

#include "activity.h"

// What `swfwasm_config_get` found.
typedef enum swfwasm_config_status {
  // The key has a value: `*text` is it.
  SWFWASM_CONFIG_OK,
  // The key is declared but the operator granted no value for it (WIT `ok(none)`): `*text` is
  // NULL.
  SWFWASM_CONFIG_NONE,
  // The activity did not declare the key in `requires` (WIT `config-error::undeclared`):
  // `*text` is NULL. The host logs the attempt.
  SWFWASM_CONFIG_UNDECLARED,
  // The key's source could not be read (WIT `config-error::unavailable`): `*text` is the host's
  // explanation, which names the source and never a value.
  SWFWASM_CONFIG_UNAVAILABLE,
} swfwasm_config_status;

// Turns a string the host allocated with the bindings' `cabi_realloc` into a NUL-terminated
// malloc'd one, taking ownership of its storage. (Not part of the interface.)
static inline char *swfwasm_config_take_string_(activity_string_t *s, size_t *len) {
  // An empty string owns no storage: its pointer is only the alignment (see cabi_realloc).
  char *text = s->len > 0 ? (char *)realloc(s->ptr, s->len + 1) : (char *)malloc(1);
  if (!text) abort();
  text[s->len] = '\0';
  if (len) *len = s->len;
  s->ptr = NULL;
  s->len = 0;
  return text;
}

// Reads the config key `key` (a NUL-terminated name, only borrowed).
//
// For SWFWASM_CONFIG_OK and SWFWASM_CONFIG_UNAVAILABLE, `*text` receives a new NUL-terminated
// string that the caller frees with free(), and `*len` (if `len` is not NULL) its length in
// bytes without the terminator; use it if the value may contain NUL bytes. For the other
// statuses `*text` is set to NULL and `*len` to 0. Aborts if memory runs out, as the bindings
// do.
static inline swfwasm_config_status swfwasm_config_get(const char *key, char **text,
                                                       size_t *len) {
  activity_string_t name = {(uint8_t *)key, strlen(key)};
  activity_option_string_t value;
  swfwasm_plugin_config_config_error_t error;
  *text = NULL;
  if (len) *len = 0;
  if (swfwasm_plugin_config_get(&name, &value, &error)) {
    if (!value.is_some) return SWFWASM_CONFIG_NONE;
    *text = swfwasm_config_take_string_(&value.val, len);
    return SWFWASM_CONFIG_OK;
  }
  if (error.tag == SWFWASM_PLUGIN_CONFIG_CONFIG_ERROR_UNAVAILABLE) {
    *text = swfwasm_config_take_string_(&error.val.unavailable, len);
    return SWFWASM_CONFIG_UNAVAILABLE;
  }
  return SWFWASM_CONFIG_UNDECLARED;
}

#endif
