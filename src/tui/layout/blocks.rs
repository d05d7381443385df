//! The rows of one message as drawn in the message pane: day separator, sender line
//! with time and markers, wrapped body, delivery status. Pure: the same function gives
//! the view its lines and `update` the heights it scrolls by, so they always agree.
//!
//! Wrapping uses display widths (unicode-width): wide characters and emoji take two
//! cells and are never split across the pane's edge.

use std::cell::Cell;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use time::OffsetDateTime;
use unicode_width::UnicodeWidthChar;

use crate::tui::app::App;
use crate::tui::conversation::{Conversation, StatusLabels};
use crate::tui::entry::{Body, Entry, LocalState, MsgKey, NamedUser};
use crate::tui::event::Priority;
use crate::tui::theme;
use crate::wire::timestamp::in_offset;

/// Indent of wrapped and continuation rows.
const INDENT: usize = 2;

thread_local! {
    static LAID_OUT: Cell<u64> = const { Cell::new(0) };
}

/// How many message blocks this thread has laid out so far: lets tests prove that
/// drawing a huge thread lays out only the visible messages.
pub fn laid_out_count() -> u64 {
    LAID_OUT.with(Cell::get)
}

/// Everything needed to lay out the messages of one conversation at one width.
pub struct BlockCtx<'a> {
    pub app: &'a App,
    pub conv: &'a Conversation,
    pub labels: StatusLabels,
    pub selected: Option<MsgKey>,
    pub hit: Option<MsgKey>,
    pub width: u16,
}

impl<'a> BlockCtx<'a> {
    pub fn new(app: &'a App, conv: &'a Conversation, width: u16) -> Self {
        let (selected, hit) = match &app.overlay {
            crate::tui::app::Overlay::Select { key } => (Some(key.clone()), None),
            crate::tui::app::Overlay::Search { hit, .. } => (None, hit.clone()),
            _ => (None, None),
        };
        Self {
            app,
            conv,
            labels: conv.status_labels(),
            selected,
            hit,
            width,
        }
    }

    /// Rows of the entry at `idx` (empty if out of range).
    pub fn height(&self, idx: usize) -> usize {
        self.lines(idx).len()
    }

    /// The lines of the entry at `idx`, day separator and status included.
    pub fn lines(&self, idx: usize) -> Vec<Line<'static>> {
        let Some(e) = self.conv.get(idx) else {
            return Vec::new();
        };
        LAID_OUT.with(|c| c.set(c.get() + 1));
        let width = usize::from(self.width.max(1));
        let mut out = Vec::new();
        let offset = self.app.settings.utc_offset;
        let day = |t: OffsetDateTime| in_offset(t, offset).date();
        let prev_day = idx
            .checked_sub(1)
            .and_then(|p| self.conv.get(p))
            .map(|p| day(p.created_on));
        if prev_day != Some(day(e.created_on)) {
            out.push(day_separator(in_offset(e.created_on, offset), width));
        }
        let time = self
            .app
            .settings
            .timestamp_format
            .format(in_offset(e.created_on, offset));
        let mut cells: Vec<(char, Style)> = Vec::new();
        let push = |cells: &mut Vec<(char, Style)>, s: &str, st: Style| {
            cells.extend(s.chars().map(|c| (c, st)))
        };
        push(&mut cells, &time, theme::timestamp());
        push(&mut cells, " ", Style::new());
        if e.is_system() {
            push(&mut cells, &self.system_text(e), theme::system_message());
        } else {
            let sender = e.sender_id.as_deref().unwrap_or("");
            let name = self.sender_name(e);
            push(&mut cells, &name, theme::sender_style(sender));
            if e.priority == Priority::High {
                push(&mut cells, " ", Style::new());
                push(&mut cells, theme::HIGH, theme::high_priority());
            }
            push(&mut cells, ": ", Style::new());
            match &e.body {
                _ if e.deleted => push(&mut cells, theme::DELETED, theme::marker()),
                Body::Text(t) => push(&mut cells, t, Style::new()),
                _ => {}
            }
            if e.edited && !e.deleted {
                push(&mut cells, " ", Style::new());
                push(&mut cells, theme::EDITED, theme::marker());
            }
        }
        out.extend(wrap(&cells, width, INDENT));
        if let Some((text, style)) = self.status_of(e) {
            let cells: Vec<(char, Style)> = text.chars().map(|c| (c, style)).collect();
            out.extend(wrap(&cells, width, 0).into_iter().map(Line::right_aligned));
        }
        let highlight = if self.selected.as_ref() == Some(&e.key) {
            Some(theme::selected_message())
        } else if self.hit.as_ref() == Some(&e.key) {
            Some(theme::search_match())
        } else {
            None
        };
        if let Some(st) = highlight {
            out = out.into_iter().map(|l| l.patch_style(st)).collect();
        }
        out
    }

    fn sender_name(&self, e: &Entry) -> String {
        let id = e.sender_id.as_deref().unwrap_or("");
        if !e.sender_name.is_empty() {
            return e.sender_name.clone();
        }
        self.conv
            .name_of(id)
            .map_or_else(|| self.app.name_of(id), str::to_owned)
    }

    fn name(&self, u: &NamedUser) -> String {
        if let Some(n) = self.conv.name_of(&u.id) {
            return n.to_owned();
        }
        match &u.name {
            Some(n) if !n.is_empty() => n.clone(),
            _ => self.app.name_of(&u.id),
        }
    }

    fn names(&self, members: &[NamedUser]) -> String {
        members
            .iter()
            .map(|m| self.name(m))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn system_text(&self, e: &Entry) -> String {
        let by_name = |by: &Option<String>| {
            by.as_ref().map(|id| {
                self.name(&NamedUser {
                    id: id.clone(),
                    name: None,
                })
            })
        };
        match &e.body {
            Body::TopicUpdated { by, topic } => theme::topic_changed(by_name(by).as_deref(), topic),
            Body::ParticipantsAdded { by, members } => {
                // A thread's creation lists the creator among the added: "Alice added Bob".
                let others: Vec<NamedUser> = members
                    .iter()
                    .filter(|m| Some(&m.id) != by.as_ref())
                    .cloned()
                    .collect();
                match by_name(by) {
                    Some(b) if !others.is_empty() => theme::members_added(&b, &self.names(&others)),
                    _ => theme::members_joined(&self.names(members)),
                }
            }
            Body::ParticipantsRemoved { by, members } => {
                let left = by
                    .as_ref()
                    .is_none_or(|b| members.len() == 1 && &members[0].id == b);
                match by_name(by) {
                    Some(b) if !left => theme::members_removed(&b, &self.names(members)),
                    _ => theme::members_left(&self.names(members)),
                }
            }
            Body::Text(t) => t.clone(),
        }
    }

    fn status_of(&self, e: &Entry) -> Option<(String, Style)> {
        if let Some(LocalState::Failed(err)) = &e.local {
            let text = if err.is_empty() {
                theme::FAILED_HINT.to_owned()
            } else {
                format!("{} ({err})", theme::FAILED_HINT)
            };
            return Some((text, theme::status_failed()));
        }
        if self.labels.sending.as_ref() == Some(&e.key) {
            return Some((theme::SENDING.to_owned(), theme::status_ok()));
        }
        if self.labels.sent.as_ref() == Some(&e.key) {
            return Some((theme::SENT.to_owned(), theme::status_ok()));
        }
        match &self.labels.seen {
            Some((k, names)) if k == &e.key => Some((theme::seen_by(names), theme::status_ok())),
            _ => None,
        }
    }
}

fn day_separator(t: OffsetDateTime, width: usize) -> Line<'static> {
    let label = format!(" {}, {} {} {} ", t.weekday(), t.day(), t.month(), t.year());
    let label_w: usize = label.chars().filter_map(UnicodeWidthChar::width).sum();
    let side = width.saturating_sub(label_w) / 2;
    let bar = "─".repeat(side);
    Line::styled(format!("{bar}{label}{bar}"), theme::day_separator())
}

/// Wraps styled cells into rows of at most `width` columns, breaking at spaces when
/// possible; rows after the first are indented by `indent`. `\n` starts a new row.
pub fn wrap(cells: &[(char, Style)], width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    // Indent only when a wide character still fits after it.
    let indent = if width >= indent + 2 { indent } else { 0 };
    let cont = width - indent;
    let mut rows: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut start, mut i, mut w) = (0usize, 0usize, 0usize);
    let mut last_space: Option<usize> = None;
    while i < cells.len() {
        let c = cells[i].0;
        if c == '\n' {
            rows.push(start..i);
            i += 1;
            (start, w, last_space) = (i, 0, None);
            continue;
        }
        let cw = c.width().unwrap_or(0);
        let avail = if rows.is_empty() { width } else { cont };
        if w + cw > avail && i > start {
            if c == ' ' {
                rows.push(start..i);
                i += 1;
            } else if let Some(sp) = last_space.filter(|&sp| sp > start) {
                rows.push(start..sp);
                i = sp + 1;
            } else {
                rows.push(start..i);
            }
            (start, w, last_space) = (i, 0, None);
            continue;
        }
        if c == ' ' {
            last_space = Some(i);
        }
        w += cw;
        i += 1;
    }
    rows.push(start..cells.len());
    rows.into_iter()
        .enumerate()
        .map(|(n, r)| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            if n > 0 && indent > 0 {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            let mut cur = String::new();
            let mut cur_style = None;
            for &(c, st) in &cells[r] {
                if cur_style != Some(st) && !cur.is_empty() {
                    spans.push(Span::styled(
                        std::mem::take(&mut cur),
                        cur_style.unwrap_or_default(),
                    ));
                }
                cur_style = Some(st);
                cur.push(c);
            }
            if !cur.is_empty() {
                spans.push(Span::styled(cur, cur_style.unwrap_or_default()));
            }
            Line::from(spans)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    fn cells(s: &str) -> Vec<(char, Style)> {
        s.chars().map(|c| (c, Style::new())).collect()
    }

    #[test]
    fn wraps_at_spaces_with_indent() {
        assert_eq!(
            text(&wrap(&cells("hello big world"), 9, 2)),
            ["hello big", "  world"]
        );
        assert_eq!(
            text(&wrap(&cells("abcdefghij"), 4, 2)),
            ["abcd", "  ef", "  gh", "  ij"]
        );
        assert_eq!(text(&wrap(&cells("a\nb"), 10, 2)), ["a", "  b"]);
    }

    #[test]
    fn wide_chars_count_double() {
        let rows = text(&wrap(&cells("世界世界世"), 4, 0));
        assert_eq!(rows, ["世界", "世界", "世"]);
        // A wide char in a one-column pane still makes progress.
        assert_eq!(wrap(&cells("世世"), 1, 2).len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn rows_fit_the_width(text in "[a-z \u{4e16}\u{1f44b}\n]{0,120}", width in 2usize..40) {
            let rows = wrap(&cells(&text), width, 2);
            for row in &rows {
                let w: usize = row.spans.iter().map(|s| unicode_width::UnicodeWidthStr::width(s.content.as_ref())).sum();
                proptest::prop_assert!(w <= width, "row {:?} is {} wide, limit {}", row, w, width);
            }
            let kept: usize = rows.iter().flat_map(|r| r.spans.iter()).map(|s| s.content.chars().filter(|c| *c != ' ').count()).sum();
            let want = text.chars().filter(|c| *c != ' ' && *c != '\n').count();
            proptest::prop_assert_eq!(kept, want, "no character lost");
        }
    }
}
