// Looks the token up in a block of its own and returns from inside it, so the guard is dropped before renewing.
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
        {
            let sessions = self.sessions.lock().await;
            if let Some(session) = sessions.get(user).filter(|s| s.expires > Instant::now()) {
                return session.clone();
            }
        }
        self.renew(user).await
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
