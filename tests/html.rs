//! `--format html`: one self-contained page. Checked as text (escaping of
//! hostile input, redaction, nothing external) and in a real headless
//! browser (Debian's `chromium`): the page loads without a console message
//! or a network request, and the timeline is drawn.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, stdout};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Values an attacker could put in a log or an event to reach a page.
const HOSTILE: [&str; 3] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "javascript:alert(3)",
];

/// A log, a CloudTrail export and a rule file whose names, evidence,
/// principals, user agents and references carry [`HOSTILE`] values and
/// secrets. Returns the arguments to analyse them.
fn hostile_inputs(dir: &Path) -> Vec<String> {
    let log = dir.join(format!("{}{}.log", HOSTILE[0], HOSTILE[1]).replace('/', "_"));
    std::fs::write(
        &log,
        format!(
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
             An error occurred (AccessDenied) when calling the ListBuckets operation: \
             User: arn:aws:iam::123456789012:user/{} is not authorized to perform: s3:ListBuckets {}\n",
            HOSTILE[0], HOSTILE[2]
        ),
    )
    .unwrap();
    let events = std::fs::read_to_string(root().join("fixtures/cloudtrail/events.jsonl")).unwrap();
    let events: Vec<String> = events
        .lines()
        .map(|line| {
            let mut e: serde_json::Value = serde_json::from_str(line).unwrap();
            if e["userIdentity"]["arn"].is_string() {
                e["userIdentity"]["arn"] =
                    format!("arn:aws:iam::111122223333:user/{}", HOSTILE[1]).into();
            }
            e["userAgent"] = HOSTILE[2].into();
            e["sourceIPAddress"] = HOSTILE[0].into();
            e.to_string()
        })
        .collect();
    let trail = dir.join(format!("trail {}.jsonl", HOSTILE[1]));
    std::fs::write(&trail, events.join("\n")).unwrap();
    let rules = dir.join("hostile.rules");
    std::fs::write(
        &rules,
        format!(
            "rule custom.denied {{\n  title \"Denied {}\"\n  severity high\n  priority 1000\n  \
             when error.code == \"AccessDenied\"\n  explain \"{}\"\n  fix \"{}\"\n  see \"{}\"\n}}\n",
            HOSTILE[0].replace('"', "'"),
            HOSTILE[1].replace('"', "'"),
            HOSTILE[0],
            HOSTILE[2]
        ),
    )
    .unwrap();
    vec![
        "--format".into(),
        "html".into(),
        "--rules".into(),
        rules.display().to_string(),
        log.display().to_string(),
        trail.display().to_string(),
    ]
}

/// Every tag the page uses (the HTML and inline SVG this renderer
/// writes); `script`, `img`, `iframe`, `link`, `object` are not among them.
const ALLOWED_TAGS: [&str; 40] = [
    "!doctype",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "main",
    "footer",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "p",
    "small",
    "strong",
    "span",
    "code",
    "pre",
    "a",
    "table",
    "tr",
    "th",
    "td",
    "dl",
    "dt",
    "dd",
    "ol",
    "ul",
    "li",
    "figure",
    "figcaption",
    "div",
    "svg",
    "g",
    "rect",
    "line",
    "text",
];

/// The tags of `page`, `<` to `>`, with the SVG shapes' tags too.
fn tags(page: &str) -> Vec<&str> {
    page.match_indices('<')
        .map(|(i, _)| &page[i..i + page[i..].find('>').expect("every tag closes") + 1])
        .collect()
}

fn html(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    stdout(&args, b"")
}

#[test]
fn hostile_values_are_shown_escaped_and_never_as_markup() {
    let dir = tempfile::tempdir().unwrap();
    let page = html(&hostile_inputs(dir.path()));
    // Each value is on the page, as text.
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"),
        "{page}"
    );
    assert!(page.contains("javascript:alert(3)"), "{page}");
    // No element, attribute or link came from the input: escaped text
    // has no `<`, so every `<` opens one of the page's own tags.
    for tag in tags(&page) {
        let name: String = tag[1..]
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        assert!(
            ALLOWED_TAGS.contains(&name.to_ascii_lowercase().as_str()),
            "{tag}"
        );
        let attributes = tag.to_ascii_lowercase();
        assert!(
            !attributes.contains(" on") && !attributes.contains("src="),
            "{tag}"
        );
        if let Some(i) = attributes.find("href=\"") {
            assert!(attributes[i + 6..].starts_with("https://"), "{tag}");
        }
    }
    // Redacted like every report.
    assert!(!page.contains("wJalrXUtnFEMI"), "{page}");
    assert!(!page.contains("AKIAI44QH8DHBEXAMPLE"), "{page}");
    assert!(page.contains("AKIA…MPLE"), "{page}");
}

#[test]
fn the_page_has_a_policy_and_no_external_resource() {
    let page = stdout(
        &[
            "--format",
            "html",
            "fixtures/cloudtrail/repeated-denials.jsonl",
        ],
        b"",
    );
    let page = page.replace(root().to_str().unwrap(), "");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(
        page.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        ),
        "{page}"
    );
    assert!(!page.contains("<script"), "{page}");
    // The only addresses are the SVG namespace.
    let addresses: Vec<&str> = page
        .match_indices("://")
        .map(|(i, _)| &page[page[..i].rfind(['"', ' ', '>']).unwrap() + 1..i + 24])
        .collect();
    assert!(
        addresses
            .iter()
            .all(|a| a.starts_with("http://www.w3.org/2000/svg")),
        "{addresses:?}"
    );
}

#[test]
fn event_inputs_get_a_stacked_timeline_charts_and_grouped_findings() {
    let page = stdout(
        &[
            "--format",
            "html",
            "fixtures/cloudtrail/records.json",
            "fixtures/cloudtrail/repeated-denials.jsonl",
        ],
        b"",
    );
    let timeline = &page[page.find("<figure id=\"timeline\">").expect("a timeline")..];
    let timeline = &timeline[..timeline.find("</figure>").unwrap()];
    // Three root causes over the two hours: stacks of three colours.
    for (class, cause) in [
        ("c0", "authz.access-denied"),
        ("c1", "console.sign-in-failed"),
        ("c2", "role.assume-denied"),
    ] {
        assert!(
            timeline.contains(&format!("<rect class=\"{class}\"")),
            "{class}: {timeline}"
        );
        assert!(
            timeline.contains(&format!(
                "<span class=\"swatch {class}\"></span><code>{cause}</code>"
            )),
            "{cause}: {timeline}"
        );
    }
    // The stacks add up to the failures: 8 + 1 + 1 in the legend.
    assert!(
        timeline.contains("<code>authz.access-denied</code> 8"),
        "{timeline}"
    );
    for chart in [
        "root cause",
        "principal",
        "access key",
        "source IP",
        "user agent",
        "region",
    ] {
        assert!(
            page.contains(&format!(
                "<figcaption>Auth failures by {chart}</figcaption>"
            )),
            "{chart}"
        );
    }
    assert!(
        page.contains("Findings: 5 groups of auth failures"),
        "{page}"
    );
    assert!(
        page.contains("eventID 5b1c2d3e-0001-4f5a-8b6c-7d8e9f0a1b2c"),
        "{page}"
    );
}

#[test]
fn log_inputs_get_the_verdict_blocks_of_the_human_output() {
    let log = "fixtures/aws-debug/s3-ls-proxy-rewrites-host.log";
    let page = stdout(&["--format", "html", log], b"");
    let human = stdout(&["--color", "never", log], b"");
    assert!(
        human.contains("[signature.canonical-mismatch, high]"),
        "{human}"
    );
    assert!(
        page.contains("<code>[signature.canonical-mismatch, high]</code>"),
        "{page}"
    );
    // The same evidence lines, the same difference and the same fix steps.
    for (label, want) in [
        ("line 138", "<td class=\"line\">line 138</td>"),
        ("client signed", "client signed"),
        ("NO_PROXY=.amazonaws.com", "NO_PROXY=.amazonaws.com"),
    ] {
        assert!(human.contains(label), "{label}: {human}");
        assert!(page.contains(want), "{want}: {page}");
    }
    assert!(page.contains("<dt>fix</dt><dd><ol><li>"), "{page}");
}

// The browser test.

/// The browser, or why there is none: absent is a skip outside CI and a
/// failure in CI (`.ci/run` installs it).
fn chromium() -> Option<String> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    match found {
        Some(name) => Some(name.to_string()),
        None if std::env::var_os("CI").is_some() => {
            panic!(
                "chromium is required in CI for the HTML report's browser test (apt-get install chromium)"
            )
        }
        None => {
            eprintln!(
                "SKIPPED: chromium is not installed (apt-get install chromium); CI runs this test"
            );
            None
        }
    }
}

/// What the browser did with a page.
struct Visit {
    /// Console messages (errors, policy violations, the page's own).
    console: Vec<String>,
    /// Addresses the page asked the network for.
    requests: Vec<String>,
    /// The screenshot: width, height and RGBA pixels.
    screenshot: (u32, u32, Vec<u8>),
}

/// Opens `page` in headless chromium, in a window tall enough for the
/// timeline (scrolling to a `#fragment` gave blank screenshots): no
/// listening port (a screenshot run, not a DevTools server), no network
/// (a proxy that refuses, no name resolution), its own profile. It ends by
/// itself once the screenshot is written; it is killed after a minute.
fn visit(browser: &str, page: &Path) -> Visit {
    let dir = tempfile::tempdir().unwrap();
    let (shot, netlog) = (dir.path().join("shot.png"), dir.path().join("net.json"));
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1200,2400",
    ])
    .arg(format!(
        "--user-data-dir={}",
        dir.path().join("profile").display()
    ))
    .arg(format!("--log-net-log={}", netlog.display()))
    .arg(format!("--screenshot={}", shot.display()))
    .arg(format!("file://{}", page.display()))
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    // Chromium's sandbox refuses to run as root (CI containers).
    if is_root() {
        cmd.arg("--no-sandbox");
    }
    let mut child = cmd.spawn().expect("chromium starts");
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = reader.join().unwrap();
    assert!(status.success(), "chromium failed: {stderr}");
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Visit {
        console,
        requests: page_requests(&std::fs::read_to_string(&netlog).expect("a net log")),
        screenshot: decode(&shot),
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    })
}

/// The addresses a `file://` page requested, from chromium's net log: the
/// requests started for the page's site (the browser's own background
/// requests have another).
fn page_requests(netlog: &str) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(netlog).expect("the net log is JSON");
    let start = &log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| &e["type"] == start)
        .filter(|e| {
            let p = &e["params"];
            [
                &p["network_isolation_key"],
                &p["site_for_cookies"],
                &p["initiator"],
            ]
            .iter()
            .any(|v| {
                v.as_str()
                    .is_some_and(|s| s.contains("file://") || s == "null")
            })
        })
        .map(|e| e["params"]["url"].as_str().unwrap_or("").to_string())
        .collect()
}

fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let mut decoder =
        png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    assert_eq!(info.color_type, png::ColorType::Rgba);
    (info.width, info.height, pixels)
}

/// The longest vertical run of pixels of the colour `rgb`.
fn tallest_run(shot: &(u32, u32, Vec<u8>), rgb: [u8; 3]) -> u32 {
    let (width, height, pixels) = shot;
    let mut best = 0;
    for x in 0..*width {
        let mut run = 0;
        for y in 0..*height {
            let i = ((y * width + x) * 4) as usize;
            run = if pixels[i..i + 3] == rgb { run + 1 } else { 0 };
            best = best.max(run);
        }
    }
    best
}

/// Pixels of the colour `rgb` in the screenshot.
fn pixels_of(shot: &(u32, u32, Vec<u8>), rgb: [u8; 3]) -> usize {
    shot.2.chunks(4).filter(|p| p[..3] == rgb).count()
}

#[test]
fn the_page_loads_in_a_browser_without_errors_or_requests_and_draws_the_timeline() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut args = hostile_inputs(dir.path());
    args.push("fixtures/cloudtrail/records.json".into());
    args.push("fixtures/cloudtrail/repeated-denials.jsonl".into());
    args.push("fixtures/aws-debug/s3-ls-proxy-rewrites-host.log".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = bin().current_dir(root()).args(&args).output().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, &out.stdout).unwrap();

    let visit = visit(&browser, &page);
    assert_eq!(visit.console, Vec::<String>::new(), "console messages");
    assert_eq!(visit.requests, Vec::<String>::new(), "network requests");
    // The timeline was drawn: a stack of its busiest cause (c0, #4e79a7)
    // is a block far taller than any bar of the charts (18 px), and the
    // other two causes' colours (c1 #f28e2b, c2 #e15759) are there too.
    let shot = &visit.screenshot;
    assert!(
        tallest_run(shot, [0x4e, 0x79, 0xa7]) > 100,
        "no timeline stack"
    );
    for rgb in [[0xf2, 0x8e, 0x2b], [0xe1, 0x57, 0x59]] {
        assert!(
            pixels_of(shot, rgb) > 500,
            "{rgb:?}: {} pixels",
            pixels_of(shot, rgb)
        );
    }
    let colours: std::collections::HashSet<&[u8]> = shot.2.chunks(4).collect();
    assert!(colours.len() > 50, "{} colours", colours.len());
}

#[test]
fn the_browser_check_catches_a_page_that_fetches_or_runs_anything() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = stdout(
        &[
            "--format",
            "html",
            "fixtures/cloudtrail/repeated-denials.jsonl",
        ],
        b"",
    );
    let bad = "<img src=\"http://example.invalid/x.png\"><script>console.error('boom')</script>";
    // Under the page's policy, the attempt is blocked and said on the
    // console; without it, the request is seen in the net log.
    let blocked = dir.path().join("blocked.html");
    std::fs::write(&blocked, page.replace("</main>", &format!("{bad}</main>"))).unwrap();
    let visit_blocked = visit(&browser, &blocked);
    assert!(
        visit_blocked
            .console
            .iter()
            .any(|l| l.contains("example.invalid")),
        "{:?}",
        visit_blocked.console
    );
    assert!(
        visit_blocked.console.iter().any(|l| l.contains("script")),
        "{:?}",
        visit_blocked.console
    );
    let open = dir.path().join("open.html");
    let without_policy: String = page
        .lines()
        .filter(|l| !l.contains("Content-Security-Policy"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(
        &open,
        without_policy.replace("</main>", &format!("{bad}</main>")),
    )
    .unwrap();
    let visit_open = visit(&browser, &open);
    assert_eq!(
        visit_open.requests,
        vec!["http://example.invalid/x.png".to_string()]
    );
    assert!(
        visit_open.console.iter().any(|l| l.contains("boom")),
        "{:?}",
        visit_open.console
    );
}

// The example kept in docs/examples/.

const EXAMPLE: &str = "docs/examples/cloudtrail-and-debug-log.html";
const EXAMPLE_INPUTS: [&str; 3] = [
    "fixtures/aws-debug/s3-ls-proxy-rewrites-host.log",
    "fixtures/cloudtrail/records.json",
    "fixtures/cloudtrail/repeated-denials.jsonl",
];

#[test]
fn the_documented_html_example_is_current() {
    // Regenerate with: UPDATE_EXAMPLES=1 cargo test --test html the_documented_html_example
    let mut args = vec!["--format", "html"];
    args.extend(EXAMPLE_INPUTS);
    let out = bin().current_dir(root()).args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = String::from_utf8(out.stdout).unwrap();
    let path = root().join(EXAMPLE);
    if std::env::var_os("UPDATE_EXAMPLES").is_some() {
        std::fs::write(&path, &page).unwrap();
    }
    let example = std::fs::read_to_string(&path).unwrap_or_default();
    // The footer names the rule set's digest, which changes with any rule.
    let body = |s: &str| s.split("<footer>").next().unwrap().to_string();
    assert!(
        body(&example) == body(&page),
        "{EXAMPLE} is out of date; regenerate it: UPDATE_EXAMPLES=1 cargo test --test html the_documented_html_example"
    );
}
