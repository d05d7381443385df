//! The help overlay: every key binding and every slash command, scrollable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::{commands, keymap, theme};

/// Width of the keys column when there is room for two columns.
const KEYS_COLUMN: usize = 29;

/// All help lines for a box `width` columns wide: keys and descriptions side by side,
/// or keys above their description when narrow.
pub fn lines(width: u16) -> Vec<Line<'static>> {
    let two_columns = usize::from(width) >= KEYS_COLUMN + 30;
    let mut out = vec![Line::styled(theme::HELP_KEYS, theme::header())];
    for (keys, what) in keymap::HELP {
        if two_columns {
            out.push(Line::from(vec![
                Span::styled(format!("{keys:<KEYS_COLUMN$}"), theme::info_line()),
                Span::raw(*what),
            ]));
        } else {
            out.push(Line::styled(*keys, theme::info_line()));
            out.push(Line::raw(format!("  {what}")));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(theme::HELP_COMMANDS, theme::header()));
    for (_, usage) in commands::COMMANDS {
        out.push(Line::raw(*usage));
    }
    out.push(Line::raw(
        "//text                           send a message starting with /",
    ));
    out
}

pub fn draw(scroll: u16, full: Rect, frame: &mut Frame) {
    let w = full.width.min(90);
    let h = full.height.saturating_sub(2).max(full.height.min(3));
    let area = Rect::new(
        full.x + (full.width - w) / 2,
        full.y + (full.height - h) / 2,
        w,
        h,
    );
    if area.area() == 0 {
        return;
    }
    let lines = lines(area.width.saturating_sub(2));
    let inner_h = area.height.saturating_sub(2);
    let max_scroll = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(inner_h);
    frame.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(theme::HELP_TITLE)
        .style(theme::overlay());
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false });
    frame.render_widget(paragraph.scroll((scroll.min(max_scroll), 0)), area);
}
