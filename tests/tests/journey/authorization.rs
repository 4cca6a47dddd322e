//! Who may call what, called through the gateway: every operation of
//! `tests/authorization.table` (which `fleet/authorization_table.rs` holds to the API
//! document) is called by each of its eight callers on a small world, and every answer must
//! be the one the table declares. Refusals come first and change nothing; then the reads;
//! then the writes, those that end something (delete, archive, cancel, revoke, …) last, so
//! the world stays whole for the others.

mod parties;
mod world;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};

use crate::gateway::{Answer, Caller};
use crate::Journey;
use world::World;

/// The callers of the table's columns, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Anonymous,
    Organizer,
    SpeakerOwn,
    SpeakerOther,
    AttendeeOwn,
    AttendeeOther,
    PartnerOwn,
    PartnerOther,
}

impl Column {
    const ALL: [Column; 8] = [
        Column::Anonymous,
        Column::Organizer,
        Column::SpeakerOwn,
        Column::SpeakerOther,
        Column::AttendeeOwn,
        Column::AttendeeOther,
        Column::PartnerOwn,
        Column::PartnerOther,
    ];

    /// The column's heading in the table.
    fn name(self) -> &'static str {
        [
            "anon", "org", "s-own", "s-oth", "a-own", "a-oth", "p-own", "p-oth",
        ][self as usize]
    }
}

/// The answer the table declares for one caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// `ok`: the operation goes on (or is refused for a reason that is not the caller).
    Authorized,
    Refused(StatusCode),
}

/// One operation of the table with its eight answers.
struct Row {
    method: Method,
    path: String,
    answers: Vec<Expected>,
}

impl Row {
    /// Whether it answers without a token: the public reads call on a published event.
    fn public(&self) -> bool {
        self.answers[0] == Expected::Authorized
    }

    /// Whether it ends what other operations call on, so it runs after them.
    fn ends_something(&self) -> bool {
        const ENDINGS: [&str; 8] = [
            "/archive",
            "/cancel",
            "/revoke",
            "/withdraw",
            "/approve",
            "/reject",
            "/accept",
            "/decline",
        ];
        self.method == Method::DELETE || ENDINGS.iter().any(|e| self.path.ends_with(e))
    }

    /// When a cell of this row is called: refusals, reads, writes, endings.
    fn phase(&self, expected: Expected) -> u8 {
        match expected {
            Expected::Refused(_) => 0,
            Expected::Authorized if self.method == Method::GET => 1,
            Expected::Authorized if self.ends_something() => 3,
            Expected::Authorized => 2,
        }
    }
}

/// The table's rows (its format is checked by `fleet/authorization_table.rs`).
fn table() -> Vec<Row> {
    include_str!("../../authorization.table")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let answers = words[2..]
                .iter()
                .map(|word| match *word {
                    "ok" => Expected::Authorized,
                    status => Expected::Refused(StatusCode::from_bytes(status.as_bytes()).unwrap()),
                })
                .collect();
            Row {
                method: words[0].parse().unwrap(),
                path: words[1].to_owned(),
                answers,
            }
        })
        .collect()
}

/// Sends the request, repeating it after `Retry-After` while the caller's budget is spent.
async fn call(
    caller: &Caller,
    method: &Method,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Answer {
    loop {
        let answer = caller.send(method.clone(), path, body, &[]).await;
        if answer.status != StatusCode::TOO_MANY_REQUESTS {
            return answer;
        }
        let seconds = answer.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
    }
}

/// Why `answer` disagrees with `expected`, if it does. Authorized means neither 401 nor
/// 403, and for a read of something the world holds, not 404 either.
fn disagreement(expected: Expected, read_of_world: bool, answer: &Answer) -> Option<String> {
    let status = answer.status;
    let agrees = match expected {
        Expected::Refused(refusal) => status == refusal,
        Expected::Authorized => {
            let refused = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status);
            let hidden = read_of_world && status == StatusCode::NOT_FOUND;
            !(refused || hidden)
        }
    };
    let wanted = match expected {
        Expected::Authorized => "ok".to_owned(),
        Expected::Refused(refusal) => refusal.as_u16().to_string(),
    };
    let excerpt: String = answer.text.chars().take(160).collect();
    (!agrees).then(|| format!("expected {wanted}, got {} ({excerpt})", status.as_u16()))
}

#[tokio::test]
async fn every_caller_gets_the_answer_the_authorization_table_declares() {
    let started = Instant::now();
    let journey = Journey::start();
    let world = World::build(&journey).await;
    let built = started.elapsed();
    let rows = table();
    let mut cells: Vec<(u8, &Row, usize)> = rows
        .iter()
        .flat_map(|row| (0..Column::ALL.len()).map(move |n| (row.phase(row.answers[n]), row, n)))
        .collect();
    cells.sort_by_key(|(phase, _, _)| *phase);

    let mut disagreements = Vec::new();
    for (_, row, n) in &cells {
        let column = Column::ALL[*n];
        let (path, built) = world.path(&row.path, column, row.public());
        let writes = [Method::POST, Method::PUT, Method::PATCH].contains(&row.method);
        let body = writes.then(|| world.body(&row.path, column));
        let answer = call(world.caller(column), &row.method, &path, body.as_ref()).await;
        let read_of_world = row.method == Method::GET && built;
        if let Some(why) = disagreement(row.answers[*n], read_of_world, &answer) {
            disagreements.push(format!(
                "{} {} {}: {why}",
                row.method,
                row.path,
                column.name()
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} answers disagree with tests/authorization.table:\n{}",
        disagreements.len(),
        cells.len(),
        disagreements.join("\n")
    );
    eprintln!(
        "authorization: world built in {:.1} s, {} answers as declared in {:.1} s",
        built.as_secs_f64(),
        cells.len(),
        (started.elapsed() - built).as_secs_f64()
    );
}
