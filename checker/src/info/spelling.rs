//! "Did you mean": the known name closest to a misspelt one.

/// The name in `names` closest to `typed`, when it is close enough to be what was meant: within
/// a third of its length in edits, or containing what was typed.
pub fn closest<'a>(typed: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .map(|name| (edit_distance(typed, name), name))
        .filter(|&(distance, name)| {
            distance <= name.chars().count().div_ceil(3)
                || (typed.len() >= 3 && name.contains(typed))
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, name)| name)
}

/// Levenshtein distance: the fewest insertions, deletions and substitutions from `a` to `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 3] = ["log_shipper", "hit_counter", "thumbnails"];

    #[test]
    fn a_misspelling_or_a_fragment_finds_the_name() {
        assert_eq!(closest("log_shiper", NAMES.into_iter()), Some("log_shipper"));
        assert_eq!(closest("thumbnail", NAMES.into_iter()), Some("thumbnails"));
        assert_eq!(closest("counter", NAMES.into_iter()), Some("hit_counter"));
    }

    #[test]
    fn an_unrelated_word_finds_nothing() {
        assert_eq!(closest("semaphore", NAMES.into_iter()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
