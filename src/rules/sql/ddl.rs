//! The standard CloudTrail table for each engine: Athena's `CREATE TABLE`
//! with partition projection over CloudTrail's S3 layout (delivery files
//! only, as CloudTrail writes them), a DuckDB view over
//! `read_json_objects` and a Spark temporary view over `spark.read.json`
//! that read the delivery files and the shapes events are exported in
//! (bare arrays, JSON Lines). One
//! column list ([`COLUMNS`]), the one AWS documents for Athena
//! (<https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html>),
//! rendered in each engine's types.

use std::fmt::Write as _;

use super::{Dialect, SqlError, check_table};

/// A column's type: text, JSON kept as text, or a structure.
enum Ty {
    Str,
    /// An object whose shape differs per API: kept as its JSON text
    /// (`STRING` in Athena's table).
    Json,
    Struct(&'static [(&'static str, Ty)]),
    Array(&'static Ty),
}

use Ty::{Array, Json, Str, Struct};

const SESSION_ISSUER: Ty = Struct(&[
    ("type", Str),
    ("principalId", Str),
    ("arn", Str),
    ("accountId", Str),
    ("userName", Str),
]);

const USER_IDENTITY: Ty = Struct(&[
    ("type", Str),
    ("principalId", Str),
    ("arn", Str),
    ("accountId", Str),
    ("invokedBy", Str),
    ("accessKeyId", Str),
    ("userName", Str),
    (
        "onBehalfOf",
        Struct(&[("userId", Str), ("identityStoreArn", Str)]),
    ),
    (
        "sessionContext",
        Struct(&[
            (
                "attributes",
                Struct(&[("mfaAuthenticated", Str), ("creationDate", Str)]),
            ),
            ("sessionIssuer", SESSION_ISSUER),
            ("ec2RoleDelivery", Str),
            (
                "webIdFederationData",
                Struct(&[("federatedProvider", Str), ("attributes", Json)]),
            ),
        ]),
    ),
]);

const RESOURCE: Ty = Struct(&[("arn", Str), ("accountId", Str), ("type", Str)]);

/// The columns of AWS's documented CloudTrail table, named as the JSON
/// records name them.
const COLUMNS: &[(&str, Ty)] = &[
    ("eventVersion", Str),
    ("userIdentity", USER_IDENTITY),
    ("eventTime", Str),
    ("eventSource", Str),
    ("eventName", Str),
    ("awsRegion", Str),
    ("sourceIPAddress", Str),
    ("userAgent", Str),
    ("errorCode", Str),
    ("errorMessage", Str),
    ("requestParameters", Json),
    ("responseElements", Json),
    ("additionalEventData", Json),
    ("requestID", Str),
    ("eventID", Str),
    ("readOnly", Str),
    ("resources", Array(&RESOURCE)),
    ("eventType", Str),
    ("apiVersion", Str),
    ("recipientAccountId", Str),
    ("serviceEventDetails", Json),
    ("sharedEventID", Str),
    ("vpcEndpointId", Str),
    ("vpcEndpointAccountId", Str),
    ("eventCategory", Str),
    (
        "addendum",
        Struct(&[
            ("reason", Str),
            ("updatedFields", Str),
            ("originalRequestID", Str),
            ("originalEventID", Str),
        ]),
    ),
    ("sessionCredentialFromConsole", Str),
    ("edgeDeviceDetails", Json),
    (
        "tlsDetails",
        Struct(&[
            ("tlsVersion", Str),
            ("cipherSuite", Str),
            ("clientProvidedHostHeader", Str),
        ]),
    ),
];

/// A type in Hive's syntax (Athena, Spark).
fn render(ty: &Ty) -> String {
    match ty {
        Str | Json => "STRING".to_string(),
        Array(inner) => format!("ARRAY<{}>", render(inner)),
        Struct(fields) => {
            let f: Vec<String> = fields
                .iter()
                .map(|(n, t)| format!("`{n}`: {}", render(t)))
                .collect();
            format!("STRUCT<{}>", f.join(", "))
        }
    }
}

/// The table definition for `dialect` over `paths` (local files and
/// directories, or for Athena one `s3://…/AWSLogs/<account>/CloudTrail/`).
pub fn ddl(dialect: Dialect, table: &str, paths: &[String]) -> Result<String, SqlError> {
    check_table(table)?;
    if paths.is_empty() {
        return Err(SqlError::Ddl(
            "--ddl needs the files or directories to read (for trino: one s3:// location)"
                .to_string(),
        ));
    }
    Ok(match dialect {
        Dialect::Duckdb => duckdb(table, paths),
        Dialect::Spark => spark(table, paths),
        Dialect::Trino => athena(table, paths)?,
    })
}

/// Where DuckDB and Spark look under a directory: CloudTrail's files
/// (`.json.gz`, or `.json` once unpacked), at any depth.
fn globbed(path: &str) -> String {
    if path.ends_with('/') || std::path::Path::new(path).is_dir() {
        format!("{}/**/*.json*", path.trim_end_matches('/'))
    } else {
        path.to_string()
    }
}

/// A type as a structure for DuckDB's `from_json` (JSON whose leaves are
/// type names): unlike a cast, a key the event lacks reads as NULL.
fn structure(ty: &Ty) -> String {
    match ty {
        Str => "\"VARCHAR\"".to_string(),
        Json => "\"JSON\"".to_string(),
        Array(inner) => format!("[{}]", structure(inner)),
        Struct(fields) => {
            let f: Vec<String> = fields
                .iter()
                .map(|(n, t)| format!("\"{n}\":{}", structure(t)))
                .collect();
            format!("{{{}}}", f.join(","))
        }
    }
}

/// Every shape CloudTrail events are kept in, told apart per JSON value:
/// a delivery file's `{"Records":[…]}` (also one a line), an event (a
/// line of JSON Lines, an element of a bare array), anything else (a
/// digest file) no row.
fn duckdb(table: &str, paths: &[String]) -> String {
    let files: Vec<String> = paths
        .iter()
        .map(|p| Dialect::Duckdb.lit(&globbed(p)))
        .collect();
    let record = structure(&Struct(COLUMNS));
    format!(
        "-- authsift {}: the standard CloudTrail table for DuckDB, over CloudTrail's files as delivered\n\
         -- ({{\"Records\":[…]}}) or exported (a JSON array of events, JSON Lines of events or of\n\
         -- {{\"Records\":[…]}}), .json, .jsonl or gzipped; one row per event, and the file it came from.\n\
         CREATE OR REPLACE VIEW {table} AS\n\
         SELECT unnest(record), input_file FROM (\n  \
           SELECT unnest(CASE\n      \
             WHEN json_type(json, '$.Records') = 'ARRAY' THEN from_json(json->'Records', {})\n      \
             WHEN json_exists(json, '$.eventID') THEN [from_json(json, {})]\n      \
             ELSE [] END) AS record, filename AS input_file\n  \
           FROM read_json_objects([{}], format = 'auto', filename = true,\n    \
             maximum_object_size = 1073741824)\n\
         );\n",
        env!("CARGO_PKG_VERSION"),
        Dialect::Duckdb.lit(&format!("[{record}]")),
        Dialect::Duckdb.lit(&record),
        files.join(", "),
    )
}

/// Spark reads a file either as one JSON value (`multiLine`: a delivery
/// file's `{"Records":[…]}`, a bare array of events) or a value a line
/// (JSON Lines), so files are read twice, told apart by name; each row is
/// then a batch of records or an event, as for DuckDB.
fn spark(table: &str, paths: &[String]) -> String {
    let files: Vec<String> = paths
        .iter()
        .map(|p| format!("\"{}\"", p.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    let Struct(columns) = &Struct(COLUMNS) else {
        unreachable!("COLUMNS is a structure")
    };
    let fields: Vec<String> = columns
        .iter()
        .map(|(n, t)| format!("`{n}` {}", render(t)))
        .collect();
    let names: Vec<String> = columns.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    format!(
        "# authsift {}: the standard CloudTrail table for Spark (PySpark, with `spark` a SparkSession),\n\
         # over CloudTrail's files as delivered ({{\"Records\":[…]}}) or exported (a JSON array of events,\n\
         # JSON Lines of events or of {{\"Records\":[…]}} as .jsonl or .ndjson), gzipped or not,\n\
         # directories read recursively.\n\
         from pyspark.sql import functions as F\n\
         spark.conf.set(\"spark.sql.session.timeZone\", \"UTC\")  # event times are UTC\n\
         schema = \"Records ARRAY<{}>, {}\"\n\
         columns = [{}]\n\
         def read(names, multi_line):\n    \
           return (spark.read.schema(schema)\n        \
             .option(\"multiLine\", multi_line).option(\"recursiveFileLookup\", True)\n        \
             .option(\"pathGlobFilter\", names).json([{}]))\n\
         rows = read(\"*.{{json,json.gz}}\", True).unionByName(read(\"*.{{jsonl,jsonl.gz,ndjson,ndjson.gz}}\", False))\n\
         event = F.array(F.struct(*[F.col(\"`\" + c + \"`\") for c in columns]))\n\
         (rows.where(F.col(\"Records\").isNotNull() | F.col(\"eventID\").isNotNull())\n    \
           .select(F.explode(F.when(F.col(\"Records\").isNotNull(), F.col(\"Records\")).otherwise(event)).alias(\"record\"),\n            \
                   F.input_file_name().alias(\"input_file\"))\n    \
           .select(\"record.*\", \"input_file\")\n    \
           .createOrReplaceTempView(\"{table}\"))\n",
        env!("CARGO_PKG_VERSION"),
        render(&Struct(COLUMNS)),
        fields.join(", "),
        names.join(", "),
        files.join(", ")
    )
}

fn athena(table: &str, paths: &[String]) -> Result<String, SqlError> {
    let [location] = paths else {
        return Err(SqlError::Ddl(
            "the Athena table takes one location: s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/"
                .to_string(),
        ));
    };
    let location = location.trim_end_matches('/');
    if !location.starts_with("s3://") || !location.ends_with("/CloudTrail") {
        return Err(SqlError::Ddl(format!(
            "`{location}`: the Athena table takes the trail's S3 prefix, s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/ \
             (for an organization trail s3://BUCKET/AWSLogs/ORG_ID/ACCOUNT/CloudTrail/)"
        )));
    }
    let Struct(columns) = &Struct(COLUMNS) else {
        unreachable!("COLUMNS is a structure")
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- authsift {}: the standard CloudTrail table for Athena, with partition projection over\n\
         -- {location}/<region>/YYYY/MM/DD/ (no ALTER TABLE ADD PARTITION needed).\n\
         -- Columns as AWS documents them: https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html\n\
         -- Filter on `region` and `day` ('2024/05/01') to read less: Athena reads only those prefixes.",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(out, "CREATE EXTERNAL TABLE {table} (");
    let cols: Vec<String> = columns
        .iter()
        .map(|(n, t)| format!("  `{}` {}", n.to_ascii_lowercase(), render(t)))
        .collect();
    out.push_str(&cols.join(",\n"));
    let regions = crate::recognise::context::regions_of("aws").join(",");
    let _ = write!(
        out,
        "\n)\nPARTITIONED BY (`region` STRING, `day` STRING)\n\
         ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n\
         STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n\
         OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n\
         LOCATION '{location}/'\n\
         TBLPROPERTIES (\n  \
           'projection.enabled' = 'true',\n  \
           'projection.region.type' = 'enum',\n  \
           'projection.region.values' = '{regions}',\n  \
           'projection.day.type' = 'date',\n  \
           'projection.day.format' = 'yyyy/MM/dd',\n  \
           'projection.day.range' = 'NOW-3YEARS,NOW',\n  \
           'projection.day.interval' = '1',\n  \
           'projection.day.interval.unit' = 'DAYS',\n  \
           'storage.location.template' = '{location}/${{region}}/${{day}}'\n\
         );\n"
    );
    Ok(out)
}
