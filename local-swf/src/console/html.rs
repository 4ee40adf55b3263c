//! HTML building blocks of the console: escaping and the page frame (a little CSS, no script
//! beyond the browser's own `<details>`). A leaf.

/// `text` safe inside HTML text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` as one URL path segment or query value.
pub(crate) fn url(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A whole page: `title` and `body` in the console's frame.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · local-swf</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d2430; }}
a {{ color: #1f5fbf; }}
table {{ border-collapse: collapse; margin: .5em 0 1em; }}
th, td {{ border-bottom: 1px solid #dde3ea; padding: 3px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f2f5f8; }}
pre {{ background: #f6f8fa; padding: 6px; max-width: 900px; overflow: auto; margin: 0; }}
form {{ display: inline-block; margin: 0 1em .5em 0; padding: 6px; border: 1px solid #dde3ea; }}
.status-OPEN {{ color: #1f5fbf; }} .status-COMPLETED {{ color: #1a7f37; }}
.status-FAILED, .status-TIMED_OUT, .status-TERMINATED {{ color: #cf222e; }}
svg.timeline {{ background: #fbfcfd; border: 1px solid #dde3ea; }}
svg .lane, svg .tick {{ font: 11px system-ui, sans-serif; fill: #444; }}
svg .waiting {{ fill: #d0d7de; }} svg .axis {{ stroke: #888; }}
svg .completed {{ fill: #2da44e; }} svg .failed {{ fill: #cf222e; }}
svg .timed-out {{ fill: #bf8700; }} svg .canceled {{ fill: #8c959f; }} svg .open {{ fill: #1f5fbf; }}
</style></head>
<body><nav><a href="/console">local-swf console</a></nav><h1>{title}</h1>
{body}
</body></html>"#,
        title = escape(title),
    )
}

/// A JSON value, pretty-printed and escaped, folded under `summary`.
pub(crate) fn json_details(summary: &str, value: &serde_json::Value) -> String {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    format!(
        "<details><summary>{}</summary><pre>{}</pre></details>",
        escape(summary),
        escape(&pretty)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_urls_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(url("wf 1/é"), "wf%201%2F%C3%A9");
    }
}
