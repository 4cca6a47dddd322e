//! Where the cores went while a figure was measured: the CPU time of each part of the fleet
//! (every service, the database's backends on behalf of each service, the broker, the
//! gateway, the mail endpoint, the load generator), read from `/proc` before and after.
//! A latency figure on a saturated machine is mostly queueing; this shows whose work fills
//! the queue.

use std::collections::BTreeMap;
use std::time::Instant;

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ: 100 on Linux, fixed by its ABI).
const TICKS_PER_SECOND: f64 = 100.0;

/// The CPU ticks of each part of the fleet at one moment.
pub struct Sample {
    ticks: BTreeMap<(String, u32), u64>,
    at: Instant,
}

/// Reads the CPU ticks of every process that belongs to the fleet.
pub fn sample() -> Sample {
    let own = std::process::id();
    let mut ticks = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let Some(part) = part_of(pid, own) else {
            continue;
        };
        if let Some(used) = cpu_ticks(pid) {
            ticks.insert((part, pid), used);
        }
    }
    Sample {
        ticks,
        at: Instant::now(),
    }
}

/// One line per part that used at least half a percent of a core between `before` and
/// `after`, busiest first, in percent of one core, and the total against the cores there are.
pub fn report(before: &Sample, after: &Sample) -> String {
    let seconds = after.at.duration_since(before.at).as_secs_f64().max(0.001);
    let mut parts: BTreeMap<&str, u64> = BTreeMap::new();
    for ((part, pid), used) in &after.ticks {
        // A process started in between counts from its start.
        let earlier = before
            .ticks
            .get(&(part.clone(), *pid))
            .copied()
            .unwrap_or(0);
        *parts.entry(part).or_default() += used.saturating_sub(earlier);
    }
    let share = |ticks: u64| ticks as f64 / TICKS_PER_SECOND / seconds * 100.0;
    let total: f64 = parts.values().map(|t| share(*t)).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut busiest: Vec<(&str, f64)> = parts.into_iter().map(|(p, t)| (p, share(t))).collect();
    busiest.sort_by(|a, b| b.1.total_cmp(&a.1));
    let lines: Vec<String> = busiest
        .into_iter()
        .filter(|(_, percent)| *percent >= 0.5)
        .map(|(part, percent)| format!("    {part:<28} {percent:>5.0} %"))
        .collect();
    format!(
        "  where the cores went (percent of one core; {total:.0} % of {} %):\n{}",
        cores * 100,
        lines.join("\n")
    )
}

/// The part of the fleet process `pid` belongs to, if any.
fn part_of(pid: u32, own: u32) -> Option<String> {
    if pid == own {
        return Some("load generator (bench)".into());
    }
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let program = args.first()?;
    if program.starts_with("postgres:") {
        // A backend names itself `postgres: <cluster>: <role> <database> …`.
        let role = program
            .split_whitespace()
            .find(|word| !word.ends_with(':'))?;
        return Some(match role.strip_suffix("_svc") {
            Some(service) => format!("database for {service}"),
            None => "database, other".into(),
        });
    }
    if program.ends_with("/batbern") {
        return args.get(1).map(|service| format!("service {service}"));
    }
    let named = |name: &str| args.iter().take(2).any(|a| a.contains(name));
    let part = if named("tansu") {
        "broker"
    } else if named("nginx") {
        "gateway"
    } else if named("aws-ses") {
        "mail endpoint"
    } else if named("postgres") {
        "database, other"
    } else {
        return None;
    };
    Some(part.into())
}

/// User and system ticks of process `pid`, all its threads together.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses; the fields after it do not.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}
