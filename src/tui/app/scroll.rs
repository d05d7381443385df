//! The message pane's scroll position, moved in rows of laid-out messages, and the read
//! receipts that depend on what the pane actually shows.
//!
//! Every walk here starts at the bottom of the pane and stops after a pane's worth of
//! rows, so scrolling costs the same in a thread of ten or of 100,000 messages.

use super::{App, Command, Overlay, ScrollPos};
use crate::tui::conversation::Conversation;
use crate::tui::layout::Areas;
use crate::tui::layout::blocks::BlockCtx;

/// (entry index, rows above its bottom) of the pane's bottom row, or `None` if empty.
pub(crate) fn resolve(conv: &Conversation, pos: &ScrollPos) -> Option<(usize, usize)> {
    let last = conv.len().checked_sub(1)?;
    match &pos.bottom {
        None => Some((last, 0)),
        Some(key) => match conv.index_of(key) {
            Ok(i) => Some((i, pos.offset)),
            Err(i) => Some((i.saturating_sub(1).min(last), 0)),
        },
    }
}

/// Indices of the entries visible in a pane of `height` rows, newest first.
pub(crate) fn visible_indices(ctx: &BlockCtx<'_>, pos: &ScrollPos, height: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let Some((idx, off)) = resolve(ctx.conv, pos) else {
        return out;
    };
    let mut rows = ctx.height(idx).saturating_sub(off);
    out.push(idx);
    let mut j = idx;
    while rows < height && j > 0 {
        j -= 1;
        rows += ctx.height(j);
        out.push(j);
    }
    out
}

impl App {
    fn pane(&self) -> (u16, usize) {
        let m = Areas::compute(self).messages;
        (m.width, usize::from(m.height))
    }

    /// Rows a PageUp/PageDown moves.
    pub(super) fn page_rows(&self) -> usize {
        self.pane().1.saturating_sub(1).max(1)
    }

    pub(super) fn scroll_to_bottom(&mut self) {
        self.scroll = ScrollPos::default();
    }

    fn newest_key(&self) -> Option<crate::tui::entry::MsgKey> {
        self.open_thread()
            .and_then(|t| t.conv.last())
            .map(|e| e.key.clone())
    }

    /// Puts the entry with `key` at the bottom of the pane.
    pub(super) fn scroll_to_key(&mut self, key: &crate::tui::entry::MsgKey) {
        if self.newest_key().as_ref() == Some(key) {
            self.scroll_to_bottom();
            return;
        }
        self.scroll = ScrollPos {
            bottom: Some(key.clone()),
            offset: 0,
            new_below: self.scroll.new_below,
        };
        self.clamp_scroll();
    }

    pub(super) fn scroll_up(&mut self, n: usize, out: &mut Vec<Command>) {
        let (width, height) = self.pane();
        let Some(t) = self.open_thread() else { return };
        let ctx = BlockCtx::new(self, &t.conv, width);
        let Some((mut idx, mut off)) = resolve(&t.conv, &self.scroll) else {
            self.request_older(out);
            return;
        };
        off += n;
        loop {
            let bh = ctx.height(idx);
            if off < bh {
                break;
            }
            if idx == 0 {
                off = bh.saturating_sub(1);
                break;
            }
            off -= bh;
            idx -= 1;
        }
        let (pos, at_top) = top_clamped(&ctx, idx, off, height);
        let new_below = self.scroll.new_below;
        let bottom = pos.map(|(i, _)| t.conv.get(i).map(|e| e.key.clone()));
        self.scroll = match (bottom, pos) {
            (Some(Some(key)), Some((_, off))) => ScrollPos {
                bottom: Some(key),
                offset: off,
                new_below,
            },
            _ => ScrollPos::default(),
        };
        if at_top {
            self.request_older(out);
        }
    }

    pub(super) fn scroll_down(&mut self, n: usize) {
        let (width, _) = self.pane();
        if self.scroll.bottom.is_none() {
            return;
        }
        let Some(t) = self.open_thread() else { return };
        let ctx = BlockCtx::new(self, &t.conv, width);
        let Some((mut idx, off)) = resolve(&t.conv, &self.scroll) else {
            return;
        };
        let mut off = off as isize - n as isize;
        while off < 0 {
            if idx + 1 >= t.conv.len() {
                self.scroll_to_bottom();
                return;
            }
            idx += 1;
            off += ctx.height(idx) as isize;
        }
        if idx + 1 >= t.conv.len() && off == 0 {
            self.scroll_to_bottom();
            return;
        }
        let key = t.conv.get(idx).map(|e| e.key.clone());
        self.scroll.bottom = key;
        self.scroll.offset = usize::try_from(off).unwrap_or(0);
    }

    /// Keeps the position valid after the data or the width changed.
    pub(super) fn clamp_scroll(&mut self) {
        if self.scroll.bottom.is_none() {
            return;
        }
        let (width, height) = self.pane();
        let Some(t) = self.open_thread() else {
            self.scroll_to_bottom();
            return;
        };
        let ctx = BlockCtx::new(self, &t.conv, width);
        let Some((idx, off)) = resolve(&t.conv, &self.scroll) else {
            self.scroll_to_bottom();
            return;
        };
        let off = off.min(ctx.height(idx).saturating_sub(1));
        let (pos, _) = top_clamped(&ctx, idx, off, height);
        match pos.and_then(|(i, o)| Some((t.conv.get(i)?.key.clone(), o))) {
            Some((key, offset)) => {
                self.scroll.bottom = Some(key);
                self.scroll.offset = offset;
            }
            None => self.scroll_to_bottom(),
        }
    }

    /// Asks for older history while everything loaded fits in the pane, so a short
    /// first page (the service's default is 10 messages) does not leave a blank pane.
    pub(super) fn fill_pane(&mut self, out: &mut Vec<Command>) {
        let (width, height) = self.pane();
        let Some(t) = self.open_thread() else { return };
        if height == 0 || t.conv.history.complete || t.conv.history.loading {
            return;
        }
        let ctx = BlockCtx::new(self, &t.conv, width);
        let fits = match resolve(&t.conv, &ScrollPos::default()) {
            None => true,
            Some((idx, off)) => top_clamped(&ctx, idx, off, height).0.is_none(),
        };
        if fits {
            self.request_older(out);
        }
    }

    fn request_older(&mut self, out: &mut Vec<Command>) {
        let now = self.now;
        let Some(t) = self.open.as_ref().and_then(|id| self.threads.get_mut(id)) else {
            return;
        };
        let h = &mut t.conv.history;
        if h.complete || h.loading {
            return;
        }
        h.loading = true;
        h.requested_at = now;
        out.push(Command::LoadOlder {
            thread_id: t.id.clone(),
            next_link: h.next_link.clone(),
        });
    }

    /// Sends a read receipt for the newest message from someone else that the pane
    /// shows, once per message.
    pub(super) fn send_read_receipt(&mut self, out: &mut Vec<Command>) {
        if matches!(self.overlay, Overlay::Help { .. })
            || (self.show_participants && self.size.0 < crate::tui::layout::MIN_WIDTH_FOR_SIDE_PANE)
        {
            return;
        }
        let (width, height) = self.pane();
        if height == 0 {
            return;
        }
        let own = self.profile.user_id.clone();
        let Some(t) = self.open_thread() else { return };
        let ctx = BlockCtx::new(self, &t.conv, width);
        let newest_from_other = visible_indices(&ctx, &self.scroll, height)
            .into_iter()
            .filter_map(|i| t.conv.get(i))
            .find(|e| {
                e.key.is_server()
                    && !e.is_system()
                    && !e.deleted
                    && e.sender_id.as_deref().is_some_and(|s| s != own)
            });
        let Some(e) = newest_from_other else { return };
        if t.receipt_sent.as_ref().is_some_and(|k| *k >= e.key) {
            return;
        }
        let (key, message_id, thread_id) = (
            e.key.clone(),
            e.id.clone().unwrap_or_default(),
            t.id.clone(),
        );
        if let Some(t) = self.open_thread_mut() {
            t.receipt_sent = Some(key);
        }
        out.push(Command::SendReadReceipt {
            thread_id,
            message_id,
        });
    }
}

/// If fewer than `height` rows exist from the top of the conversation down to the
/// position, moves it so the first row is at the top of the pane (`None` = everything
/// fits: follow the bottom). Returns the position and whether the top was reached.
fn top_clamped(
    ctx: &BlockCtx<'_>,
    idx: usize,
    off: usize,
    height: usize,
) -> (Option<(usize, usize)>, bool) {
    let mut acc = ctx.height(idx).saturating_sub(off);
    let mut j = idx;
    while acc < height && j > 0 {
        j -= 1;
        acc += ctx.height(j);
    }
    if acc >= height {
        return (Some((idx, off)), j == 0 && acc == height);
    }
    let mut acc = 0;
    for k in 0..ctx.conv.len() {
        acc += ctx.height(k);
        if acc >= height {
            return (Some((k, acc - height)), true);
        }
    }
    (None, true)
}
