//! Drawing: a pure function from [`App`] to a ratatui frame. It never changes state and
//! never panics, at any size down to 1x1 (every area comes from `layout`, which only
//! shrinks, and ratatui clips what does not fit).

mod compose;
mod help;
mod messages;
mod side_panes;
mod status;
pub mod text;

use ratatui::Frame;

use super::app::{App, Overlay};
use super::layout::Areas;

/// Draws the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let full = frame.area();
    let areas = Areas::compute_sized(app, full.width, full.height);
    if let Some(list) = areas.list {
        side_panes::thread_list(app, &areas, list, frame);
    }
    for border in [areas.list_border, areas.participants_border]
        .into_iter()
        .flatten()
    {
        side_panes::vertical_border(border, frame);
    }
    messages::header(app, areas.header, frame);
    messages::pane(app, areas.messages, frame);
    if let Some(t) = areas.typing {
        messages::typing(app, t, frame);
    }
    if let Some(p) = areas.participants {
        side_panes::participants(app, p, areas.participants_border.is_none(), frame);
    }
    if let Some(n) = areas.notice {
        status::notice(app, n, frame);
    }
    compose::draw(app, areas.compose, frame);
    status::status_bar(app, areas.status, frame);
    if let Overlay::Help { scroll } = app.overlay {
        help::draw(scroll, &app.settings.keys.help_lines(), full, frame);
    }
}

/// Drops every colour from a drawn frame, keeping bold, dim, italic and reverse: for
/// `NO_COLOR` and `[ui] color = false`.
pub fn strip_colors(buffer: &mut ratatui::buffer::Buffer) {
    for cell in &mut buffer.content {
        cell.fg = ratatui::style::Color::Reset;
        cell.bg = ratatui::style::Color::Reset;
        cell.underline_color = ratatui::style::Color::Reset;
    }
}
