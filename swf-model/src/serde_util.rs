//! Small serde helpers for wire quirks.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// Reads JSON `null` like an absent member: SWF documents that it ignores nulls in requests, so a
/// defaulted member such as `decisions` must accept `null` as well as omission.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// Removes the attributes member `key` from an event or decision object and parses it.
///
/// An absent or `null` member reads as `{}`, so that types whose attributes are all optional
/// (e.g. a CompleteWorkflowExecution decision without a result) still parse; types with
/// required members then fail with serde's "missing field" message.
pub(crate) fn take_attributes<T: DeserializeOwned>(
    object: &mut Map<String, Value>,
    key: &str,
) -> Result<T, String> {
    let value = match object.remove(key) {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(value) => value,
    };
    serde_json::from_value(value).map_err(|e| format!("invalid {key}: {e}"))
}
