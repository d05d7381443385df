//! The compose box: a title line (new message, history recall or edit; priority) over
//! the multi-line editor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::tui::app::{App, ComposeState};
use crate::tui::event::Priority;
use crate::tui::theme;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    if area.area() == 0 {
        return;
    }
    let editor = if area.height >= 2 {
        let w = usize::from(area.width);
        let mut spans = vec![Span::styled("── ", theme::border())];
        match &app.compose_state {
            ComposeState::Editing { .. } => {
                spans.push(Span::styled(theme::COMPOSE_EDITING, theme::info_line()))
            }
            ComposeState::History { pos, .. } => spans.push(Span::styled(
                theme::compose_history(pos.saturating_add(1), app.history_len()),
                theme::info_line(),
            )),
            ComposeState::New => spans.push(Span::styled(theme::COMPOSE_TITLE, theme::dim())),
        }
        if app.priority == Priority::High {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(theme::COMPOSE_HIGH, theme::high_priority()));
        }
        let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
        spans.push(Span::styled(
            format!(" {}", "─".repeat(w.saturating_sub(used + 1))),
            theme::border(),
        ));
        frame.render_widget(Line::from(spans), Rect { height: 1, ..area });
        Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        }
    } else {
        area
    };
    frame.render_widget(&app.compose, editor);
}
