//! Issue 13 (the console's part): headless Chromium (Debian's `chromium`) on the console of a
//! `swfwasm local` where HelloWorkflow ran: the executions list, the execution page with every
//! event and the timeline (screenshot checked to be non-blank), and starting and signalling a
//! run through the console's own forms, submitted by the browser.

use crate::common::browser::{chromium, dom, is_not_blank};
use crate::common::{Running, local_swf, plugin, succeeded as ok, swfwasm_in, wait_until};
use local_swf::LocalSwf;
use serde_json::Value;

#[test]
fn the_console_shows_runs_and_timelines_and_starts_and_signals_through_its_forms() {
    let dir = tempfile::tempdir().unwrap();
    let swf = LocalSwf::start(dir.path(), 1);
    let endpoint = swf.endpoint().to_owned();
    let config = dir.path().join("worker.toml");
    std::fs::write(
        &config,
        format!(
            "domain = \"console\"\nendpoint = \"{endpoint}\"\nregion = \"us-east-1\"\n\
             plugins = [{:?}, {:?}]\n",
            plugin("hello-decider"),
            plugin("hello-activity")
        ),
    )
    .unwrap();
    let swfwasm = |args: &[&str]| {
        let out = swfwasm_in(dir.path())
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap();
        ok(out, &args.join(" "))
    };
    swfwasm(&["register"]);
    let history = |id: &str| -> Vec<Value> {
        serde_json::from_str(&swfwasm(&["history", id, "--json"])).unwrap()
    };
    let has = |id: &str, event_type: &str| history(id).iter().any(|e| e["eventType"] == event_type);

    let log = dir.path().join("worker.log");
    let mut command = swfwasm_in(dir.path());
    command.arg("--config").arg(&config).arg("run");
    let mut worker = Running::spawn(&mut command, &log);
    swfwasm(&["start", "HelloWorkflow", "--workflow-id", "hello-1"]);
    wait_until("hello-1 to complete", &log, || {
        has("hello-1", "WorkflowExecutionCompleted")
    });
    worker.stop();

    let profile = dir.path().join("chromium");
    let closed = dom(
        &profile,
        &format!("{endpoint}/console/console?status=closed"),
    );
    assert!(
        closed.contains("hello-1") && closed.contains("COMPLETED"),
        "{closed}"
    );

    let link = closed
        .split("href=\"/console/console/hello-1/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the run");
    let page_url = format!("{endpoint}/console/console/hello-1/{link}");
    let page = dom(&profile, &page_url);
    for event_type in crate::common::seed_event_types() {
        assert!(
            page.contains(&format!("<td>{event_type}</td>")),
            "{event_type} missing"
        );
    }
    assert!(page.contains("class=\"timeline\"") && page.contains("activity saying_hi"));
    assert!(
        page.contains("decider "),
        "the artifact pin of each decision"
    );
    let screenshot = dir.path().join("timeline.png");
    let shot = chromium(&profile)
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&page_url)
        .output()
        .unwrap();
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    assert!(is_not_blank(&screenshot), "the screenshot is blank");
    if let Ok(target) = std::env::var("SWFWASM_CONSOLE_SCREENSHOT") {
        std::fs::copy(&screenshot, target).unwrap();
    }

    // Start through the console's form (no worker runs now, so the run stays open)...
    let form = |action: &str, fields: &str| {
        let html = dir.path().join("form.html");
        std::fs::write(
            &html,
            format!(
                "<form method=\"post\" action=\"{endpoint}{action}\">{fields}</form>\
                 <script>document.forms[0].submit()</script>"
            ),
        )
        .unwrap();
        dom(&profile, &format!("file://{}", html.display()))
    };
    let started = form(
        "/console/console/start",
        r#"<input name="workflow_type" value="HelloWorkflow"><input name="version" value="1.0">
           <input name="workflow_id" value="from-console"><input name="input" value="">"#,
    );
    assert!(
        started.contains("from-console") && started.contains("OPEN"),
        "{started}"
    );
    assert!(has("from-console", "WorkflowExecutionStarted"));
    // ...and signal it through the signal form of its page.
    let run = started
        .split("/console/console/from-console/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("the run's form actions");
    let signalled = form(
        &format!("/console/console/from-console/{run}/signal"),
        r#"<input name="signal_name" value="nudge"><input name="input" value="hi">"#,
    );
    assert!(
        signalled.contains("<td>WorkflowExecutionSignaled</td>"),
        "{signalled}"
    );
    let events = history("from-console");
    let signal = events
        .iter()
        .find(|e| e["eventType"] == "WorkflowExecutionSignaled")
        .expect("the signal is in the history");
    assert_eq!(
        signal["workflowExecutionSignaledEventAttributes"]["signalName"],
        "nudge"
    );
    assert_eq!(
        signal["workflowExecutionSignaledEventAttributes"]["input"],
        "hi"
    );
}
