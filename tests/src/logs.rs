//! What the in-process services of a test log goes to the test's output, which the test
//! runner shows only for a test that failed (or failed before a retry passed): warnings,
//! and the bus's group joins, assignments and relay hand-overs. `TEST_LOG` (a `RUST_LOG`
//! style filter) asks for more.

use std::sync::Once;

use tracing_subscriber::EnvFilter;

/// Installs the test process's log subscriber once; later calls change nothing.
pub fn capture() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let filter = EnvFilter::try_from_env("TEST_LOG")
            .unwrap_or_else(|_| EnvFilter::new("warn,event_bus=info"));
        // Another subscriber installed first (a test of its own) keeps its place.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_test_writer()
            .try_init();
    });
}
