//! Validation of a decider's response: list rules, per-member limits, identifier, duration and
//! priority rules, and the total size limit.

use swf_model::*;

fn schedule_attributes(activity_id: &str) -> ScheduleActivityTaskDecisionAttributes {
    ScheduleActivityTaskDecisionAttributes {
        activity_type: ActivityType::new("HelloWorld", "1.0"),
        activity_id: activity_id.into(),
        task_list: Some(TaskList::new("default")),
        ..Default::default()
    }
}

fn schedule(activity_id: &str) -> Decision {
    Decision::ScheduleActivityTask(schedule_attributes(activity_id))
}

fn timer(timer_id: &str, start_to_fire_timeout: &str) -> Decision {
    Decision::StartTimer(StartTimerDecisionAttributes {
        timer_id: timer_id.into(),
        start_to_fire_timeout: start_to_fire_timeout.into(),
        ..Default::default()
    })
}

fn complete(result: Option<String>) -> Decision {
    Decision::CompleteWorkflowExecution(CompleteWorkflowExecutionDecisionAttributes { result })
}

fn fail() -> Decision {
    Decision::FailWorkflowExecution(FailWorkflowExecutionDecisionAttributes::default())
}

fn error_at(decisions: &[Decision]) -> DecisionError {
    validate_decisions(decisions).expect_err("the decisions should be rejected")
}

#[test]
fn valid_responses_pass() {
    validate_decisions(&[]).unwrap();
    validate_decisions(&[schedule("saying_hi")]).unwrap();
    validate_decisions(&[timer("t", "0"), schedule("a"), complete(Some("hi".into()))]).unwrap();
    let response = RespondDecisionTaskCompleted {
        task_token: "token".into(),
        decisions: vec![schedule("a"), complete(None)],
        execution_context: Some("ctx".into()),
        task_list: Some(TaskList::new("other")),
        task_list_schedule_to_start_timeout: Some("30".into()),
    };
    validate_response(&response).unwrap();
    validate_decisions(&[Decision::ContinueAsNewWorkflowExecution(
        ContinueAsNewWorkflowExecutionDecisionAttributes {
            execution_start_to_close_timeout: Some("NONE".into()),
            child_policy: Some(ChildPolicy::Terminate),
            tag_list: Some(vec!["a".into(); MAX_TAGS]),
            ..Default::default()
        },
    )])
    .unwrap();
}

#[test]
fn at_most_100_decisions() {
    validate_decisions(&vec![timer("t", "1"); 100]).unwrap();
    let error = error_at(&vec![timer("t", "1"); 101]);
    assert_eq!(error.index, None);
    assert_eq!(error.decision_type, None);
    assert_eq!(error.field, "decisions");
    assert_eq!(
        error.to_string(),
        "decisions: 101 decisions, at most 100 are allowed"
    );
}

#[test]
fn oversized_result_is_reported_with_index_and_field() {
    let error = error_at(&[timer("t", "1"), complete(Some("x".repeat(40_000)))]);
    assert_eq!(error.index, Some(1));
    assert_eq!(error.decision_type, Some("CompleteWorkflowExecution"));
    assert_eq!(
        error.field,
        "completeWorkflowExecutionDecisionAttributes.result"
    );
    assert_eq!(error.problem, "must be at most 32768 characters, got 40000");
}

#[test]
fn lengths_count_characters_not_bytes() {
    // 32,768 two-byte characters: 65,536 bytes, but within the character limit.
    validate_decisions(&[complete(Some("é".repeat(MAX_DATA_LEN)))]).unwrap();
    let error = error_at(&[complete(Some("é".repeat(MAX_DATA_LEN + 1)))]);
    assert_eq!(
        error.field,
        "completeWorkflowExecutionDecisionAttributes.result"
    );
}

#[test]
fn display_names_the_decision_position_type_and_field() {
    let decisions = [
        timer("a", "1"),
        timer("b", "1"),
        timer("c", "1"),
        schedule(&"x".repeat(300)),
    ];
    let error = error_at(&decisions);
    assert_eq!(
        error.to_string(),
        "decision 3 (ScheduleActivityTask): scheduleActivityTaskDecisionAttributes.activityId: \
         must be at most 256 characters, got 300"
    );
}

#[test]
fn close_decision_must_be_last() {
    let error = error_at(&[complete(None), timer("t", "1")]);
    assert_eq!(error.index, Some(0));
    assert_eq!(error.decision_type, Some("CompleteWorkflowExecution"));
    assert_eq!(error.field, "decisionType");
}

#[test]
fn only_one_close_decision() {
    let error = error_at(&[timer("t", "1"), complete(None), fail()]);
    assert_eq!(error.index, Some(2));
    assert_eq!(error.decision_type, Some("FailWorkflowExecution"));
    assert_eq!(error.field, "decisionType");
    assert!(error.problem.contains("decision 1"), "{}", error.problem);
}

#[test]
fn bad_durations_are_rejected() {
    let cases = [
        ("10s", "heartbeatTimeout"),
        ("123456789", "heartbeatTimeout"),
        ("", "heartbeatTimeout"),
        ("none", "heartbeatTimeout"),
    ];
    for (value, field) in cases {
        let decision = Decision::ScheduleActivityTask(ScheduleActivityTaskDecisionAttributes {
            heartbeat_timeout: Some(value.into()),
            ..schedule_attributes("a")
        });
        let error = error_at(&[timer("t", "1"), decision]);
        assert_eq!(error.index, Some(1), "{value:?}");
        assert_eq!(
            error.field,
            format!("scheduleActivityTaskDecisionAttributes.{field}")
        );
    }

    // Timers need a number: NONE is not a valid fire timeout.
    let error = error_at(&[timer("t", "NONE")]);
    assert_eq!(
        error.field,
        "startTimerDecisionAttributes.startToFireTimeout"
    );

    // Execution timeouts are capped at one year.
    let child = |timeout: &str| {
        Decision::StartChildWorkflowExecution(StartChildWorkflowExecutionDecisionAttributes {
            workflow_type: WorkflowType::new("Flow", "1"),
            workflow_id: "child".into(),
            execution_start_to_close_timeout: Some(timeout.into()),
            ..Default::default()
        })
    };
    validate_decisions(&[child("31536000")]).unwrap();
    let error = error_at(&[child("31536001")]);
    assert_eq!(
        error.field,
        "startChildWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout"
    );
}

#[test]
fn bad_identifier_characters_are_rejected() {
    let error = error_at(&[schedule("a:b")]);
    assert_eq!(
        error.field,
        "scheduleActivityTaskDecisionAttributes.activityId"
    );
    assert_eq!(error.problem, "must not contain ':'");

    let error = error_at(&[timer("x", "1"), timer("a/b", "1")]);
    assert_eq!(error.index, Some(1));
    assert_eq!(error.field, "startTimerDecisionAttributes.timerId");

    let error = error_at(&[schedule("arn")]);
    assert_eq!(
        error.field,
        "scheduleActivityTaskDecisionAttributes.activityId"
    );

    let error = error_at(&[timer("tab\there", "1")]);
    assert_eq!(error.problem, "must not contain control character U+0009");

    let error = error_at(&[timer("next\u{85}line", "1")]);
    assert_eq!(error.problem, "must not contain control character U+0085");

    let error = error_at(&[timer("", "1")]);
    assert_eq!(error.problem, "must not be empty");

    let bad_type = Decision::ScheduleActivityTask(ScheduleActivityTaskDecisionAttributes {
        activity_type: ActivityType::new("Hello|World", "1.0"),
        activity_id: "a".into(),
        ..Default::default()
    });
    assert_eq!(
        error_at(&[bad_type]).field,
        "scheduleActivityTaskDecisionAttributes.activityType.name"
    );

    let bad_list = Decision::ScheduleActivityTask(ScheduleActivityTaskDecisionAttributes {
        activity_type: ActivityType::new("Hello", "1.0"),
        activity_id: "a".into(),
        task_list: Some(TaskList::new("bell\u{7}")),
        ..Default::default()
    });
    assert_eq!(
        error_at(&[bad_list]).field,
        "scheduleActivityTaskDecisionAttributes.taskList.name"
    );

    let signal = Decision::SignalExternalWorkflowExecution(
        SignalExternalWorkflowExecutionDecisionAttributes {
            workflow_id: "w|1".into(),
            signal_name: "go".into(),
            ..Default::default()
        },
    );
    assert_eq!(
        error_at(&[signal]).field,
        "signalExternalWorkflowExecutionDecisionAttributes.workflowId"
    );
}

#[test]
fn version_is_limited_to_64_characters() {
    let decision = Decision::ScheduleActivityTask(ScheduleActivityTaskDecisionAttributes {
        activity_type: ActivityType::new("Hello", "v".repeat(65)),
        activity_id: "a".into(),
        ..Default::default()
    });
    let error = error_at(&[decision]);
    assert_eq!(
        error.field,
        "scheduleActivityTaskDecisionAttributes.activityType.version"
    );
    assert_eq!(error.problem, "must be at most 64 characters, got 65");
}

#[test]
fn priorities_must_be_32_bit_integers() {
    for (value, ok) in [
        ("0", true),
        ("-2147483648", true),
        ("2147483647", true),
        ("2147483648", false),
        ("high", false),
        ("", false),
    ] {
        let decision = Decision::ScheduleActivityTask(ScheduleActivityTaskDecisionAttributes {
            activity_type: ActivityType::new("Hello", "1"),
            activity_id: "a".into(),
            task_priority: Some(value.into()),
            ..Default::default()
        });
        match validate_decisions(&[decision]) {
            Ok(()) => assert!(ok, "{value:?} should be rejected"),
            Err(error) => {
                assert!(!ok, "{value:?} should pass: {error}");
                assert_eq!(
                    error.field,
                    "scheduleActivityTaskDecisionAttributes.taskPriority"
                );
            }
        }
    }
}

#[test]
fn reason_and_tags_are_limited() {
    let decision = Decision::FailWorkflowExecution(FailWorkflowExecutionDecisionAttributes {
        reason: Some("r".repeat(257)),
        details: None,
    });
    assert_eq!(
        error_at(&[decision]).field,
        "failWorkflowExecutionDecisionAttributes.reason"
    );

    let with_tags = |tags: Vec<String>| {
        Decision::StartChildWorkflowExecution(StartChildWorkflowExecutionDecisionAttributes {
            workflow_type: WorkflowType::new("Flow", "1"),
            workflow_id: "child".into(),
            tag_list: Some(tags),
            ..Default::default()
        })
    };
    let error = error_at(&[with_tags(vec!["t".into(); 6])]);
    assert_eq!(
        error.field,
        "startChildWorkflowExecutionDecisionAttributes.tagList"
    );
    let error = error_at(&[with_tags(vec!["ok".into(), "t".repeat(257)])]);
    assert_eq!(
        error.field,
        "startChildWorkflowExecutionDecisionAttributes.tagList[1]"
    );
}

#[test]
fn unknown_child_policy_is_rejected() {
    let decision = Decision::ContinueAsNewWorkflowExecution(
        ContinueAsNewWorkflowExecutionDecisionAttributes {
            child_policy: Some(ChildPolicy::from("terminate")),
            ..Default::default()
        },
    );
    let error = error_at(&[decision]);
    assert_eq!(
        error.field,
        "continueAsNewWorkflowExecutionDecisionAttributes.childPolicy"
    );
}

#[test]
fn lambda_timeout_is_limited_to_900_seconds() {
    let lambda = |timeout: &str| {
        Decision::ScheduleLambdaFunction(ScheduleLambdaFunctionDecisionAttributes {
            id: "l".into(),
            name: "fn".into(),
            start_to_close_timeout: Some(timeout.into()),
            ..Default::default()
        })
    };
    validate_decisions(&[lambda("900")]).unwrap();
    let error = error_at(&[lambda("901")]);
    assert_eq!(
        error.field,
        "scheduleLambdaFunctionDecisionAttributes.startToCloseTimeout"
    );
}

#[test]
fn response_level_members_are_checked() {
    let response = RespondDecisionTaskCompleted {
        execution_context: Some("c".repeat(MAX_DATA_LEN + 1)),
        ..Default::default()
    };
    let error = validate_response(&response).unwrap_err();
    assert_eq!(error.index, None);
    assert_eq!(error.field, "executionContext");
    assert!(
        error
            .to_string()
            .starts_with("executionContext: must be at most 32768 characters")
    );

    let response = RespondDecisionTaskCompleted {
        task_list: Some(TaskList::new("a/b")),
        ..Default::default()
    };
    assert_eq!(
        validate_response(&response).unwrap_err().field,
        "taskList.name"
    );

    let response = RespondDecisionTaskCompleted {
        task_list_schedule_to_start_timeout: Some("soon".into()),
        ..Default::default()
    };
    assert_eq!(
        validate_response(&response).unwrap_err().field,
        "taskListScheduleToStartTimeout"
    );

    // Decision problems are reported through validate_response too.
    let response = RespondDecisionTaskCompleted {
        decisions: vec![complete(None), complete(None)],
        ..Default::default()
    };
    assert_eq!(validate_response(&response).unwrap_err().index, Some(1));
}

#[test]
fn total_size_is_limited_to_one_megabyte() {
    // Every decision is within its own limits; together they exceed 1 MB.
    let big_input = "i".repeat(32_000);
    let decisions: Vec<Decision> = (0..40)
        .map(|n| {
            Decision::ScheduleActivityTask(ScheduleActivityTaskDecisionAttributes {
                activity_type: ActivityType::new("Hello", "1"),
                activity_id: format!("a{n}"),
                input: Some(big_input.clone()),
                ..Default::default()
            })
        })
        .collect();
    let error = error_at(&decisions);
    assert_eq!(error.index, None);
    assert_eq!(error.field, "decisions");
    assert!(
        error.problem.contains("at most 1000000"),
        "{}",
        error.problem
    );

    let response = RespondDecisionTaskCompleted {
        decisions,
        ..Default::default()
    };
    let error = validate_response(&response).unwrap_err();
    assert_eq!(error.index, None);
    assert_eq!(error.field, "response");

    // 30 such decisions (~960 KB) still fit.
    validate_decisions(&response.decisions[..30]).unwrap();
}

#[test]
fn truncate_chars_respects_character_boundaries() {
    assert_eq!(truncate_chars("hello", 10), "hello");
    assert_eq!(truncate_chars("hello", 5), "hello");
    assert_eq!(truncate_chars("hello", 2), "he");
    assert_eq!(truncate_chars("héllo", 2), "hé");
    assert_eq!(truncate_chars("日本語", 1), "日");
    assert_eq!(truncate_chars("abc", 0), "");
    let long = "é".repeat(MAX_REASON_LEN + 10);
    assert_eq!(
        truncate_chars(&long, MAX_REASON_LEN).chars().count(),
        MAX_REASON_LEN
    );
}

#[test]
fn value_checks_are_usable_on_their_own() {
    assert!(check_identifier("my-domain", MAX_ID_LEN).is_ok());
    assert!(check_identifier("ARN", MAX_ID_LEN).is_ok());
    assert!(check_identifier("arn", MAX_ID_LEN).is_err());
    assert!(check_duration("NONE").is_ok());
    assert!(check_duration("00000000").is_ok());
    assert!(check_duration("-1").is_err());
    assert!(check_timer_duration("NONE").is_err());
    assert!(check_execution_timeout("NONE").is_ok());
    assert!(check_execution_timeout("99999999").is_err());
    assert!(check_priority("+7").is_ok());
    assert!(check_length("", 0, 5).is_ok());
    assert_eq!(duration_secs("300"), Some(300));
    assert_eq!(duration_secs("NONE"), None);
    assert_eq!(duration_secs("+5"), None);
    assert_eq!(duration_secs("123456789"), None);
    assert_eq!(
        check_length("abc", 4, 8).unwrap_err(),
        "must be at least 4 characters, got 3"
    );
}
