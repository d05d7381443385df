//! Printing results: `--output json` (one stable JSON document, or one object per line
//! when following) or `--output table` (aligned columns for people), and `--quiet`.
//!
//! JSON uses the REST API's own field names (camelCase), so a script written against
//! the ACS documentation reads it without surprises. Table cells are data from the
//! service: control characters and escape sequences are neutralized before they reach
//! the terminal.

use std::io::Write as _;

use crate::sanitize::table_cell;
use serde::Serialize;
use unicode_width::UnicodeWidthStr as _;

/// The `--output` formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    #[default]
    Table,
    /// One JSON document (or one object per line with `--follow`), stable for scripts.
    Json,
}

/// Rows of text with a header, printed with aligned columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    /// Columns at least this wide: a streamed table renders each row alone, so fixed
    /// widths keep its rows aligned with the header.
    min_widths: Vec<usize>,
}

/// The widest free text (message content, topics) gets in a table before it is cut
/// with `…`. Ids are never cut: people copy them into the next command.
pub const MAX_TEXT: usize = 72;

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Self {
            headers: headers.to_vec(),
            rows: Vec::new(),
            min_widths: Vec::new(),
        }
    }

    /// Sets minimum column widths (for tables printed row by row).
    pub fn with_min_widths(mut self, widths: &[usize]) -> Self {
        self.min_widths = widths.to_vec();
        self
    }

    /// Adds a row; cells are neutralized (cut free text with [`text_cell`] first).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.iter().map(|c| table_cell(c)).collect());
    }

    /// A key/value table (for `show` commands): two columns, no header line.
    pub fn pairs(pairs: &[(&'static str, String)]) -> Self {
        let mut t = Self::new(&[]);
        for (k, v) in pairs {
            t.rows
                .push(vec![format!("{k}:"), truncate(&table_cell(v), 200)]);
        }
        t
    }

    /// The table as text, one line per row, columns separated by two spaces.
    pub fn render(&self) -> String {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.headers.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for (w, min) in widths.iter_mut().zip(&self.min_widths) {
            *w = *min;
        }
        for (i, h) in self.headers.iter().enumerate() {
            widths[i] = widths[i].max(h.width());
        }
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut text = String::new();
            for (i, cell) in cells.enumerate() {
                if i > 0 {
                    text.push_str("  ");
                }
                text.push_str(cell);
                text.push_str(&" ".repeat(widths[i].saturating_sub(cell.width())));
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        if !self.headers.is_empty() {
            line(&mut self.headers.iter().copied());
        }
        for row in &self.rows {
            line(&mut row.iter().map(String::as_str));
        }
        out
    }
}

/// Writes results to stdout in the chosen format.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub format: OutputFormat,
    pub quiet: bool,
}

impl Printer {
    /// Prints `value` as one JSON document, or `table()` as a table.
    pub fn show<T: Serialize + ?Sized>(&self, value: &T, table: impl FnOnce() -> Table) {
        if self.quiet {
            return;
        }
        match self.format {
            OutputFormat::Json => write_stdout(&to_json_pretty(value)),
            OutputFormat::Table => write_stdout(&table().render()),
        };
    }

    /// Prints one item of a stream: a compact JSON object on its own line, or table rows
    /// without a header (the header is printed once with [`Printer::stream_header`]).
    /// Returns false once stdout is closed (`... --follow | head -3`), so the stream can stop.
    pub fn stream_item<T: Serialize + ?Sized>(
        &self,
        value: &T,
        row: impl FnOnce() -> Table,
    ) -> bool {
        if self.quiet {
            return true;
        }
        let text = match self.format {
            OutputFormat::Json => {
                serde_json::to_string(value).unwrap_or_else(|e| json_error(&e)) + "\n"
            }
            // Drop the header line: the stream has printed it once already.
            OutputFormat::Table => row()
                .render()
                .split_once('\n')
                .map_or(String::new(), |(_, rest)| rest.to_owned()),
        };
        write_stdout(&text)
    }

    /// The header of a streamed table (nothing for JSON).
    pub fn stream_header(&self, table: &Table) {
        if !self.quiet && self.format == OutputFormat::Table {
            write_stdout(
                table
                    .render()
                    .lines()
                    .next()
                    .map(|l| format!("{l}\n"))
                    .as_deref()
                    .unwrap_or(""),
            );
        }
    }

    /// A line for people (progress, confirmations), printed only in table mode.
    pub fn note(&self, text: &str) {
        if !self.quiet && self.format == OutputFormat::Table {
            write_stdout(&format!("{text}\n"));
        }
    }
}

fn to_json_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| json_error(&e)) + "\n"
}

fn json_error(e: &serde_json::Error) -> String {
    serde_json::json!({ "error": format!("cannot render JSON: {e}") }).to_string()
}

/// Writes to stdout; false when it is closed (`acs-chat message list | head`), which
/// is not an error for a one-shot command but ends a stream.
pub fn write_stdout(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

/// Free text for a table cell: neutralized by the one rule of [`crate::sanitize`] and
/// cut to [`MAX_TEXT`] columns.
pub fn text_cell(text: &str) -> String {
    truncate(&table_cell(text), MAX_TEXT)
}

/// Cuts `text` to at most `max` columns, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width + w + 1 > max {
            break;
        }
        out.push(c);
        width += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["ID", "TOPIC"]);
        t.row(vec!["1".into(), "Quickstart".into()]);
        t.row(vec!["22".into(), "x".into()]);
        assert_eq!(t.render(), "ID  TOPIC\n1   Quickstart\n22  x\n");
    }

    #[test]
    fn escapes_cannot_reach_the_terminal() {
        let s = table_cell("a\u{1b}[2Jb\nc\u{202e}d\u{2028}e\u{061C}\u{FEFF}f");
        assert_eq!(s, "ab⏎cd⏎ef");
        assert!(!s.chars().any(char::is_control));
    }

    #[test]
    fn long_cells_are_cut() {
        let cut = truncate(&"x".repeat(100), 10);
        assert_eq!(cut.width(), 10);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn min_widths_align_rows_rendered_alone() {
        let one = |id: &str| {
            let mut t = Table::new(&["ID", "X"]).with_min_widths(&[5]);
            t.row(vec![id.into(), "x".into()]);
            t.render()
        };
        assert_eq!(one("1"), "ID     X\n1      x\n");
        assert_eq!(one("12345"), "ID     X\n12345  x\n");
    }

    #[test]
    fn pairs_have_no_header() {
        let t = Table::pairs(&[("id", "19:a".into()), ("topic", "Hi".into())]);
        assert_eq!(t.render(), "id:     19:a\ntopic:  Hi\n");
    }
}
