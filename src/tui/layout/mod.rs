//! Where everything goes on screen, as a pure function of the terminal size and the
//! state. The view draws into these areas and `update` uses the same numbers for mouse
//! hits and page sizes, so the two can never disagree.
//!
//! Narrow terminals drop panes automatically: the thread list needs 60 columns, a
//! side participant pane 70 (below that it is shown over the messages instead).
//!
//! [`blocks`] lays out the rows of each message the same way for both: the view draws
//! them, `update` scrolls by their heights. Layout lives here, not in the view, so the
//! update never depends on the drawing code.

pub mod blocks;

use ratatui::layout::Rect;

use super::app::{App, Overlay};

/// Columns below which the thread list is hidden.
pub const MIN_WIDTH_FOR_LIST: u16 = 60;
/// Columns below which the participant pane covers the messages instead of a side pane.
pub const MIN_WIDTH_FOR_SIDE_PANE: u16 = 70;
/// Most lines the compose box grows to.
pub const MAX_COMPOSE_LINES: u16 = 5;
const PARTICIPANTS_WIDTH: u16 = 24;

/// Rows the compose box's text takes at width `w` (soft-wrapped; the cursor may need
/// one more column at the end of a line).
fn compose_rows(app: &App, w: u16) -> usize {
    let w = usize::from(w.max(1));
    app.compose
        .lines()
        .iter()
        .map(|l| {
            (unicode_width::UnicodeWidthStr::width(l.as_str()) + 1)
                .div_ceil(w)
                .max(1)
        })
        .sum()
}

/// The screen areas of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    /// Thread list (first row is its title).
    pub list: Option<Rect>,
    /// One-column separator right of the list.
    pub list_border: Option<Rect>,
    /// Topic line over the messages.
    pub header: Rect,
    pub messages: Rect,
    /// "Bob is typing…" under the messages, while someone is.
    pub typing: Option<Rect>,
    /// Participant pane (side pane, or over the messages when narrow).
    pub participants: Option<Rect>,
    pub participants_border: Option<Rect>,
    /// Error / info / mode prompt line.
    pub notice: Option<Rect>,
    /// Compose box including its title line.
    pub compose: Rect,
    pub status: Rect,
}

impl Areas {
    /// The areas for the size the app last heard of (for `update`).
    pub fn compute(app: &App) -> Self {
        Self::compute_sized(app, app.size.0, app.size.1)
    }

    /// The areas for a frame of `w` x `h` cells (the view passes the real frame size).
    pub fn compute_sized(app: &App, w: u16, h: u16) -> Self {
        let mut a = Areas::default();
        if w == 0 || h == 0 {
            return a;
        }
        a.status = Rect::new(0, h - 1, w, 1);
        let mut remaining = h - 1;
        let lines = u16::try_from(compose_rows(app, w))
            .unwrap_or(u16::MAX)
            .clamp(1, MAX_COMPOSE_LINES);
        let compose_h = (lines + 1).min((remaining / 3).max(2)).min(remaining);
        remaining -= compose_h;
        a.compose = Rect::new(0, remaining, w, compose_h);
        let wants_notice = app.notice.is_some()
            || matches!(
                app.overlay,
                Overlay::Select { .. } | Overlay::Search { .. } | Overlay::Confirm(_)
            );
        if wants_notice && remaining >= 2 {
            remaining -= 1;
            a.notice = Some(Rect::new(0, remaining, w, 1));
        }
        let main_h = remaining;
        let mut x = 0;
        let mut col_w = w;
        if w >= MIN_WIDTH_FOR_LIST {
            let lw = (w / 4).clamp(18, 28);
            a.list = Some(Rect::new(0, 0, lw, main_h));
            a.list_border = Some(Rect::new(lw, 0, 1, main_h));
            x = lw + 1;
            col_w = w - x;
        }
        if app.show_participants && w >= MIN_WIDTH_FOR_SIDE_PANE {
            let pw = PARTICIPANTS_WIDTH.min(col_w / 2);
            col_w -= pw + 1;
            a.participants_border = Some(Rect::new(x + col_w, 0, 1, main_h));
            a.participants = Some(Rect::new(x + col_w + 1, 0, pw, main_h));
        }
        a.header = Rect::new(x, 0, col_w, main_h.min(1));
        let mut messages_h = main_h.saturating_sub(1);
        if !app.typing_names().is_empty() && messages_h >= 2 {
            messages_h -= 1;
            a.typing = Some(Rect::new(x, main_h.min(1) + messages_h, col_w, 1));
        }
        a.messages = Rect::new(x, main_h.min(1), col_w, messages_h);
        if app.show_participants && w < MIN_WIDTH_FOR_SIDE_PANE {
            a.participants = Some(a.messages);
        }
        a
    }

    /// First thread shown in the list: keeps the open thread visible.
    pub fn list_offset(&self, app: &App) -> usize {
        let rows = self
            .list
            .map_or(0, |l| usize::from(l.height.saturating_sub(1)));
        let open = app
            .open
            .as_ref()
            .and_then(|o| app.sorted_threads().iter().position(|t| &t.id == o))
            .unwrap_or(0);
        if rows == 0 {
            0
        } else {
            open.saturating_sub(rows - 1)
        }
    }

    /// Index (in list order) of the thread at a screen cell, if any.
    pub fn thread_at(&self, app: &App, col: u16, row: u16) -> Option<usize> {
        let l = self.list?;
        let inside = col >= l.x && col < l.x + l.width && row > l.y && row < l.y + l.height;
        if !inside {
            return None;
        }
        let idx = usize::from(row - l.y - 1) + self.list_offset(app);
        (idx < app.threads.len()).then_some(idx)
    }
}
