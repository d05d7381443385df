//! The topic line and the message pane. The pane is virtualized: it lays out entries
//! walking back from the bottom position and stops when the pane is full.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::tui::app::App;
use crate::tui::layout::blocks::BlockCtx;
use crate::tui::theme;

pub fn header(app: &App, area: Rect, frame: &mut Frame) {
    if area.area() == 0 {
        return;
    }
    let line = match app.open_thread() {
        None => Line::styled(theme::APP_NAME, theme::header()),
        Some(t) => {
            let mut spans = vec![Span::styled(
                text::fit(&t.topic, usize::from(area.width)),
                theme::header(),
            )];
            if t.meta.sticky {
                spans.push(Span::styled(format!(" · {}", theme::STICKY), theme::dim()));
            }
            let n = t.conv.participants.len();
            if n > 0 {
                spans.push(Span::styled(theme::members_count(n), theme::dim()));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(line, area);
}

pub fn pane(app: &App, area: Rect, frame: &mut Frame) {
    let height = usize::from(area.height);
    if height == 0 || area.width == 0 {
        return;
    }
    let Some(t) = app.open_thread() else {
        frame.render_widget(
            Line::styled(theme::NO_THREAD, theme::dim()),
            Rect { height: 1, ..area },
        );
        return;
    };
    let ctx = BlockCtx::new(app, &t.conv, area.width);
    let Some((idx, off)) = crate::tui::app::scroll_resolve(&t.conv, &app.scroll) else {
        let msg = if t.conv.history.loading {
            theme::LOADING_OLDER
        } else {
            theme::NO_MESSAGES
        };
        frame.render_widget(Line::styled(msg, theme::dim()), Rect { height: 1, ..area });
        return;
    };
    // Walk back from the bottom, newest block first, until the pane is full.
    let mut blocks: Vec<Vec<Line<'static>>> = Vec::new();
    let mut first = ctx.lines(idx);
    first.truncate(first.len().saturating_sub(off));
    let mut rows = first.len();
    blocks.push(first);
    let mut j = idx;
    while rows < height && j > 0 {
        j -= 1;
        let b = ctx.lines(j);
        rows += b.len();
        blocks.push(b);
    }
    if rows < height && j == 0 {
        let h = &t.conv.history;
        let top = if h.loading {
            Some(theme::LOADING_OLDER)
        } else if h.complete {
            Some(theme::BEGINNING)
        } else {
            None
        };
        if let Some(top) = top {
            blocks.push(vec![Line::styled(top, theme::dim()).centered()]);
            rows += 1;
        }
    }
    let lines: Vec<Line<'static>> = blocks.into_iter().rev().flatten().collect();
    let skip = lines.len().saturating_sub(height);
    let start_row = height.saturating_sub(rows.min(height));
    for (n, line) in lines.into_iter().skip(skip).enumerate() {
        let y = area.y + u16::try_from(start_row + n).unwrap_or(u16::MAX);
        if y >= area.y + area.height {
            break;
        }
        frame.render_widget(line, Rect::new(area.x, y, area.width, 1));
    }
    if app.scroll.bottom.is_some() && app.scroll.new_below {
        let label = text::fit(theme::NEW_MESSAGES, usize::from(area.width));
        let w = u16::try_from(text::width(&label))
            .unwrap_or(area.width)
            .min(area.width);
        let marker = Rect::new(area.x + area.width - w, area.y + area.height - 1, w, 1);
        frame.render_widget(Span::styled(label, theme::new_messages_marker()), marker);
    }
}

/// "Bob is typing…" under the messages.
pub fn typing(app: &App, area: Rect, frame: &mut Frame) {
    let Some(line) = theme::typing(&app.typing_names()) else {
        return;
    };
    let line = text::fit(&format!(" {line}"), usize::from(area.width));
    frame.render_widget(Line::styled(line, theme::dim()), area);
}
