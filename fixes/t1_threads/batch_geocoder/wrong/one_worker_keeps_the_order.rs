// Runs a single worker whatever `workers` says: the order is right, but the lookups run one at a time.
// caught by: hang
//! Batch geocoder
//!
//! A delivery app plans tomorrow's routes from a list of addresses. Looking up an address's
//! coordinates is a slow call to a geocoding service, so `geocode_all` runs the lookups on a small
//! pool of worker threads. The route planner pairs each address with the place at the same
//! position in the answer, so the places must come back in the order of the addresses, whichever
//! lookup happens to finish first. While the batch runs, `progress` moves the planner's progress
//! bar: it is told how many addresses are located so far, each time one more lookup comes back.
//!
//! Done when: `geocode_all` returns one place per address, in the order of the addresses, however
//! the lookups' finishing order goes; it calls `progress` as each lookup comes back; and every
//! worker has been joined when it returns.

use kit::sync::{Arc, Mutex, mpsc};
use kit::thread;

#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// A stand-in for the geocoding service: made-up but stable coordinates for any address.
pub fn look_up(address: &str) -> Place {
    let hash = address.bytes().fold(17u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    Place {
        address: address.to_string(),
        latitude: 48.8 + f64::from(hash % 1000) / 10_000.0,
        longitude: 2.3 + f64::from(hash / 1000 % 1000) / 10_000.0,
    }
}

/// Looks every address up with `look_up`, on `workers` threads, and returns the places in the
/// order of `addresses`. Calls `progress` with the count located so far as each lookup comes back.
pub fn geocode_all<L, P>(
    addresses: Vec<String>,
    _workers: usize,
    look_up: L,
    mut progress: P,
) -> Vec<Place>
where
    L: Fn(&str) -> Place + Send + Sync + 'static,
    P: FnMut(usize),
{
    let look_up = Arc::new(look_up);
    let (jobs, queue) = mpsc::channel::<String>();
    let queue = Arc::new(Mutex::new(queue));
    let (results, arrivals) = mpsc::channel();
    let mut pool = Vec::new();
    for _ in 0..1 {
        let look_up = Arc::clone(&look_up);
        let queue = Arc::clone(&queue);
        let results = results.clone();
        pool.push(thread::spawn(move || {
            loop {
                let job = queue.lock().unwrap().recv();
                let Ok(address) = job else { break };
                results.send(look_up(&address)).expect("the collector stopped early");
            }
        }));
    }
    drop(results);
    for address in addresses {
        jobs.send(address).expect("every worker stopped early");
    }
    drop(jobs);
    let mut places = Vec::new();
    for place in arrivals {
        places.push(place);
        progress(places.len());
    }
    for worker in pool {
        worker.join().unwrap();
    }
    places
}

fn main() {
    let addresses: Vec<String> =
        ["12 Rue de Rivoli", "3 Quai Voltaire", "99 Avenue Foch", "7 Place Vendome"]
            .map(String::from)
            .to_vec();
    let total = addresses.len();
    let places = geocode_all(addresses, 3, look_up, |done| println!("located {done}/{total}"));
    for place in places {
        println!("{:<18} {:.4}, {:.4}", place.address, place.latitude, place.longitude);
    }
}
