use super::*;

const EVENT: &str = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","errorCode":"AccessDenied","eventID":"e1","userIdentity":{"type":"IAMUser","invokedBy":"","sessionContext":{"attributes":{"mfaAuthenticated":"true"}}},"requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/deploy"}}"#;

#[test]
fn strings_are_borrowed_unless_escaped() {
    let event: Event = serde_json::from_str(EVENT).unwrap();
    assert!(matches!(
        event.event_name,
        Some(Cow::Borrowed("AssumeRole"))
    ));
    let identity = event.user_identity.unwrap();
    assert!(matches!(identity.kind, Some(Cow::Borrowed("IAMUser"))));
    let escaped: Event =
        serde_json::from_str(r#"{"errorMessage":"a \"b\"","errorCode":null}"#).unwrap();
    assert!(matches!(escaped.error_message, Some(Cow::Owned(ref m)) if m == r#"a "b""#));
    assert!(escaped.error_code.is_none());
}

#[test]
fn delivery_time_comes_from_the_s3_key() {
    let at = crate::time::parse_iso8601("2024-05-01T10:05:00Z");
    assert_eq!(
        delivery_time(
            "AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1005Z_Ab12Cd34Ef56Gh78.json.gz"
        ),
        at
    );
    assert_eq!(
        delivery_time(
            "x/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20240501T100500Z.json"
        ),
        None
    );
    assert_eq!(delivery_time("trail.json"), None);
    assert_eq!(
        delivery_time("1_CloudTrail_us-east-1_2024050XT1005Z_a.json"),
        None
    );
}

#[test]
fn sniffs_cloudtrail_shapes_only() {
    assert!(sniff(r#"{"Records":[]}"#));
    assert!(sniff(
        "\u{feff}  [\n{\"eventSource\": \"s3.amazonaws.com\"}]"
    ));
    assert!(sniff("[ ]"));
    assert!(sniff(r#"{"Events":[{"CloudTrailEvent":"{}"}]}"#));
    assert!(!sniff(
        r#"{"level":"error","msg":"An error occurred (AccessDenied)"}"#
    ));
    assert!(!sniff("2024-01-01 eventSource"));
}

#[test]
fn every_shape_yields_the_same_event() {
    let shapes = [
        (format!(r#"{{"Records":[{EVENT}]}}"#), Shape::Records),
        (format!("[\n{EVENT}\n]"), Shape::Array),
        (EVENT.to_string(), Shape::Single),
        (format!("{EVENT}\n{EVENT}\n"), Shape::JsonLines),
        (
            format!(
                r#"{{"Events":[{{"EventId":"e1","CloudTrailEvent":{}}}]}}"#,
                serde_json::to_string(EVENT).unwrap()
            ),
            Shape::LookupEvents,
        ),
    ];
    for (text, shape) in shapes {
        let events = events(&text).unwrap().unwrap();
        assert_eq!(events.shape, shape, "{text}");
        let e = Event::parse(&events.items[0].json).unwrap();
        assert_eq!(e.event_id.as_deref(), Some("e1"));
        assert_eq!(
            e.role_arn().as_deref(),
            Some("arn:aws:iam::111122223333:role/deploy")
        );
        assert_eq!(e.mfa(), Some(true));
        assert!(e.failed());
        assert!(!e.by_aws_service(), "an empty invokedBy is no service");
    }
}

#[test]
fn lines_follow_the_events() {
    let text = format!("{EVENT}\n\n{EVENT}\n");
    let events = events(&text).unwrap().unwrap();
    let lines: Vec<usize> = events.items.iter().map(|i| i.line).collect();
    assert_eq!(lines, [1, 3]);
}

#[test]
fn digests_insights_and_other_json_are_told_apart() {
    let digest = r#"{"awsAccountId":"1","digestStartTime":"x","logFiles":[]}"#;
    assert_eq!(events(digest).unwrap().unwrap_err(), Skip::Digest);
    let insight = r#"{"Records":[{"eventSource":"x","eventType":"AwsCloudTrailInsight"}]}"#;
    assert_eq!(events(insight).unwrap().unwrap_err(), Skip::Insight);
    assert!(events(r#"{"Records":5}"#).is_err());
    assert!(
        events(r#"{"foo":1}"#)
            .unwrap_err()
            .contains("not CloudTrail")
    );
    assert!(
        events("[{eventSource: 1}]")
            .unwrap_err()
            .contains("not valid JSON")
    );
    assert_eq!(events("[]").unwrap().unwrap().items.len(), 0);
    assert_eq!(
        skipped_by_path("AWSLogs/1/CloudTrail-Digest/us-east-1/x.json.gz"),
        Some(Skip::Digest)
    );
}

/// What `each_json_line` made of a text, as (line, eventID or error).
type Read =
    Option<Result<Result<(Vec<(usize, Result<String, String>)>, Vec<String>), Skip>, String>>;

fn event_id(event: Result<&Event<'_>, serde_json::Error>) -> Result<String, String> {
    event
        .map(|e| e.event_id.as_deref().unwrap_or("").to_string())
        .map_err(|e| e.to_string())
}

fn read_json_lines(text: &str) -> Read {
    let mut all = Vec::new();
    match each_json_line(
        text,
        |event, line| (line, event_id(event)),
        |chunk| all.extend(chunk),
    ) {
        JsonLinesRead::Lines(lines) => Some(Ok(Ok((all, lines.broken)))),
        JsonLinesRead::Skipped(skip) => Some(Ok(Err(skip))),
        JsonLinesRead::Unreadable(message) => Some(Err(message)),
        JsonLinesRead::General => None,
    }
}

/// What `events` (the general path) makes of the same text.
fn read_generally(text: &str) -> Read {
    Some(events(text).map(|read| {
        read.map(|events| {
            let items = events.items.iter();
            let ids = items.map(|i| (i.line, Event::parse_then(&i.json, event_id)));
            (ids.collect(), Vec::new())
        })
    }))
}

#[test]
fn json_lines_read_line_by_line_as_the_general_path_reads_them() {
    let batch = format!(r#"{{"Records":[{EVENT},{}]}}"#, EVENT.replace("e1", "e2"));
    let insight = r#"{"eventSource":"x","eventName":"y","eventType":"AwsCloudTrailInsight"}"#;
    let bad_type = r#"{"eventSource":5,"eventName":"AssumeRole"}"#;
    let s3 = r#"{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","eventTime":"x"}"#;
    let digest_keyed = format!(r#"{{"Records":[{EVENT}],"digestStartTime":"x"}}"#);
    let texts = [
        format!("{EVENT}\n{EVENT}\n"),
        format!("\u{feff}{EVENT}\r\n\r\n  {batch}\t\r\n[{EVENT}]\n{insight}\n"),
        format!("{EVENT}\n{bad_type}\n{s3}\n{batch}"),
        format!("{EVENT}\n{{\"eventName\":\"x\",\"Records\":\"no\"}}\n"),
        format!("{EVENT}\n{{\"eventName\":\"x\",\"Rec\\u006frds\":5}}\n"),
        format!("{EVENT}\n{{\"foo\":1}}\n{EVENT}\n"),
        format!("{EVENT}\n{{\"Records\":5}}\n"),
        format!("{EVENT}\n{digest_keyed}\n"),
        format!("{insight}\n{insight}\n"),
        format!("{EVENT}\n{{\"Events\":[{{\"EventId\":\"e1\"}}]}}\n"),
    ];
    for text in &texts {
        let read = read_json_lines(text);
        assert!(read.is_some(), "JSON Lines: {text}");
        assert_eq!(read, read_generally(text), "{text}");
    }
    assert_eq!(
        read_json_lines(&texts[7]),
        Some(Ok(Err(Skip::Digest))),
        "a digest's keys win over Records"
    );
    assert_eq!(read_json_lines(&texts[8]), Some(Ok(Err(Skip::Insight))));
}

#[test]
fn other_shapes_are_left_to_the_general_path() {
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(EVENT).unwrap())
            .unwrap();
    let lookup = format!(
        r#"{{"Events":[{{"EventId":"e1","CloudTrailEvent":{}}}]}}"#,
        serde_json::to_string(EVENT).unwrap()
    );
    for text in [
        EVENT.to_string(),
        format!("\n{EVENT}\n\n"),
        pretty.clone(),
        format!("[\n{EVENT},\n{EVENT}\n]"),
        format!(r#"{{"Records":[{EVENT}]}}"#),
        // A value spanning lines after a one-line event: a stream of
        // values, not JSON Lines.
        format!("{EVENT}\n{pretty}\n"),
        format!("{EVENT}\n{lookup}\n"),
    ] {
        assert!(read_json_lines(&text).is_none(), "{text}");
        assert!(events(&text).is_ok(), "{text}");
    }
}

#[test]
fn a_broken_line_is_skipped_with_its_line_and_column() {
    let truncated = &EVENT[..EVENT.len() / 2];
    let text = format!("{EVENT}\n\n  {truncated}\n{EVENT}\n{{\"eventName\": x}}\n");
    let Some(Ok(Ok((read, broken)))) = read_json_lines(&text) else {
        panic!("read as JSON Lines");
    };
    let lines: Vec<usize> = read.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [1, 4]);
    assert_eq!(
        broken,
        [
            format!(
                "not valid JSON: unexpected end of input at line 3 column {}",
                truncated.len() + 2
            ),
            "not valid JSON: syntax error at line 5 column 15".to_string(),
        ]
    );
    // Before a problem that decides the input, the general path says
    // what is wrong, as it always did.
    let text = format!("{EVENT}\n{truncated}\n{{\"foo\":1}}\n");
    assert!(read_json_lines(&text).is_none());
    assert!(events(&text).unwrap_err().contains("not valid JSON"));
}

#[test]
fn chunks_keep_lines_and_order() {
    // About 3.4 MB: four chunks.
    let text: String = (0..9000)
        .map(|i| {
            let event = EVENT.replace("\"e1\"", &format!("\"e{i}\""));
            match i % 1000 {
                0 => format!("\n{event}\n"),
                500 => format!(r#"{{"Records":[{event},{event}]}}"#) + "\n",
                _ => event + "\n",
            }
        })
        .collect();
    let cuts = crate::chunk::line_chunk_starts(text.as_bytes());
    assert!(cuts.len() >= 3, "{cuts:?}");
    assert!(cuts[1..].iter().all(|&c| text.as_bytes()[c - 1] == b'\n'));
    let read = read_json_lines(&text);
    assert_eq!(read, read_generally(&text));
    let Some(Ok(Ok((read, _)))) = read else {
        panic!("read as JSON Lines");
    };
    assert_eq!(read.len(), 9009);
    let lines_of = |id: &str| -> Vec<usize> {
        let id = Ok(id.to_string());
        read.iter().filter(|e| e.1 == id).map(|e| e.0).collect()
    };
    // Each event's line: its index, plus one, plus blank lines before.
    assert_eq!(lines_of("e4999"), [4999 + 1 + 5]);
    assert_eq!(lines_of("e8500"), [8500 + 1 + 9, 8500 + 1 + 9]);
}

#[test]
fn services_acting_for_customers_are_recognised() {
    let e = Event::parse(
        r#"{"userIdentity":{"type":"AWSService","invokedBy":"delivery.logs.amazonaws.com"},"sourceIPAddress":"delivery.logs.amazonaws.com"}"#,
    )
    .unwrap();
    assert!(e.by_aws_service());
}

/// `{"Records":[null × 40M]}` (291 KB of gzip) used to be cut into 40M
/// raw values before any was read: a 4.5 GB allocation. A record that
/// is not an object now stops reading at once.
#[test]
fn records_that_are_not_objects_stop_reading_at_once() {
    let nulls = format!("[{}null]", "{},".repeat(3));
    let err = events(&nulls).unwrap_err();
    assert!(err.contains("event 3 is null, not an object"), "{err}");
    for bad in ["1", "\"AKIAIOSFODNN7EXAMPLE\"", "[]", "true"] {
        let err = events(&format!("[{bad}]")).unwrap_err();
        assert!(err.contains("event 0 is"), "{err}");
        assert!(!err.contains("AKIA"), "{err}");
    }
    let records = format!("{{\"Records\":[{}]}}", ["null"; 1000].join(","));
    let started = std::time::Instant::now();
    assert!(events(&records).is_err());
    assert!(each_single_line_record(&records, |_| {}).is_none());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
