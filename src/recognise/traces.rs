//! Stack traces through AWS SDK code: a failure even when its words are
//! unknown. Users paste a traceback cut short, or an exception whose name
//! says nothing (`Error: TimeoutError`); the frames still say the call
//! went through an AWS SDK, and which part of it (the metadata client).
//! Read only when nothing else in a text was recognised, so this never
//! competes with a failure that has words.

use crate::model::{ErrorEvent, ErrorKind, EvidenceLine};

use super::wording::IMDS_CLIENTS;
use super::{is_stack_frame, trim_cr};

/// Module and package names of the AWS SDKs and CLI as their stack frames
/// print them: Python (botocore, boto3, the CLI, s3transfer), Java v1 and
/// v2, JavaScript v2 and v3, .NET, PHP, Go, Rust.
const SDK_FRAMES: &[&str] = &[
    "botocore",
    "boto3",
    "awscli",
    "s3transfer",
    "com.amazonaws",
    "software.amazon.awssdk",
    "@aws-sdk",
    "aws-sdk",
    "Amazon.Runtime",
    "Aws\\",
    "github.com/aws/",
    "aws_sdk_",
    "aws_config",
];

/// The first stack trace in `text` that runs through AWS SDK code, as a
/// failure: its exception line when the paste kept one, else its head.
pub fn failure(text: &str, first_line: usize) -> Option<ErrorEvent> {
    // Most texts hold no trace at all: one search says so.
    if !text.contains("Traceback") && !text.contains("at ") {
        return None;
    }
    let lines: Vec<&str> = text.split('\n').map(trim_cr).collect();
    let mut i = 0;
    while i < lines.len() {
        let python = lines[i]
            .trim_start()
            .starts_with("Traceback (most recent call last)");
        let frames_follow = lines.get(i + 1).is_some_and(|n| is_stack_frame(n));
        if !(python || frames_follow) || lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        // The frames (and Python's source lines under them).
        let mut end = i + 1;
        while end < lines.len()
            && (is_stack_frame(lines[end])
                || (python && lines[end].starts_with("    ") && !lines[end].trim().is_empty()))
        {
            end += 1;
        }
        let frames = &lines[i + 1..end];
        if frames
            .iter()
            .any(|f| SDK_FRAMES.iter().any(|m| f.contains(m)))
        {
            // Python ends with the exception, others start with it.
            let at = match lines.get(end) {
                Some(l) if python && !l.trim().is_empty() => end,
                _ => i,
            };
            let imds = frames
                .iter()
                .find(|f| IMDS_CLIENTS.iter().any(|c| f.contains(c)));
            let head = lines[at].trim();
            let message = match imds {
                Some(frame) => format!("{head} (in {})", frame.trim()),
                None => head.to_string(),
            };
            return Some(ErrorEvent {
                kind: if imds.is_some() {
                    ErrorKind::Imds
                } else {
                    ErrorKind::Unrecognised
                },
                code: None,
                code_inferred: false,
                operation: None,
                message,
                detail: None,
                status: None,
                service: None,
                tool: Some("stack trace"),
                consequence: false,
                evidence: EvidenceLine {
                    line: first_line + at,
                    text: lines[at].into(),
                },
            });
        }
        i = end.max(i + 1);
    }
    None
}

/// A failure with no name of its own (`Error Code: AWSSDK.Core`, a parse
/// error) whose stack trace, right below it, runs through an SDK's
/// metadata client failed there: it is the metadata service's failure.
pub fn unnamed_failures_in_the_metadata_client(
    text: &str,
    first_line: usize,
    events: &mut [ErrorEvent],
) {
    if !events.iter().any(|e| e.kind == ErrorKind::Unrecognised) {
        return;
    }
    let lines: Vec<&str> = text.split('\n').map(trim_cr).collect();
    for event in events
        .iter_mut()
        .filter(|e| e.kind == ErrorKind::Unrecognised)
    {
        let below = event.evidence.line.saturating_sub(first_line) + 1;
        let frame = lines
            .iter()
            .skip(below)
            .take(MAX_FRAMES)
            .take_while(|l| is_stack_frame(l))
            .find(|f| IMDS_CLIENTS.iter().any(|c| f.contains(c)));
        if let Some(frame) = frame {
            event.kind = ErrorKind::Imds;
            event.message = format!("{} (in {})", event.message, frame.trim());
        }
    }
}

/// How far below a failure its trace is read for the metadata client.
const MAX_FRAMES: usize = 40;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_through_the_sdk_is_a_failure_without_words() {
        // Real paste (an aws-sdk-js v3 thread): the timeout comes from the
        // metadata credential provider, named only by its frames.
        let node = "Error: TimeoutError
    at ClientRequest.<anonymous> (/Users/ssw/code/api/node_modules/@aws-sdk/credential-provider-imds/dist/cjs/remoteProvider/httpRequest.js:17:20)
    at ClientRequest.emit (node:events:379:20)
";
        let e = failure(node, 1).expect("a failure");
        assert_eq!((e.kind, e.evidence.line), (ErrorKind::Imds, 1));
        assert!(
            e.message.contains("credential-provider-imds"),
            "{}",
            e.message
        );
        // A Python traceback cut before its exception line: its head.
        let cut = "$ aws configure list
Traceback (most recent call last):
  File \"/usr/bin/aws\", line 27, in <module>
    sys.exit(main())
  File \"/usr/lib/python2.7/site-packages/awscli/clidriver.py\", line 59, in main
    rc = driver.main()
";
        let e = failure(cut, 1).expect("a failure");
        assert_eq!((e.kind, e.evidence.line), (ErrorKind::Unrecognised, 2));
        // With its exception line, that line.
        let whole = format!("{cut}KeyError: 'x'\n");
        assert_eq!(failure(&whole, 1).map(|e| e.evidence.line), Some(7));
        // A trace through other code is not AWS's.
        let other = "Traceback (most recent call last):
  File \"/app/main.py\", line 3, in <module>
    main()
ValueError: bad
";
        assert!(failure(other, 1).is_none());
    }
}
