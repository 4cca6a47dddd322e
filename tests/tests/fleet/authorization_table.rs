//! The authorization table (tests/authorization.table) declares an answer for every
//! operation of the gateway's API document and every caller, and agrees with what the
//! document says of tokens: an operation that requires one answers 401 without it, and one
//! that answers anonymous callers declares that no token is needed.

use std::collections::{BTreeMap, BTreeSet};

const CALLERS: usize = 8;
const ANSWERS: [&str; 5] = ["ok", "401", "403", "404", "422"];

fn read(relative: &str) -> String {
    let path = format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} is committed"))
}

/// The table's rows: "METHOD /path" → the eight answers.
fn table() -> BTreeMap<String, Vec<String>> {
    let mut rows = BTreeMap::new();
    for (number, line) in read("authorization.table").lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            words.len(),
            2 + CALLERS,
            "line {}: an operation and {CALLERS} answers",
            number + 1
        );
        let answers: Vec<String> = words[2..].iter().map(|w| w.to_string()).collect();
        for answer in &answers {
            assert!(
                ANSWERS.contains(&answer.as_str()),
                "line {}: {answer} is none of {ANSWERS:?}",
                number + 1
            );
        }
        let operation = format!("{} {}", words[0], words[1]);
        assert!(
            rows.insert(operation.clone(), answers).is_none(),
            "{operation} is in the table twice"
        );
    }
    rows
}

/// The document's operations: "METHOD /path" → whether a call without a token is declared.
fn documented() -> BTreeMap<String, bool> {
    let document: serde_json::Value =
        serde_json::from_str(&read("../openapi/batbern.json")).expect("the document is JSON");
    let mut operations = BTreeMap::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let security = operation["security"].as_array();
            let anonymous = security.is_none_or(|requirements| {
                requirements.is_empty()
                    || requirements
                        .iter()
                        .any(|r| r.as_object().is_some_and(|r| r.is_empty()))
            });
            operations.insert(format!("{} {path}", method.to_uppercase()), anonymous);
        }
    }
    operations
}

#[test]
fn every_operation_has_its_row_and_no_row_names_an_unknown_operation() {
    let rows: BTreeSet<String> = table().into_keys().collect();
    let operations: BTreeSet<String> = documented().into_keys().collect();
    let missing: Vec<&String> = operations.difference(&rows).collect();
    let unknown: Vec<&String> = rows.difference(&operations).collect();
    assert!(
        missing.is_empty(),
        "operations without a row in tests/authorization.table: {missing:#?}"
    );
    assert!(
        unknown.is_empty(),
        "rows of tests/authorization.table the API document does not know: {unknown:#?}"
    );
}

#[test]
fn the_table_and_the_document_agree_on_anonymous_callers() {
    let rows = table();
    for (operation, anonymous) in documented() {
        let Some(answers) = rows.get(&operation) else {
            continue;
        };
        let declared_open = anonymous;
        let answered = answers[0] != "401";
        assert_eq!(
            declared_open, answered,
            "{operation}: the document says a token is {}needed, the table answers anonymous callers {}",
            if declared_open { "not " } else { "" },
            answers[0]
        );
    }
}
