//! The `[[bin]]` targets of the exercises' and the solutions' packages: read in one place, for
//! loading the workbook and for `dev check`.

use super::{InputError, Source, line_of};
use anyhow::Result;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// One `[[bin]]` table.
#[derive(Debug, Clone)]
pub struct BinTarget {
    pub name: String,
    pub path: Option<String>,
    /// The line of its `name`, in the package's Cargo.toml.
    pub line: usize,
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    bin: Vec<Bin>,
}

#[derive(Deserialize)]
struct Bin {
    name: Spanned<String>,
    path: Option<String>,
}

/// The `[[bin]]` targets of `source`'s package, in the order written.
pub fn bin_targets(root: &Path, source: Source) -> Result<Vec<BinTarget>> {
    let shown = PathBuf::from(source.dir()).join("Cargo.toml");
    let text = std::fs::read_to_string(root.join(&shown))
        .map_err(|error| InputError::new(format!("{}: {error}", shown.display())))?;
    let manifest: Manifest = toml::from_str(&text).map_err(|error| {
        let line = error.span().map_or(1, |span| line_of(&text, span.start));
        InputError::at(&shown, line, error.message().trim_end())
    })?;
    Ok(manifest
        .bin
        .into_iter()
        .map(|bin| BinTarget {
            line: line_of(&text, bin.name.span().start),
            name: bin.name.into_inner(),
            path: bin.path,
        })
        .collect())
}
