//! Text in XML and HTML reports: whatever a learner's code printed must leave the page valid.

/// Escapes `text` for an XML or HTML element or attribute. The characters XML 1.0 cannot carry
/// at all (control characters, which test output holds in terminal escapes, and the
/// non-characters U+FFFE and U+FFFF, which a panic message may hold) become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            '\n' | '\t' | '\r' => escaped.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => escaped.push('\u{fffd}'),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_replaces_what_xml_cannot_carry() {
        assert_eq!(
            super::escape("a<b & \"c'\x1b[31m\u{ffff}\u{fffe}\0\u{10000}"),
            "a&lt;b &amp; &quot;c&#39;\u{fffd}[31m\u{fffd}\u{fffd}\u{fffd}\u{10000}"
        );
    }
}
