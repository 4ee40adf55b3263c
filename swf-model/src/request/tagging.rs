//! Resource tagging of domains (§3.7 of the spec).

use serde::{Deserialize, Serialize};

use crate::ResourceTag;
use crate::serde_util::null_as_default;

/// Input of TagResource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResourceInput {
    /// Domain ARN.
    pub resource_arn: String,
    /// Tags to add or overwrite (by key).
    pub tags: Vec<ResourceTag>,
}

/// Input of UntagResource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagResourceInput {
    /// Domain ARN.
    pub resource_arn: String,
    /// Keys of the tags to remove.
    pub tag_keys: Vec<String>,
}

/// Input of ListTagsForResource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTagsForResourceInput {
    /// Domain ARN.
    pub resource_arn: String,
}

/// Output of ListTagsForResource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTagsForResourceOutput {
    /// The domain's tags.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<ResourceTag>,
}
