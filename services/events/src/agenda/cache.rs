//! The public agenda's renderings, kept in memory so that serving one reads no database.
//! A rendering is dropped when the service commits a change it shows: triggers on the
//! agenda's tables send the event's id on the channel [`CHANNEL`] at commit, to every
//! replica listening. Renderings are kept only while this replica listens; after a gap
//! every rendering is dropped, since notifications sent meanwhile are lost. A rendering
//! loaded while a change was announced is served once but not kept (the generation check
//! in [`AgendaCache::keep`]), so a stale one never outlives its notification.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use event_bus::Heartbeat;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The channel the triggers of `migrations/events/*_agenda_notifications.sql` notify on;
/// the payload is an event id, or `*` for every agenda.
pub const CHANNEL: &str = "agenda_changed";

/// How often a quiet listener tells its supervisor it is alive: well inside the shortest
/// stall limit (`WORKER_STALL_SECS`), as the relay's polling is.
const HEARTBEAT: Duration = Duration::from_millis(500);

/// One rendering in both encodings, with its strong `ETag` (one per encoding).
#[derive(Debug)]
pub struct Rendering {
    pub identity: Bytes,
    pub gzip: Bytes,
    pub etag: String,
    pub gzip_etag: String,
}

/// The three renderings of a published agenda.
#[derive(Debug)]
pub struct Renderings {
    pub json: Rendering,
    pub ical: Rendering,
    pub frab: Rendering,
}

/// What the agenda of one event is: not public, or its renderings.
#[derive(Debug)]
pub enum CachedAgenda {
    NotPublic,
    Published(Box<Renderings>),
}

#[derive(Default)]
struct Entries {
    agendas: HashMap<Uuid, Arc<CachedAgenda>>,
    /// Rises with every change announced (and every gap in listening).
    generation: u64,
    listening: bool,
}

/// The renderings of this replica, by event id.
#[derive(Clone, Default)]
pub struct AgendaCache(Arc<Mutex<Entries>>);

impl AgendaCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The kept agenda of `event_id`, if there is one.
    pub fn get(&self, event_id: Uuid) -> Option<Arc<CachedAgenda>> {
        self.entries().agendas.get(&event_id).cloned()
    }

    /// The generation to hand to [`Self::keep`] for an agenda about to be loaded.
    pub fn generation(&self) -> u64 {
        self.entries().generation
    }

    /// Keeps `agenda`, loaded since `generation`, unless a change was announced meanwhile
    /// or nobody listens for changes.
    pub fn keep(&self, event_id: Uuid, generation: u64, agenda: Arc<CachedAgenda>) {
        let mut entries = self.entries();
        if entries.listening && entries.generation == generation {
            entries.agendas.insert(event_id, agenda);
        }
    }

    /// Drops what a notification names: one event's agenda, or every agenda.
    pub fn changed(&self, payload: &str) {
        let mut entries = self.entries();
        entries.generation += 1;
        match payload.parse::<Uuid>() {
            Ok(event_id) => {
                entries.agendas.remove(&event_id);
            }
            Err(_) => entries.agendas.clear(),
        }
    }

    fn set_listening(&self, listening: bool) {
        let mut entries = self.entries();
        entries.listening = listening;
        entries.generation += 1;
        entries.agendas.clear();
    }

    /// Listens for changes until `shutdown`, connecting again after a lost connection.
    pub async fn listen(
        self,
        pool: PgPool,
        shutdown: CancellationToken,
        heartbeat: Heartbeat,
    ) -> Result<(), String> {
        loop {
            heartbeat.beat();
            match self.follow(&pool, &shutdown, &heartbeat).await {
                Ok(()) => return Ok(()),
                Err(error) => tracing::warn!(%error, "agenda change listener lost its connection"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// Follows the channel on one connection; returns when `shutdown` fires (`Ok`) or
    /// the connection is lost.
    async fn follow(
        &self,
        pool: &PgPool,
        shutdown: &CancellationToken,
        heartbeat: &Heartbeat,
    ) -> Result<(), sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        self.set_listening(true);
        let outcome = 'follow: loop {
            // `try_recv` tells of a lost connection (`None`) instead of reconnecting
            // silently past the notifications sent meanwhile. One receive stays pending
            // across heartbeats, so no notification is dropped half-read.
            let next = listener.try_recv();
            tokio::pin!(next);
            let notification = loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break 'follow Ok(()),
                    _ = tokio::time::sleep(HEARTBEAT) => heartbeat.beat(),
                    notification = &mut next => break notification,
                }
            };
            match notification {
                Ok(Some(notification)) => self.changed(notification.payload()),
                Ok(None) => break Err(sqlx::Error::PoolClosed),
                Err(error) => break Err(error),
            }
        };
        self.set_listening(false);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agenda() -> Arc<CachedAgenda> {
        Arc::new(CachedAgenda::NotPublic)
    }

    fn listening() -> AgendaCache {
        let cache = AgendaCache::default();
        cache.set_listening(true);
        cache
    }

    #[test]
    fn an_agenda_is_kept_until_its_event_changes() {
        let cache = listening();
        let (event, other) = (Uuid::now_v7(), Uuid::now_v7());
        cache.keep(event, cache.generation(), agenda());
        cache.keep(other, cache.generation(), agenda());
        cache.changed(&event.to_string());
        assert!(cache.get(event).is_none());
        assert!(cache.get(other).is_some());
        cache.changed("*");
        assert!(cache.get(other).is_none());
    }

    #[test]
    fn an_agenda_loaded_while_a_change_was_announced_is_not_kept() {
        let cache = listening();
        let event = Uuid::now_v7();
        let loading_since = cache.generation();
        cache.changed(&event.to_string());
        cache.keep(event, loading_since, agenda());
        assert!(cache.get(event).is_none());
    }

    #[test]
    fn nothing_is_kept_while_nobody_listens_for_changes() {
        let cache = AgendaCache::default();
        let event = Uuid::now_v7();
        cache.keep(event, cache.generation(), agenda());
        assert!(cache.get(event).is_none());
        let cache = listening();
        cache.keep(event, cache.generation(), agenda());
        cache.set_listening(false);
        assert!(cache.get(event).is_none());
    }
}
