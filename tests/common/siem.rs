//! Validators over the official definitions vendored in `tests/schemas/`
//! (see its PROVENANCE.md): the OCSF 1.1.0 compiled schema and the ECS 9.4.0
//! flat field reference. Small and of our own: no JSON Schema crate reads
//! either format, and what they say is simple to check (attributes and
//! fields by name, their types, enums and allowed values, requirements,
//! profiles, OCSF's `at_least_one` / `just_one` constraints).

use std::path::Path;

use serde_json::{Map, Value};

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The OCSF compiled schema of one version.
pub struct Ocsf {
    schema: Value,
}

impl Ocsf {
    /// OCSF 1.1.0, as vendored.
    pub fn v1_1_0() -> Ocsf {
        Ocsf {
            schema: load("ocsf-1.1.0.json"),
        }
    }

    /// The schema's version (`1.1.0`).
    pub fn version(&self) -> &str {
        self.schema["version"].as_str().unwrap()
    }

    /// The class whose `uid` is `uid` (2004 Detection Finding, …).
    pub fn class(&self, uid: u64) -> Option<&Value> {
        self.schema["classes"]
            .as_object()?
            .values()
            .find(|c| c["uid"].as_u64() == Some(uid))
    }

    /// Every way `event` breaks the definition of its class
    /// (`class_uid`), with the profiles it declares (`metadata.profiles`);
    /// empty when it validates.
    pub fn validate(&self, event: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        let Some(uid) = event["class_uid"].as_u64() else {
            return vec!["class_uid is missing or not an integer".into()];
        };
        let Some(class) = self.class(uid) else {
            return vec![format!("no class {uid} in OCSF {}", self.version())];
        };
        if event["metadata"]["version"] != self.version() {
            errors.push(format!(
                "metadata.version is {}, the schema is {}",
                event["metadata"]["version"],
                self.version()
            ));
        }
        let profiles: Vec<&str> = event["metadata"]["profiles"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for p in &profiles {
            if !class["profiles"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == p))
            {
                errors.push(format!("profile {p} does not apply to class {uid}"));
            }
        }
        let check = Check {
            schema: &self.schema,
            profiles: &profiles,
        };
        check.object(class, event, "", &mut errors);
        errors
    }
}

struct Check<'a> {
    schema: &'a Value,
    profiles: &'a [&'a str],
}

impl Check<'_> {
    /// `value` against a class or object definition `def`.
    fn object(&self, def: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
        let Some(fields) = value.as_object() else {
            errors.push(format!("{path}: an object was expected, not {value}"));
            return;
        };
        let attrs = def["attributes"]
            .as_object()
            .expect("definitions have attributes");
        let applies = |a: &Value| match a["profile"].as_str() {
            Some(p) => self.profiles.contains(&p),
            None => true,
        };
        for (name, v) in fields {
            let at = join(path, name);
            let Some(a) = attrs.get(name) else {
                errors.push(format!(
                    "{at}: not an attribute of {} in OCSF {}",
                    def["name"].as_str().unwrap_or("?"),
                    self.schema["version"].as_str().unwrap_or("?")
                ));
                continue;
            };
            if !applies(a) {
                errors.push(format!(
                    "{at}: belongs to profile {}, which metadata.profiles does not list",
                    a["profile"]
                ));
            }
            if a["is_array"] == true {
                match v.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            self.value(a, item, &format!("{at}[{i}]"), errors);
                        }
                    }
                    None => errors.push(format!("{at}: an array was expected, not {v}")),
                }
            } else {
                self.value(a, v, &at, errors);
            }
        }
        for (name, a) in attrs {
            if a["requirement"] == "required" && applies(a) && !fields.contains_key(name) {
                errors.push(format!("{}: required, missing", join(path, name)));
            }
        }
        self.constraints(def, fields, path, errors);
        self.siblings(attrs, fields, path, errors);
    }

    fn constraints(
        &self,
        def: &Value,
        fields: &Map<String, Value>,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        let names = |k: &str| -> Vec<&str> {
            def["constraints"][k]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default()
        };
        let at_least_one = names("at_least_one");
        if !at_least_one.is_empty() && !at_least_one.iter().any(|n| fields.contains_key(*n)) {
            errors.push(format!("{path}: needs at least one of {at_least_one:?}"));
        }
        let just_one = names("just_one");
        if !just_one.is_empty() && just_one.iter().filter(|n| fields.contains_key(**n)).count() != 1
        {
            errors.push(format!("{path}: needs exactly one of {just_one:?}"));
        }
    }

    /// A caption next to its id (`severity` of `severity_id`) must be the
    /// id's caption, unless the id is 99 (Other: the source's own word).
    fn siblings(
        &self,
        attrs: &Map<String, Value>,
        fields: &Map<String, Value>,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        for (name, a) in attrs {
            let (Some(sibling), Some(id)) = (a["sibling"].as_str(), fields.get(name)) else {
                continue;
            };
            let (Some(caption), Some(id)) = (fields.get(sibling), id.as_i64()) else {
                continue;
            };
            if id == 99 {
                continue;
            }
            let expected = &a["enum"][id.to_string()]["caption"];
            if expected.is_string() && caption != expected {
                errors.push(format!(
                    "{}: {caption} is not the caption of {name} {id} ({expected})",
                    join(path, sibling)
                ));
            }
        }
    }

    /// One value of attribute `a`.
    fn value(&self, a: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
        if v.is_null() {
            errors.push(format!("{path}: null (leave the attribute out instead)"));
            return;
        }
        let ty = a["type"].as_str().unwrap_or("");
        if ty == "object_t" {
            let object = a["object_type"].as_str().unwrap_or("");
            if object == "object" {
                // `unmapped` and the like: any object.
                if !v.is_object() {
                    errors.push(format!("{path}: an object was expected, not {v}"));
                }
                return;
            }
            match self.schema["objects"].get(object) {
                Some(def) => self.object(def, v, path, errors),
                None => errors.push(format!("{path}: unknown object type {object}")),
            }
            return;
        }
        self.scalar(ty, v, path, errors);
        if let Some(values) = a["enum"].as_object() {
            let key = match v {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.clone(),
                _ => String::new(),
            };
            if !values.contains_key(&key) {
                errors.push(format!(
                    "{path}: {v} is not one of the enum's {:?}",
                    values.keys().collect::<Vec<_>>()
                ));
            }
        }
    }

    /// A value of type `ty` (`timestamp_t` → `long_t`, …) with the type's
    /// regex and range where it has one.
    fn scalar(&self, ty: &str, v: &Value, path: &str, errors: &mut Vec<String>) {
        let ok = match ty {
            "string_t" => v.is_string(),
            "integer_t" | "long_t" => v.is_i64() || v.is_u64(),
            "float_t" => v.is_number(),
            "boolean_t" => v.is_boolean(),
            "json_t" => true,
            _ => {
                let Some(def) = self.schema["types"].get(ty) else {
                    errors.push(format!("{path}: unknown type {ty}"));
                    return;
                };
                if let (Some(re), Some(s)) = (def["regex"].as_str(), v.as_str())
                    && !regex::Regex::new(re).unwrap().is_match(s)
                {
                    errors.push(format!("{path}: {s} does not match {ty}'s {re}"));
                }
                if let (Some(range), Some(n)) = (def["range"].as_array(), v.as_i64())
                    && (n < range[0].as_i64().unwrap() || n > range[1].as_i64().unwrap())
                {
                    errors.push(format!("{path}: {n} is outside {ty}'s range"));
                }
                return self.scalar(def["type"].as_str().unwrap_or(""), v, path, errors);
            }
        };
        if !ok {
            errors.push(format!("{path}: {v} is not a {ty}"));
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The ECS field reference of one version.
pub struct Ecs {
    fields: Map<String, Value>,
}

impl Ecs {
    /// ECS 9.4.0, as vendored.
    pub fn v9_4_0() -> Ecs {
        match load("ecs-9.4.0-flat.json") {
            Value::Object(fields) => Ecs { fields },
            _ => panic!("the ECS reference is an object"),
        }
    }

    /// The definition of field `name` (`event.kind`).
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// Every way `doc` breaks ECS: keys with a dot (ECS documents nest),
    /// fields ECS does not define outside `custom` (authsift's own
    /// namespace), values of the wrong type or not among the allowed
    /// values, `event.type` values that do not go with the
    /// `event.category`, required fields missing. Empty when it validates.
    pub fn validate(&self, doc: &Value, custom: &str) -> Vec<String> {
        let mut errors = Vec::new();
        let mut leaves = Vec::new();
        flatten(doc, "", custom, &mut leaves, &mut errors);
        for (name, value) in &leaves {
            if name == custom || name.starts_with(&format!("{custom}.")) {
                continue;
            }
            match self.fields.get(name) {
                Some(def) => self.check(name, def, value, &mut errors),
                None => {
                    // Inside an `object` or `flattened` field (`labels.*`)?
                    let parent = name
                        .rmatch_indices('.')
                        .map(|(i, _)| &name[..i])
                        .find_map(|p| self.fields.get(p));
                    if !parent.is_some_and(|d| d["type"] == "object" || d["type"] == "flattened") {
                        errors.push(format!("{name}: not an ECS field"));
                    }
                }
            }
        }
        for (name, def) in &self.fields {
            if def["required"] == true && !leaves.iter().any(|(n, _)| n == name) {
                errors.push(format!("{name}: required, missing"));
            }
        }
        let categories: Vec<&str> = leaves
            .iter()
            .filter(|(n, _)| n == "event.category")
            .flat_map(|(_, v)| values(v))
            .collect();
        for (_, v) in leaves.iter().filter(|(n, _)| n == "event.type") {
            for t in values(v) {
                let fits = categories.iter().any(|c| {
                    self.fields["event.category"]["allowed_values"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|a| a["name"] == *c)
                        .is_some_and(|a| {
                            a["expected_event_types"]
                                .as_array()
                                .is_some_and(|e| e.iter().any(|x| x == t))
                        })
                });
                if !fits {
                    errors.push(format!(
                        "event.type {t} is expected with none of event.category {categories:?}"
                    ));
                }
            }
        }
        errors
    }

    fn check(&self, name: &str, def: &Value, value: &Value, errors: &mut Vec<String>) {
        let array = def["normalize"]
            .as_array()
            .is_some_and(|n| n.iter().any(|x| x == "array"));
        if array && !value.is_array() {
            errors.push(format!("{name}: ECS expects an array, not {value}"));
        }
        let ty = def["type"].as_str().unwrap_or("");
        for v in match value {
            Value::Array(items) => items.iter().collect(),
            v => vec![v],
        } {
            let ok = match ty {
                "keyword" | "constant_keyword" | "wildcard" | "text" | "match_only_text" => {
                    v.is_string()
                }
                "long" | "integer" | "short" | "byte" | "unsigned_long" => v.is_i64() || v.is_u64(),
                "float" | "double" | "scaled_float" | "half_float" => v.is_number(),
                "boolean" => v.is_boolean(),
                "date" => v
                    .as_str()
                    .is_some_and(|s| authsift::time::parse_iso8601(s).is_some()),
                "ip" => v
                    .as_str()
                    .is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok()),
                "object" | "flattened" | "nested" => v.is_object(),
                _ => true,
            };
            if !ok {
                errors.push(format!("{name}: {v} is not a valid {ty}"));
            }
            if let Some(allowed) = def["allowed_values"].as_array()
                && !allowed.iter().any(|a| a["name"] == *v)
            {
                errors.push(format!("{name}: {v} is not an allowed value"));
            }
        }
    }
}

fn values(v: &Value) -> Vec<&str> {
    match v {
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        Value::String(s) => vec![s.as_str()],
        _ => vec![],
    }
}

/// The leaves of a nested document by dotted name; an object under a key
/// is walked into, except the custom namespace's (its shape is ours) and
/// objects that are arrays' items (ECS `nested`/`object` arrays).
fn flatten(
    v: &Value,
    path: &str,
    custom: &str,
    out: &mut Vec<(String, Value)>,
    errors: &mut Vec<String>,
) {
    match v {
        Value::Object(map) if path != custom => {
            for (k, child) in map {
                if k.contains('.') && !path.starts_with(custom) {
                    errors.push(format!(
                        "{}: a dotted key (ECS documents nest objects)",
                        join(path, k)
                    ));
                }
                flatten(child, &join(path, k), custom, out, errors);
            }
        }
        _ => out.push((path.to_string(), v.clone())),
    }
}
