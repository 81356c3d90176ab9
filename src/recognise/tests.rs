//! Recognition of the documented failure shapes (shared/reference/formats.md
//! and the clients' own exception messages); the wild corpus
//! (fixtures/wild, tests/wild.rs, benches/accuracy.rs) checks it on what
//! users really pasted.

use super::*;

fn one(text: &str) -> ErrorEvent {
    let events = scan(text, 1);
    assert_eq!(events.len(), 1, "{text}: {events:#?}");
    events.into_iter().next().unwrap()
}

fn code(text: &str) -> Option<String> {
    one(text).code
}

#[test]
fn every_needle_contains_a_cue() {
    // The prefilter must never hide a recognisable line.
    let needles = wording::SENTENCES
        .iter()
        .map(|(s, _, _)| *s)
        .chain(wording::CLIENT_WORDINGS.iter().map(|w| w.needle))
        .chain(wording::CONNECTION_FAILURES.iter().copied())
        .chain(wording::IMDS_HOSTS.iter().copied())
        .chain(["Curl returned error code 7", "cURL error 7:", "curl: (7)"])
        .chain(shapes::needles());
    let uncovered: Vec<&str> = needles
        .filter(|n| !CUES.iter().any(|c| n.contains(c)))
        .collect();
    assert!(uncovered.is_empty(), "needles without a cue: {uncovered:?}");
    // Sentences match whatever their capitals: each way a service writes
    // them (as here, all lower case, the first letter capitalised) must
    // still hold a cue.
    let capitalised = |s: &str| {
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    let has_cue = |s: &str| CUES.iter().any(|c| s.contains(c));
    let fragile: Vec<&str> = wording::SENTENCES
        .iter()
        .map(|(s, _, _)| *s)
        .filter(|s| !has_cue(&s.to_lowercase()) || !has_cue(&capitalised(s)))
        .collect();
    assert!(
        fragile.is_empty(),
        "sentences whose cue depends on case: {fragile:?}"
    );
}

#[test]
fn error_bodies_on_their_own() {
    // S3 REST-XML body (formats.md §2.1), split or not.
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>").as_deref(),
        Some("AuthorizationHeaderMalformed")
    );
    // JSON protocols (§2.7) and the x-amzn-ErrorType header.
    assert_eq!(
        code(r#"{"__type":"com.amazon.coral.service#ExpiredTokenException","message":"The security token included in the request is expired"}"#).as_deref(),
        Some("ExpiredTokenException")
    );
    assert_eq!(
        code("x-amzn-ErrorType: UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/").as_deref(),
        Some("UnrecognizedClientException")
    );
}

#[test]
fn standard_sentences_without_a_code() {
    let e = one(
        "Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)",
    );
    assert_eq!(
        (e.code.as_deref(), e.code_inferred),
        (Some("SignatureDoesNotMatch"), true)
    );
    let e = one(
        "User: arn:aws:sts::111122223333:assumed-role/ci/x is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::b/k with an explicit deny in a service control policy",
    );
    assert_eq!(e.code.as_deref(), Some("AccessDenied"));
    assert_eq!(e.operation.as_deref(), Some("PutObject"));
    assert!(
        e.message.starts_with("User: arn:aws:sts::"),
        "{}",
        e.message
    );
}

#[test]
fn a_denial_keeps_who_was_denied() {
    // cattle-ops/terraform-aws-gitlab-runner#1282 (a real paste): the code
    // is in a `code: X, message: Y` layout, the denial sentence inside Y.
    let e = one(
        "WARNING: received: 403 Forbidden. Request failed with code: AccessDenied, message: User: arn:aws:sts::xxxxxxxxx:assumed-role/xxxxxxxx-eu-west-1-linux-instance/i-055ca2376917ae809 is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::xxxxxxxx-eu-west-1-linux-xxxxxxxxx-gitlab-runner-cache\" because no identity-based policy allows the s3:ListBucket action ",
    );
    assert_eq!(e.code.as_deref(), Some("AccessDenied"));
    assert!(
        e.message.starts_with(
            "User: arn:aws:sts::xxxxxxxxx:assumed-role/xxxxxxxx-eu-west-1-linux-instance/"
        ),
        "{}",
        e.message
    );
}

#[test]
fn a_wrapped_java_message_is_read_joined() {
    // AWS SDK for Java v1's message wraps at the terminal's width.
    let text = "com.amazonaws.services.s3.model.AmazonS3Exception: The AWS Access Key Id you provided does not exist in our records. (Service: Amazon S3; Status Code: 403; Error\nCode: InvalidAccessKeyId; Request ID: 1A2B)\nnext\n";
    let e = one(text);
    assert_eq!(e.code.as_deref(), Some("InvalidAccessKeyId"));
    assert_eq!(e.evidence.line, 1);
}

#[test]
fn client_wordings_give_the_kind() {
    for (line, kind) in [
        (
            "CredentialsError: Missing credentials in config, if using AWS_CONFIG_FILE, set AWS_SDK_LOAD_CONFIG=1",
            ErrorKind::NoCredentials,
        ),
        (
            "Aws::Errors::MissingCredentialsError: unable to sign request without credentials set",
            ErrorKind::NoCredentials,
        ),
        (
            "botocore.exceptions.SSOTokenLoadError: Error loading SSO Token: Token for my-sso does not exist",
            ErrorKind::SsoToken,
        ),
        (
            "RuntimeError: Credentials were refreshed, but the refreshed credentials are still expired.",
            ErrorKind::CredentialsExpired,
        ),
        (
            "requests.exceptions.SSLError: HTTPSConnectionPool(host='sts.amazonaws.com', port=443): Max retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed')))",
            ErrorKind::Tls,
        ),
        ("KeyError: 'aws_access_key_id'", ErrorKind::ConfigParse),
        (
            "botocore.exceptions.NoRegionError: You must specify a region.",
            ErrorKind::NoRegion,
        ),
        // botocore's CredentialRetrievalError and MetadataRetrievalError
        // (botocore/exceptions.py), and the ECS agent's credentials handler.
        (
            "Error when retrieving credentials from container-role: Error retrieving metadata: Received error when attempting to retrieve container metadata: Connect timeout",
            ErrorKind::Imds,
        ),
        (
            "CredentialsV2Request: ID not found. Request IP Address: 172.17.0.3:22252",
            ErrorKind::Imds,
        ),
        (
            "ProviderError: Error response received from instance metadata service",
            ErrorKind::Imds,
        ),
    ] {
        assert_eq!(one(line).kind, kind, "{line}");
    }
}

#[test]
fn connection_failures_count_towards_aws_and_imds_only() {
    let imds = one("Error: connect EHOSTDOWN 169.254.169.254:80 - Local (172.17.0.2:40220)");
    assert_eq!(imds.kind, ErrorKind::Imds);
    assert_eq!(imds.detail.as_deref(), Some("169.254.169.254:80"));
    let dns = one("dial tcp: lookup sts.eu-west-1b.amazonaws.com: no such host");
    assert_eq!(dns.kind, ErrorKind::EndpointConnection);
    assert_eq!(dns.detail.as_deref(), Some("sts.eu-west-1b.amazonaws.com"));
    assert!(scan("dial tcp 10.0.0.5:5432: connect: connection refused\n", 1).is_empty());
}

#[test]
fn metadata_clients_are_known_by_name_without_an_address() {
    // Real lines: kubernetes-sigs/aws-load-balancer-controller (Go v1's
    // ec2metadata behind IMDSv2 with hop limit 1; Go v2's ec2imds timing
    // out), aws/aws-cdi-sdk (C++ SDK).
    let v1 = one(
        r#"{"level":"error","msg":"unable to initialize AWS cloud","error":"failed to introspect vpcID from EC2Metadata, specify --aws-vpc-id instead if EC2Metadata is unavailable: EC2MetadataError: failed to make EC2Metadata request\n\n\tstatus code: 401, request id: "}"#,
    );
    assert_eq!((v1.kind, v1.status), (ErrorKind::Imds, Some(401)));
    let v2 = one(
        r#"{"level":"error","error":"failed to get VPC ID: failed to fetch VPC ID from instance metadata: error in fetching vpc id through ec2 metadata: get mac metadata: operation error ec2imds: GetMetadata, canceled, context deadline exceeded"}"#,
    );
    assert_eq!(v2.kind, ErrorKind::Imds);
    let cpp = one(
        "AWS-SDK: [[ERROR] 2024-06-07 22:42:12.586 EC2MetadataClient [140486344184576] Http request to retrieve credentials failed with error code 401].",
    );
    assert_eq!((cpp.kind, cpp.status), (ErrorKind::Imds, Some(401)));
    // A name alone is no failure.
    assert!(scan("INFO EC2Metadata: fetched region eu-west-1\n", 1).is_empty());
}

#[test]
fn configure_list_without_credentials_is_a_failure() {
    // Real output (aws/aws-cli#2212): after `sudo aws configure`, the
    // user's own `aws configure list` finds nothing.
    let text = "      Name                    Value             Type    Location
      ----                    -----             ----    --------
   profile                <not set>             None    None
access_key                <not set>             None    None
secret_key                <not set>             None    None
    region                <not set>             None    None
";
    let e = one(text);
    assert_eq!((e.kind, e.evidence.line), (ErrorKind::NoCredentials, 4));
    let found = "access_key     ****************ABCD shared-credentials-file\n";
    assert!(scan(found, 1).is_empty());
}

#[test]
fn curl_numbers_are_read_as_their_failure() {
    // Real lines: the AWS SDK for C++ on Android (a cocos2d-x thread),
    // the PHP SDK through Guzzle (a Lumen thread).
    let cpp = one(
        "D/cocos2d-x debug info(29924): #### [ERROR] 2016-08-01 13:42:31 CurlHttpClient [-1346033664] Curl returned error code 60",
    );
    assert_eq!(cpp.kind, ErrorKind::Tls);
    let php = one(
        "Error executing \"ListObjects\" on \"https://bucket.s3.amazonaws.com/?prefix=x\"; AWS HTTP error: cURL error 6: Could not resolve host: bucket.s3.amazonaws.com",
    );
    assert_eq!(php.kind, ErrorKind::EndpointConnection);
    let proxy =
        one("curl: (5) Could not resolve proxy: proxy.corp; fetching https://sts.amazonaws.com/");
    assert_eq!(proxy.kind, ErrorKind::Proxy);
    // Not about AWS, or a number that is no connection failure.
    assert!(
        scan(
            "curl: (60) SSL certificate problem on https://example.com\n",
            1
        )
        .is_empty()
    );
    assert!(curl_kind("Curl returned error code 3 on https://s3.amazonaws.com").is_none());
}

fn curl_kind(line: &str) -> Option<ErrorKind> {
    wording::curl_failure(line).map(|(k, _)| k)
}

#[test]
fn a_message_cut_after_its_colon_is_read_with_the_next_line() {
    // Real paste (OvertureMaps, configure-aws-credentials): the action
    // the denial names is on the next line.
    let text = "Retry AssumeRole: attempt 1 of 12 failed: Could not assume role with user credentials: User:
arn:aws:sts::913550007193:assumed-role/stac-publish-oidc-overturemaps/GitHubActions is not authorized to perform:
sts:TagSession on resource: arn:aws:iam::763944545891:role/cloudfront-invalidator
";
    let events = scan(text, 1);
    let denial = events
        .iter()
        .find(|e| e.code.as_deref() == Some("AccessDenied"));
    let message = &denial.expect("the denial").message;
    assert!(message.contains("sts:TagSession"), "{message}");
}

#[test]
fn a_credential_chain_lists_its_providers_as_details() {
    // Real paste (aws/copilot-cli, `env -i`): aws-sdk-go v1's verbose
    // chain errors, then a line after a blank one.
    let text = "Error: NoCredentialProviders: no valid providers in chain
caused by: EnvAccessKeyNotFound: failed to find credentials in the environment.
SharedCredsLoad: failed to load profile, .
EC2RoleRequestError: no EC2 instance role found
caused by: RequestError: send request failed
caused by: Get http://169.254.169.254/latest/meta-data/iam/security-credentials/: dial tcp 169.254.169.254:80: connect: host is down

Error: SharedCredsLoad: failed to load profile, prod.
";
    let events = scan(text, 10);
    let details: Vec<(usize, bool)> = events
        .iter()
        .map(|e| (e.evidence.line, e.consequence))
        .collect();
    assert_eq!(details.first(), Some(&(10, false)), "{details:?}");
    assert!(
        details
            .iter()
            .filter(|(l, _)| (11..16).contains(l))
            .all(|(_, c)| *c),
        "{details:?}"
    );
    assert!(
        details.iter().filter(|(l, _)| (11..16).contains(l)).count() >= 2,
        "{details:?}"
    );
    assert_eq!(details.last(), Some(&(17, false)), "{details:?}");
}

#[test]
fn a_status_line_in_place_of_a_code_gives_way_to_the_words() {
    // Real line (apache/hadoop, S3A): the SDK for Java v1 on a HEAD
    // request, which S3 answers without a body.
    let e = one(
        "org.apache.hadoop.fs.s3a.AWSRedirectException: getFileStatus on s3a://osm-pds/planet/planet-latest.orc#_partition.lst: com.amazonaws.services.s3.model.AmazonS3Exception: The bucket is in this region: us-east-1. Please use this region to retry the request (Service: Amazon S3; Status Code: 301; Error Code: 301 Moved Permanently; Request ID: E6941931CE0008E4)",
    );
    assert_eq!(e.code.as_deref(), Some("PermanentRedirect"));
    assert!(is_status_line("301 Moved Permanently") && is_status_line("403"));
    assert!(!is_status_line("AccessDenied") && !is_status_line("4000Error"));
}

#[test]
fn an_xml_message_over_several_lines_is_read_whole() {
    // A documented shape, not a paste: S3's error body (Amazon S3 API
    // Reference, "Error responses") with its message wrapped, as a
    // pretty-printer or a narrow terminal leaves it.
    let text = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization
header is malformed; the region 'us-east' is wrong; expecting
'us-east-1'</Message><Region>us-east-1</Region></Error>
";
    let e = one(text);
    assert_eq!(e.code.as_deref(), Some("AuthorizationHeaderMalformed"));
    assert!(e.message.contains("expecting 'us-east-1'"), "{}", e.message);
}

#[test]
fn sdk_codes_for_its_own_failures_are_read_for_why() {
    // Real line: aws-sdk-go v1 in a Lambda without a NAT (a Go thread).
    let e = one(
        r#"  "errorMessage": "{\"code\":500,\"raw\":\"RequestError: send request failed\\ncaused by: Post \\\"https://sts.amazonaws.com/\\\": dial tcp 52.46.149.173:443: i/o timeout\"}","#,
    );
    assert_eq!(e.kind, ErrorKind::EndpointConnection);
    assert_eq!(e.code, None);
}

#[test]
fn ordinary_logs_are_not_failures() {
    let text = "Compiling authsift v0.1.0\nRunning tests\nerror: 0 errors\nThe policy allows s3:GetObject\n[default]\nregion = eu-west-1\n";
    assert!(scan(text, 1).is_empty(), "{:#?}", scan(text, 1));
}

#[test]
fn sentences_match_whatever_their_capitals() {
    // ECR has capitalised its token message differently over the years.
    let e = one(
        "denied: Your Authorization Token has expired. Please run 'aws ecr get-login' to fetch a new one.",
    );
    assert_eq!(
        (e.code.as_deref(), e.code_inferred),
        (Some("ExpiredToken"), true)
    );
}

#[test]
fn sentences_imply_their_operation() {
    let e = one("Error: The role \"arn:aws:iam::111122223333:role/deploy\" cannot be assumed.");
    assert_eq!(
        (e.code.as_deref(), e.operation.as_deref()),
        (Some("AccessDenied"), Some("AssumeRole"))
    );
}

#[test]
fn a_short_word_in_a_code_field_is_no_aws_code() {
    // gRPC's status codes share a few words with AWS's table.
    assert!(scan("rpc error: code = Unknown desc = something\n", 1).is_empty());
}

#[test]
fn a_refused_iam_action_in_any_words_is_a_denial() {
    // The shape of a client naming the IAM action it lacked.
    let e = one(
        "Unauthorized operation: failed to call ec2:DescribeSubnets due to missing permissions. Please refer to the policy docs",
    );
    assert_eq!(
        (e.code.as_deref(), e.code_inferred),
        (Some("AccessDenied"), true)
    );
    assert!(e.message.starts_with("Unauthorized operation"));
    // An action without refusal, and refusal without an action, are not.
    assert!(scan("granted s3:GetObject to the role", 1).is_empty());
    assert!(scan("upload failed: unauthorized", 1).is_empty());
}

#[test]
fn a_code_before_a_colon_is_a_code_without_failure_words() {
    // aws-sdk-go v1's `Code: Message`, printed bare by the tools on it
    // (amazon-s3-php-class and cloudquery threads in fixtures/wild).
    let e = one(
        "AuthorizationHeaderMalformed: the region 'us-east-1' is wrong; expecting 'ap-northeast-1'",
    );
    assert_eq!(e.code.as_deref(), Some("AuthorizationHeaderMalformed"));
    assert!(e.message.starts_with("the region"), "{}", e.message);
    // A word the table does not know is no code, colon or not.
    assert!(scan("Summary: the region is fine\n", 1).is_empty());
}

#[test]
fn a_message_cut_after_a_semicolon_is_read_joined() {
    // Real paste (cloudquery, fixtures/wild/web-cloudquery-s3-fetch-always-us-east-1.txt).
    let text = "2020/12/17 00:04:54 AuthorizationHeaderMalformed: The authorization header is malformed; \nthe region 'us-east-1' is wrong; expecting 'eu-central-1'\n";
    let e = one(text);
    assert!(
        e.message.ends_with("expecting 'eu-central-1'"),
        "{}",
        e.message
    );
}

#[test]
fn a_code_with_its_message_on_a_line_below_is_one_failure() {
    // Real paste (Clojure aws-api, fixtures/wild/sdk-clojure-aws-api-streams-dynamodb-wrong-credential-scope.txt).
    let text = concat!(
        "  ;; => {\"__type\" \"com.amazon.coral.service#InvalidSignatureException\",\n",
        "  ;;     \"message\" \"Credential should be scoped to correct service: 'dynamodb'. \",\n",
        "  ;;     :cognitect.anomalies/category :cognitect.anomalies/incorrect}\n",
    );
    let e = one(text);
    assert_eq!(e.code.as_deref(), Some("InvalidSignatureException"));
    assert_eq!(
        e.message,
        "Credential should be scoped to correct service: 'dynamodb'."
    );
    assert!(e.evidence.text.contains("scoped to correct service"));
    // JavaScript's error objects print `message: '…'` the same way.
    let js = "{\n  \"__type\": \"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\",\n  message: 'Requested resource not found'\n}\n";
    assert_eq!(one(js).message, "Requested resource not found");
    // A blank line ends the body: a message after it is not this code's.
    let apart =
        "\"__type\": \"com.amazon.coral.service#InvalidSignatureException\",\n\nmessage: 'other'\n";
    assert_eq!(scan(apart, 1)[0].message, "");
}

#[test]
fn other_wordings_of_known_failures() {
    // MinIO's RequestTimeTooSkewed (fixtures/wild/k8s-minio-docker-for-mac-vm-clock-behind.txt).
    let e = one("The difference between the request time and the server's time is too large");
    assert_eq!(e.code.as_deref(), Some("RequestTimeTooSkewed"));
    // Serverless naming the profile it did not find (fixtures/wild/iac-serverless-cli-profile-flag-read-as-aws-profile.txt).
    let e = one("Error: Profile staging does not exist");
    assert_eq!(
        (e.kind, e.detail.as_deref()),
        (ErrorKind::ProfileNotFound, Some("staging"))
    );
    assert!(scan("the profile page does not load\n", 1).is_empty());
    // A failure told of the metadata service's own paths (propsd,
    // fixtures/wild/web-propsd-ec2-no-iam-role-metadata-credentials.txt).
    let e = one(
        "Aws-sdk returned the following error during the metadata service request to /latest/meta-data/iam/security-credentials/: {\"message\":null}",
    );
    assert_eq!(e.kind, ErrorKind::Imds);
}

/// The first event of a whole pasted text, as the scan reads it.
fn first_event(text: &str) -> ErrorEvent {
    scan(text, 1).into_iter().next().expect("a failure")
}

#[test]
fn a_nameless_failure_in_the_metadata_clients_trace_is_the_metadata_services() {
    // awsdocs/amazon-ecs-developer-guide#116 (.NET) and aws/aws-sdk-ruby#913
    // (Ruby), real pastes cut to their first frames.
    let dotnet = "Error: Error Code: AWSSDK.Core  Type: Amazon.Runtime.AmazonServiceException  HttpStatusCode: \n    at Amazon.Runtime.DefaultInstanceProfileAWSCredentials.FetchCredentials() \n    at Amazon.Runtime.DefaultInstanceProfileAWSCredentials.GetCredentials() \n";
    assert_eq!(first_event(dotnet).kind, ErrorKind::Imds);
    let ruby = "Aws::Json::ParseError: 795: unexpected token at ''\n [GEM_ROOT]/gems/aws-sdk-core-2.1.13/lib/aws-sdk-core/json.rb:28 :in `rescue in load`\n[GEM_ROOT]/gems/aws-sdk-core-2.1.13/lib/aws-sdk-core/instance_profile_credentials.rb:68 :in `refresh`\n";
    assert_eq!(first_event(ruby).kind, ErrorKind::Imds);
    // A trace through other SDK code says nothing of the metadata service.
    let other = "Error: Error Code: AWSSDK.Core  Type: Amazon.Runtime.AmazonServiceException  HttpStatusCode: \n    at Amazon.Runtime.Internal.RetryHandler.InvokeSync(IExecutionContext executionContext) \n";
    assert_ne!(first_event(other).kind, ErrorKind::Imds);
}

#[test]
fn aws_sentences_in_other_stores_and_services_words() {
    // stefanprodan/mgob#50: MinIO's wording of InvalidAccessKeyId.
    let e = one("The access key ID you provided does not exist in our records");
    assert_eq!(e.code.as_deref(), Some("InvalidAccessKeyId"));
    // 99designs/aws-vault#263: STS refusing a chained session over an hour.
    let e = one(
        "ValidationError: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    assert_eq!(e.code.as_deref(), Some("ValidationError"));
    assert_eq!(e.operation.as_deref(), Some("AssumeRole"));
    assert!(
        e.message.starts_with("The requested DurationSeconds"),
        "{}",
        e.message
    );
}

#[test]
fn a_java_message_keeps_its_own_parentheses() {
    // aws-amplify/aws-sdk-android#88 (a real paste).
    let e = one(
        "Signature expired: 20151130T204723Z is now earlier than 20160119T133514Z (20160119T135014Z - 15 min.) (Service: AmazonSQS; Status Code: 403; Error Code: SignatureDoesNotMatch; Request ID: 9f58eb2d-329a-5b8b-be24-a43573ccd373)",
    );
    assert_eq!(e.code.as_deref(), Some("SignatureDoesNotMatch"));
    assert!(
        e.message.starts_with("Signature expired: 20151130T204723Z"),
        "{}",
        e.message
    );
}

#[test]
fn the_regions_of_other_partitions_are_read_anywhere() {
    // claudiajs/claudia#187 (a real paste): the region is in the command.
    let text = "claudia create --profile cn --name cn-func-prod --region cn-north-1 --api-module src/index --timeout 15\n\nThe AWS Access Key Id you provided does not exist in our records.\n";
    let context = super::context::read(text, 1);
    assert_eq!(
        context.other_partition.map(|(r, _)| r).as_deref(),
        Some("cn-north-1")
    );
    let commercial = super::context::read("aws s3 ls --region eu-west-1\n", 1);
    assert_eq!(commercial.other_partition, None);
}

#[test]
fn a_nameless_failure_about_bad_configuration_is_a_configuration_problem() {
    // Real pastes: pulumi/pulumi-aws#5116, aws/aws-toolkit-vscode#2394.
    for line in [
        "    pulumi:providers:aws default_6_66_3  error: pulumi:providers:aws resource 'default_6_66_3' has a problem: `aws:awsAccessKey` is not a valid configuration key for the aws provider.",
        "   login: failed to connect with \"profile:some-assumed-role: Profile leigh.m is not a valid Credential Profile: Profile leigh.m is not supported by the Toolkit",
    ] {
        assert_eq!(one(line).kind, ErrorKind::ConfigParse, "{line}");
    }
    // boto/botocore#38: configparser's words for a key left out.
    let e = one("No option 'aws_access_key_id' in section: 'Credentials'");
    assert_eq!(e.kind, ErrorKind::ConfigParse);
    // A failure about AWS that says nothing of its configuration stays
    // unnamed.
    let e = one("Error: failed to upload the object to the S3 bucket");
    assert_eq!(e.kind, ErrorKind::Unrecognised);
}

#[test]
fn a_sentence_saying_credentials_were_not_found_is_no_credentials() {
    // Real paste: fhir-works-on-aws-deployment's installer
    // (fixtures/wild/iac-fhir-works-install-sudo-profile-in-user-home.txt).
    let e = one(
        "Could not find any valid AWS credentials. You can configure credentials by running 'aws configure'.",
    );
    assert_eq!((e.kind, e.evidence.line), (ErrorKind::NoCredentials, 1));
    // A provider that failed to retrieve its credentials failed for a
    // reason of its own (kubernetes/autoscaler, fixtures/wild/k8s-cluster-autoscaler-oidc-incorrect-token-audience.txt).
    let e = one(
        "E0512 07:27:20.361028       1 aws_manager.go:265] Failed to regenerate ASG cache: cannot autodiscover ASGs: WebIdentityErr: failed to retrieve credentials",
    );
    assert_ne!(e.kind, ErrorKind::NoCredentials);
}

#[test]
fn a_failure_nobody_named_in_a_text_about_aws_is_no_clean_bill() {
    // Real paste: aws/aws-cli#5332 (fixtures/wild/py-awscli-5332-cli-pager-quoted-empty-string.txt):
    // the error line names nothing of AWS, the command above it does.
    let text = "➜  ~ aws sts get-caller-identity\n[Errno 13] Permission denied: ''\n";
    let events = scan(text, 1);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        (events[0].kind, events[0].evidence.line),
        (ErrorKind::Unrecognised, 2)
    );
    // The same words in a text about something else are not AWS's failure.
    assert!(scan("$ ls /root\n[Errno 13] Permission denied: ''\n", 1).is_empty());
}

#[test]
fn a_go_cause_on_the_line_below_is_the_failures_detail() {
    // Real lines (hashicorp/terraform, fixtures/wild/iac-tf-s3-backend-sso-session-cache.txt),
    // inside Terraform's box.
    let text = "│ Error: SSOProviderInvalidToken: the SSO session has expired or is invalid\n│ caused by: open /Users/username/.aws/sso/cache/7ad....0ebf54.json: no such file or directory\n";
    let events = scan(text, 1);
    let sso = events
        .iter()
        .find(|e| e.kind == ErrorKind::SsoToken)
        .expect("the SSO failure");
    assert_eq!(
        sso.detail.as_deref(),
        Some("open /Users/username/.aws/sso/cache/7ad....0ebf54.json: no such file or directory")
    );
    // A cause two lines below belongs to something else.
    let apart = scan(
        "Error: SSOProviderInvalidToken: the SSO session has expired or is invalid\n\ncaused by: x\n",
        1,
    );
    assert!(apart.iter().all(|e| e.detail.is_none()), "{apart:#?}");
}

#[test]
fn a_debug_log_that_ends_opening_a_connection_hung_there() {
    // Real paste (aws/aws-cli, fixtures/wild/py-awscli-sqs-private-vpc-legacy-queue-endpoint.txt).
    let text = "aws sqs send-message --queue-url \"https://sqs.us-east-1.amazonaws.com/${ACCOUNT_ID}/${QUEUE}\" --message-body=\"test\n\n2021-02-22 03:20:31,710 - MainThread - urllib3.connectionpool - DEBUG - Starting new HTTPS connection (1): queue.amazonaws.com:443\n";
    let event = one(text);
    assert_eq!(event.kind, ErrorKind::ConnectTimeout);
    assert_eq!(event.detail.as_deref(), Some("queue.amazonaws.com"));
    assert_eq!(event.evidence.line, 3);
    // Answered: the request line follows, so nothing hung.
    let answered = format!(
        "{text}2021-02-22 03:20:31,900 - MainThread - urllib3.connectionpool - DEBUG - https://queue.amazonaws.com:443 \"POST / HTTP/1.1\" 200 378\n"
    );
    assert!(scan(&answered, 1).is_empty());
}

#[test]
fn a_region_a_client_refuses_by_name_is_read_with_the_name() {
    // Real lines: distribution/distribution (docker registry's S3 driver,
    // fixtures/wild/k8s-docker-registry-s3-us-east-2-invalid-region.txt),
    // aws/aws-sdk-net (a Traditional Chinese .NET runtime,
    // fixtures/wild/sdk-dotnet-cnnorthwest1-field-missing-old-core.txt).
    let go = one("panic: Invalid region provided: us-east-2");
    assert_eq!(
        (go.kind, go.detail.as_deref()),
        (ErrorKind::CliUsage, Some("us-east-2"))
    );
    let net = one("找不到欄位: 'Amazon.RegionEndpoint.CNNorthWest1'");
    assert_eq!(
        (net.kind, net.detail.as_deref()),
        (ErrorKind::CliUsage, Some("CNNorthWest1"))
    );
    // Java SDK v1's Regions.fromName, in its own words (aws/aws-sdk-java,
    // aws-java-sdk-core/src/main/java/com/amazonaws/regions/Regions.java).
    let java = one("java.lang.IllegalArgumentException: Cannot create enum from ap-east-1 value!");
    assert_eq!(java.detail.as_deref(), Some("ap-east-1"));
}

#[test]
fn a_missing_shared_credentials_file_in_any_runtimes_words_is_no_credentials() {
    // Real line (one2nc/cloudlens, fixtures/wild/k8s-cloudlens-sso-only-no-credentials-file.txt).
    let go = one(
        "panic: failed to read profiles -- open /Users/athiqur.rahman/.aws/credentials: no such file or directory",
    );
    assert_eq!(
        (go.kind, go.detail.as_deref()),
        (
            ErrorKind::NoCredentials,
            Some("/Users/athiqur.rahman/.aws/credentials")
        )
    );
    // Python's and Node's printed forms of the same failure.
    let py =
        one("FileNotFoundError: [Errno 2] No such file or directory: '/home/u/.aws/credentials'");
    assert_eq!(py.detail.as_deref(), Some("/home/u/.aws/credentials"));
    let node = one("Error: ENOENT: no such file or directory, open '/home/u/.aws/credentials'");
    assert_eq!(node.detail.as_deref(), Some("/home/u/.aws/credentials"));
    // Another missing file is no missing credentials.
    assert!(scan("open /etc/app.yaml: no such file or directory\n", 1).is_empty());
}

#[test]
fn the_clis_sentence_cut_short_by_hand_is_read_on_the_next_line() {
    // Real paste (MetOffice/aws-earth-examples, fixtures/wild/web-metoffice-earth-public-bucket-headobject-403.txt).
    let event = one(
        "\"fatal error: An error occurred (403) when calling the HeadObject\noperation: Forbidden\"\n",
    );
    assert_eq!(event.operation.as_deref(), Some("HeadObject"));
    // A bodiless 403's reason phrase is all AWS said: a refusal.
    assert_eq!(event.code.as_deref(), Some("Forbidden"));
    assert!(event.code_inferred);
}

#[test]
fn a_text_about_aws_with_any_word_of_trouble_is_no_clean_bill() {
    // Real line (aws/aws-cdk, fixtures/wild/iac-cdk-expired-sso-unable-to-resolve-account.txt):
    // `Unable` is no word the per-line recognisers take as a failure.
    let text = "Unable to resolve AWS account to use. It must be either configured when you define your CDK Stack, or through the environment";
    let event = failure_in_text_about_aws(text, 1).expect("a failure");
    assert_eq!(event.kind, ErrorKind::Unrecognised);
    // Real line (aws/aws-cli#6500, a run that worked): a setting is no trouble.
    assert!(
        failure_in_text_about_aws(
            "2021-10-25 22:00:11,706 - MainThread - botocore.endpoint - DEBUG - Setting s3 timeout as (60, 60)",
            1
        )
        .is_none()
    );
}
