//! The public agenda measured with wrk beside its ceiling: nginx serving the same bytes
//! as a static file with the same load (`BENCH_WRK_THREADS` threads, `BENCH_WRK_CONNECTIONS`
//! connections, `BENCH_WRK_SECONDS` seconds), for the events service directly and through
//! the gateway, plain and revalidated (304).

use std::process::Command;

use crate::Args;

/// What one wrk run measured.
struct Run {
    requests_per_second: f64,
    p99_ms: f64,
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Runs wrk against `url` with `headers`; `None` when wrk is missing or its output is not
/// understood (the benchmark reports, it never fails).
fn wrk(url: &str, headers: &[(&str, &str)]) -> Option<Run> {
    let mut command = Command::new("wrk");
    command.args([
        "-t",
        &env("BENCH_WRK_THREADS", "4"),
        "-c",
        &env("BENCH_WRK_CONNECTIONS", "64"),
        "-d",
        &format!("{}s", env("BENCH_WRK_SECONDS", "15")),
        "--latency",
    ]);
    for (name, value) in headers {
        command.args(["-H", &format!("{name}: {value}")]);
    }
    let output = command.arg(url).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let requests_per_second = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))?
        .trim()
        .parse()
        .ok()?;
    let p99_ms = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(|v| milliseconds(v.trim()))?;
    if text.contains("Non-2xx or 3xx responses") {
        println!("  (wrk saw error answers from {url})");
    }
    Some(Run {
        requests_per_second,
        p99_ms,
    })
}

/// wrk's latency (`812.00us`, `3.21ms`, `1.02s`) in milliseconds.
fn milliseconds(value: &str) -> Option<f64> {
    let split = value.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        _ => return None,
    })
}

fn line(label: &str, run: &Option<Run>, ceiling: &Option<Run>, goal: &str) {
    match (run, ceiling) {
        (Some(run), Some(ceiling)) => println!(
            "{label:<34} {:>8.0} req/s  p99 {:>6.2} ms   ceiling {:>8.0} req/s  p99 {:>6.2} ms   ratio {:>5.1} %   (goal {goal})",
            run.requests_per_second,
            run.p99_ms,
            ceiling.requests_per_second,
            ceiling.p99_ms,
            100.0 * run.requests_per_second / ceiling.requests_per_second,
        ),
        _ => println!("{label:<34} not measured (wrk missing or failed)"),
    }
}

/// Prints the agenda figures of `event_id` beside nginx serving the same bytes.
pub async fn agenda_figures(args: &Args, event_id: &str) {
    let (Some(static_dir), Some(static_url)) = (
        std::env::var("BENCH_STATIC_DIR").ok(),
        std::env::var("BENCH_STATIC_URL").ok(),
    ) else {
        println!("agenda beside nginx static: BENCH_STATIC_DIR and BENCH_STATIC_URL not set");
        return;
    };
    let path = format!("/api/v1/events/{event_id}/agenda");
    let direct_url = format!("{}{path}", args.events_url);
    let gateway_url = format!("{}{path}", args.gateway);
    let answer = reqwest::get(&direct_url).await.expect("the agenda answers");
    let etag = answer.headers()["etag"].to_str().unwrap().to_owned();
    let body = answer.bytes().await.expect("the agenda's bytes");
    std::fs::write(format!("{static_dir}/agenda.json"), &body).expect("the static copy");
    let static_file = format!("{static_url}/agenda.json");
    let static_etag = reqwest::get(&static_file)
        .await
        .expect("nginx static answers")
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    println!(
        "public agenda ({} bytes) with wrk; ceiling: nginx serving the same bytes as a static file",
        body.len()
    );
    let ceiling = wrk(&static_file, &[]);
    line(
        "agenda JSON, events direct",
        &wrk(&direct_url, &[]),
        &ceiling,
        "≥ 50 %, p99 ≤ 5 ms",
    );
    line(
        "agenda JSON, through the gateway",
        &wrk(&gateway_url, &[]),
        &ceiling,
        "≥ 35 %, p99 ≤ 5 ms",
    );
    let revalidated = [("If-None-Match", static_etag.as_str())];
    let ceiling = wrk(&static_file, &revalidated);
    let revalidated = [("If-None-Match", etag.as_str())];
    line(
        "agenda 304, events direct",
        &wrk(&direct_url, &revalidated),
        &ceiling,
        "≥ 50 %",
    );
    line(
        "agenda 304, through the gateway",
        &wrk(&gateway_url, &revalidated),
        &ceiling,
        "≥ 35 %",
    );
}

#[cfg(test)]
mod tests {
    use super::milliseconds;

    #[test]
    fn wrk_latencies_read_in_milliseconds() {
        assert_eq!(milliseconds("812.00us"), Some(0.812));
        assert_eq!(milliseconds("3.21ms"), Some(3.21));
        assert_eq!(milliseconds("1.02s"), Some(1020.0));
        assert_eq!(milliseconds("fast"), None);
    }
}
