//! The compose box: a title line (priority, edit mode) over the multi-line editor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::tui::app::App;
use crate::tui::event::Priority;
use crate::tui::theme;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    if area.area() == 0 {
        return;
    }
    let editor = if area.height >= 2 {
        let w = usize::from(area.width);
        let mut spans = vec![Span::styled("── ", theme::border())];
        if app.editing.is_some() {
            spans.push(Span::styled(theme::COMPOSE_EDITING, theme::info_line()));
        } else {
            spans.push(Span::styled(theme::COMPOSE_TITLE, theme::dim()));
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
