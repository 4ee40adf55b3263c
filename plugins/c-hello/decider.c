// The seed's HelloDecider in C: schedule HelloWorld when the workflow starts (passing the
// workflow's input on), complete the workflow when the activity has completed, fail it with the
// activity's reason and details when the activity has failed.
//
// Ownership follows the canonical ABI as wit-bindgen's C bindings expose it: the `task`
// argument belongs to us and is freed here; returned strings and lists must be heap-allocated
// and are freed by the generated post-return function after the host has copied them.
#include <stdlib.h>
#include <string.h>

#include "decider.h"
#include "json.h"

static void set_option(decider_option_string_t *option, const char *value) {
  option->is_some = value != NULL;
  if (value) decider_string_dup(&option->val, value);
}

void exports_decider_describe(decider_list_workflow_type_decl_t *ret) {
  decider_workflow_type_decl_t *decl = calloc(1, sizeof *decl);
  if (!decl) abort();
  decider_string_dup(&decl->name, "HelloWorkflow");
  decider_string_dup(&decl->version, "1.0");
  set_option(&decl->description, "The seed's HelloWorkflow, in C");
  set_option(&decl->default_task_list, "default");
  set_option(&decl->default_task_priority, NULL);
  set_option(&decl->default_execution_start_to_close_timeout, "3600");
  set_option(&decl->default_task_start_to_close_timeout, "300");
  set_option(&decl->default_child_policy, "TERMINATE");
  ret->ptr = decl;
  ret->len = 1;
}

static void log_info(const char *message, size_t len) {
  // Imported functions borrow their arguments: no copy needed.
  decider_string_t text = {(uint8_t *)message, len};
  swfwasm_plugin_host_log(SWFWASM_PLUGIN_TYPES_LEVEL_INFO, &text);
}

// True if the `len` bytes at `text` are exactly `word`.
static bool is(const char *text, size_t len, const char *word) {
  return text && len == strlen(word) && memcmp(text, word, len) == 0;
}

// Writes the member `"<key>":<the string at value, re-encoded>` if `value` is a string,
// preceded by a comma unless `*first`, which it then clears.
static void copy_string_member(json_buf *out, bool *first, const char *key, const char *value,
                               const char *end) {
  if (!value || json_type_of(value, end) != JSON_STRING) return;
  size_t len;
  char *text = json_string_decode(value, end, &len);
  if (!text) {
    out->failed = true;
    return;
  }
  json_buf_puts(out, *first ? "\"" : ",\"");
  *first = false;
  json_buf_puts(out, key);
  json_buf_puts(out, "\":");
  json_buf_write_string(out, text, len);
  free(text);
}

// Decides for the task JSON in [json, end). Returns NULL and sets `*out` to the response body,
// or returns the error message.
static const char *decide(const char *json, const char *end, json_buf *out) {
  if (!json_validate(json, end)) return "the decision task is not valid JSON";
  const char *events = json_object_get(json, end, "events");
  if (!events || json_type_of(events, end) != JSON_ARRAY) {
    return "the decision task has no events array";
  }

  // The last event that is not about decision tasks themselves.
  const char *last = NULL;
  char *last_type = NULL;
  size_t last_type_len = 0;
  for (const char *event = json_array_first(events, end); event;
       event = json_array_next(event, end)) {
    const char *type = json_object_get(event, end, "eventType");
    if (!type || json_type_of(type, end) != JSON_STRING) continue;
    size_t len;
    char *text = json_string_decode(type, end, &len);
    if (!text) {
      free(last_type);
      return "out of memory";
    }
    if (len >= 12 && memcmp(text, "DecisionTask", 12) == 0) {
      free(text);
      continue;
    }
    free(last_type);
    last = event;
    last_type = text;
    last_type_len = len;
  }

  json_buf line;
  json_buf_init(&line);
  json_buf_puts(&line, "deciding after ");
  if (last_type) {
    json_buf_append(&line, last_type, last_type_len);
  } else {
    json_buf_puts(&line, "nothing");
  }
  if (!line.failed) log_info(line.data, line.len);
  json_buf_free(&line);

  json_buf_puts(out, "{\"decisions\":[");
  if (is(last_type, last_type_len, "WorkflowExecutionStarted")) {
    const char *attrs = json_object_get(last, end, "workflowExecutionStartedEventAttributes");
    json_buf_puts(out,
                  "{\"decisionType\":\"ScheduleActivityTask\","
                  "\"scheduleActivityTaskDecisionAttributes\":{"
                  "\"activityId\":\"saying_hi\","
                  "\"activityType\":{\"name\":\"HelloWorld\",\"version\":\"1.0\"},"
                  "\"taskList\":{\"name\":\"default\"}");
    bool first = false;  // after taskList
    if (attrs) copy_string_member(out, &first, "input", json_object_get(attrs, end, "input"), end);
    json_buf_puts(out, "}}");
  } else if (is(last_type, last_type_len, "ActivityTaskCompleted")) {
    json_buf_puts(out,
                  "{\"decisionType\":\"CompleteWorkflowExecution\","
                  "\"completeWorkflowExecutionDecisionAttributes\":{}}");
  } else if (is(last_type, last_type_len, "ActivityTaskFailed")) {
    const char *attrs = json_object_get(last, end, "activityTaskFailedEventAttributes");
    json_buf_puts(out,
                  "{\"decisionType\":\"FailWorkflowExecution\","
                  "\"failWorkflowExecutionDecisionAttributes\":{");
    bool first = true;
    if (attrs) {
      copy_string_member(out, &first, "reason", json_object_get(attrs, end, "reason"), end);
      copy_string_member(out, &first, "details", json_object_get(attrs, end, "details"), end);
    }
    json_buf_puts(out, "}}");
  }
  json_buf_puts(out, "]}");
  free(last_type);
  return out->failed ? "out of memory" : NULL;
}

bool exports_decider_decide(decider_string_t *task, decider_string_t *ret, decider_string_t *err) {
  const char *json = (const char *)task->ptr;
  json_buf out;
  json_buf_init(&out);
  const char *error = decide(json, json + task->len, &out);
  decider_string_free(task);
  if (error) {
    json_buf_free(&out);
    decider_string_dup(err, error);
    return false;
  }
  // The buffer is malloc'd, as cabi_realloc is: post-return frees it.
  size_t len;
  ret->ptr = (uint8_t *)json_buf_take(&out, &len);
  ret->len = len;
  return true;
}
