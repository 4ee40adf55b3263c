// The seed's HelloWorker in C: greet the name in the task's input (default "World"),
// heartbeating first so a cancellation request is honoured.
//
// Ownership follows the canonical ABI as wit-bindgen's C bindings expose it: the `task`
// argument belongs to us and is freed here; returned strings and lists must be heap-allocated
// and are freed by the generated post-return function after the host has copied them.
#include <stdlib.h>
#include <string.h>

#include "activity.h"
#include "json.h"

// The longest name greeted, in Unicode code points.
#define MAX_NAME 64

static void set_option(activity_option_string_t *option, const char *value) {
  option->is_some = value != NULL;
  if (value) activity_string_dup(&option->val, value);
}

void exports_activity_describe(activity_list_activity_type_decl_t *ret) {
  activity_activity_type_decl_t *decl = calloc(1, sizeof *decl);
  if (!decl) abort();
  activity_string_dup(&decl->name, "HelloWorld");
  activity_string_dup(&decl->version, "1.0");
  set_option(&decl->description, "The seed's HelloWorld activity, in C");
  set_option(&decl->default_task_list, "default");
  set_option(&decl->default_task_priority, NULL);
  set_option(&decl->default_task_start_to_close_timeout, "3600");
  set_option(&decl->default_task_heartbeat_timeout, "600");
  set_option(&decl->default_task_schedule_to_start_timeout, "300");
  set_option(&decl->default_task_schedule_to_close_timeout, "3900");
  ret->ptr = decl;
  ret->len = 1;
}

// HelloWorld needs nothing from the operator: no outbound hosts, no config keys.
void exports_activity_requires(activity_requirements_t *ret) {
  ret->outbound_hosts.ptr = NULL;
  ret->outbound_hosts.len = 0;
  ret->config_keys.ptr = NULL;
  ret->config_keys.len = 0;
}

// Moves the buffer's contents into a result string (malloc'd, so post-return can free it).
static void take(json_buf *b, activity_string_t *s) {
  size_t len;
  s->ptr = (uint8_t *)json_buf_take(b, &len);
  s->len = len;
}

// `<prefix><name><suffix>` in a new buffer.
static void compose(json_buf *b, const char *prefix, const char *name, size_t name_len,
                    const char *suffix) {
  json_buf_init(b);
  json_buf_puts(b, prefix);
  json_buf_append(b, name, name_len);
  json_buf_puts(b, suffix);
  if (b->failed) abort();
}

// Appends `n` in decimal (stdio's printf would triple the component's size).
static void append_decimal(json_buf *b, size_t n) {
  char digits[24];
  size_t at = sizeof digits;
  do {
    digits[--at] = (char)('0' + n % 10);
    n /= 10;
  } while (n > 0);
  json_buf_append(b, digits + at, sizeof digits - at);
}

static void fail(activity_activity_error_t *err, const char *reason, const char *details) {
  err->tag = SWFWASM_PLUGIN_TYPES_ACTIVITY_ERROR_FAILED;
  activity_string_dup(&err->val.failed.reason, reason);
  set_option(&err->val.failed.details, details);
}

// Executes the task JSON in [json, end): true with `*ret` set, or false with `*err` set.
static bool execute(const char *json, const char *end, activity_string_t *ret,
                    activity_activity_error_t *err) {
  if (!json_validate(json, end)) {
    fail(err, "InvalidTask", "the activity task is not valid JSON");
    return false;
  }
  const char *input = json_object_get(json, end, "input");
  char *name = NULL;
  size_t name_len = 0;
  if (input && json_type_of(input, end) == JSON_STRING) {
    name = json_string_decode(input, end, &name_len);
    if (!name) abort();
  }
  if (name_len == 0) {
    free(name);
    name = strdup("World");
    if (!name) abort();
    name_len = strlen(name);
  }

  size_t chars = 0;
  for (size_t i = 0; i < name_len; i++) {
    if (((unsigned char)name[i] & 0xC0) != 0x80) chars++;
  }
  if (chars > MAX_NAME) {
    json_buf details;
    json_buf_init(&details);
    json_buf_puts(&details, "a name has at most ");
    append_decimal(&details, MAX_NAME);
    json_buf_puts(&details, " characters; got ");
    append_decimal(&details, chars);
    if (details.failed) abort();
    err->tag = SWFWASM_PLUGIN_TYPES_ACTIVITY_ERROR_FAILED;
    activity_string_dup(&err->val.failed.reason, "NameTooLong");
    err->val.failed.details.is_some = true;
    take(&details, &err->val.failed.details.val);
    free(name);
    return false;
  }

  json_buf text;
  compose(&text, "greeting ", name, name_len, "");
  // Imported functions borrow their arguments.
  activity_string_t details = {(uint8_t *)text.data, text.len};
  swfwasm_plugin_activity_host_heartbeat_status_t status =
      swfwasm_plugin_activity_host_heartbeat(&details);
  json_buf_free(&text);
  if (status == SWFWASM_PLUGIN_TYPES_HEARTBEAT_STATUS_CANCEL_REQUESTED ||
      status == SWFWASM_PLUGIN_TYPES_HEARTBEAT_STATUS_TASK_GONE) {
    compose(&text, "canceled before greeting ", name, name_len, "");
    err->tag = SWFWASM_PLUGIN_TYPES_ACTIVITY_ERROR_CANCELED;
    err->val.canceled.is_some = true;
    take(&text, &err->val.canceled.val);
    free(name);
    return false;
  }

  compose(&text, "Hello, ", name, name_len, "!");
  free(name);
  activity_string_t greeting = {(uint8_t *)text.data, text.len};
  swfwasm_plugin_host_log(SWFWASM_PLUGIN_TYPES_LEVEL_INFO, &greeting);
  take(&text, ret);
  return true;
}

bool exports_activity_execute(activity_string_t *task, activity_string_t *ret,
                              activity_activity_error_t *err) {
  const char *json = (const char *)task->ptr;
  bool ok = execute(json, json + task->len, ret, err);
  activity_string_free(task);
  return ok;
}
