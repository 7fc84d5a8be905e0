//! Session store
//!
//! An API gateway keeps each user's session token in memory, shared by every request task. A
//! request asks `session(user)`: a cached token still valid is returned at once; an expired or
//! missing one is renewed from the auth server (a network call of 200 ms) and cached.
//!
//! Done when: `session` returns a valid token, renews only when the cached one is missing or
//! expired, and a request whose token is cached is never held up by another user's renewal.
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks;
use kit::tasks::sync::{Arc, Mutex};
use kit::tasks::time::{Duration, Instant, sleep};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};

/// How long a token stays valid.
pub const TOKEN_TTL: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token: String,
    pub expires: Instant,
}

/// The auth server: issues a fresh token per call, after a round trip.
#[derive(Default)]
pub struct AuthServer {
    issued: AtomicU32,
}

impl AuthServer {
    async fn renew(&self, user: &str) -> Session {
        sleep(Duration::from_millis(200)).await;
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        Session { token: format!("{user}-{n}"), expires: Instant::now() + TOKEN_TTL }
    }

    /// How many tokens it has issued.
    pub fn issued(&self) -> u32 {
        self.issued.load(Ordering::SeqCst)
    }
}

pub struct SessionStore {
    sessions: Mutex<HashMap<String, Session>>,
    auth: Arc<AuthServer>,
}

impl SessionStore {
    pub fn new(auth: Arc<AuthServer>) -> Self {
        SessionStore { sessions: Mutex::new(HashMap::new()), auth }
    }

    /// A valid session for `user`: the cached one, or a fresh one from the auth server.
    pub async fn session(&self, user: &str) -> Session {
        // The guard is a temporary of this statement: the lock is free again before `renew`,
        // which takes it itself, and before the round trip to the auth server.
        let cached = self.sessions.lock().await.get(user).cloned();
        match cached {
            Some(session) if session.expires > Instant::now() => session,
            _ => self.renew(user).await,
        }
    }

    /// Fetches a fresh session for `user` and caches it.
    async fn renew(&self, user: &str) -> Session {
        let session = self.auth.renew(user).await;
        self.sessions.lock().await.insert(user.to_owned(), session.clone());
        session
    }
}

fn main() {
    let auth = Arc::new(AuthServer::default());
    let store = Arc::new(SessionStore::new(Arc::clone(&auth)));
    tasks::block_on(async {
        for user in ["ada", "grace", "ada"] {
            let session = store.session(user).await;
            println!("{user}: token {}", session.token);
        }
    });
    println!("the auth server issued {} tokens", auth.issued());
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn store() -> (Arc<SessionStore>, Arc<AuthServer>) {
        let auth = Arc::new(AuthServer::default());
        (Arc::new(SessionStore::new(Arc::clone(&auth))), auth)
    }

    #[test]
    fn a_token_is_renewed_once_then_served_from_the_cache() {
        tasks::test(async {
            let (store, auth) = store();
            let first = store.session("ada").await;
            assert_eq!(first.token, "ada-1");
            assert!(first.expires > Instant::now(), "the session handed out has expired");
            sleep(Duration::from_secs(60)).await;
            let again = store.session("ada").await;
            assert_eq!(again, first, "a valid cached token must be served as it is");
            assert_eq!(auth.issued(), 1, "the auth server was asked again for a valid token");
        });
    }

    #[test]
    fn an_expired_token_is_renewed_before_it_is_handed_out() {
        tasks::test(async {
            let (store, auth) = store();
            store.session("ada").await;
            sleep(TOKEN_TTL + Duration::from_secs(1)).await;
            let renewed = store.session("ada").await;
            assert!(renewed.expires > Instant::now(), "an expired token was handed out");
            assert_eq!(renewed.token, "ada-2");
            assert_eq!(store.session("ada").await, renewed, "the renewed token is cached");
            assert_eq!(auth.issued(), 2);
        });
    }

    #[test]
    fn a_cached_token_is_served_at_once_while_another_user_renews() {
        tasks::test(async {
            let (store, _auth) = store();
            let cached = store.session("ada").await;
            let other = Arc::clone(&store);
            let renewing = tasks::spawn(async move { other.session("grace").await });
            tasks::yield_now().await; // grace's request is now waiting for the auth server
            let asked = Instant::now();
            assert_eq!(store.session("ada").await, cached);
            assert_eq!(
                asked.elapsed(),
                Duration::ZERO,
                "ada's cached token waited for grace's renewal"
            );
            assert_eq!(renewing.await.unwrap().token, "grace-2");
        });
    }
}
