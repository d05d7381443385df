//! The thread list (left) and the participant pane (right, or over the messages when
//! the terminal is narrow).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};
use time::OffsetDateTime;

use super::text;
use crate::seed::thread_meta::Role;
use crate::tui::app::App;
use crate::tui::layout::Areas;
use crate::tui::theme;
use crate::wire::timestamp::in_offset;

pub fn vertical_border(area: Rect, frame: &mut Frame) {
    for y in area.y..area.y + area.height {
        frame.render_widget(
            Span::styled("│", theme::border()),
            Rect::new(area.x, y, 1, 1),
        );
    }
}

/// Last activity: time today, else day and month.
fn activity_label(app: &App, at: Option<OffsetDateTime>) -> String {
    let Some(at) = at else { return String::new() };
    let off = app.settings.utc_offset;
    let at = in_offset(at, off);
    let today = app.now.map(|n| in_offset(n, off).date());
    if today == Some(at.date()) {
        app.settings.timestamp_format.format(at)
    } else {
        let month = at.month().to_string();
        format!("{} {}", at.day(), month.get(..3).unwrap_or(&month))
    }
}

pub fn thread_list(app: &App, areas: &Areas, area: Rect, frame: &mut Frame) {
    if area.area() == 0 {
        return;
    }
    let w = usize::from(area.width);
    frame.render_widget(
        Line::styled(text::fit(theme::THREADS_TITLE, w), theme::header()),
        Rect { height: 1, ..area },
    );
    let offset = areas.list_offset(app);
    let rows = usize::from(area.height.saturating_sub(1));
    for (n, t) in app
        .sorted_threads()
        .into_iter()
        .skip(offset)
        .take(rows)
        .enumerate()
    {
        let badge = match (t.gone, t.unread, t.activity) {
            (Some(reason), ..) => theme::gone_badge(reason).to_owned(),
            (None, 0, false) => String::new(),
            (None, 0, true) => "•".to_owned(),
            (None, n, _) => n.to_string(),
        };
        let when = activity_label(app, t.last_activity);
        let right = format!(
            "{}{}{}",
            if badge.is_empty() { "" } else { " " },
            badge,
            if when.is_empty() {
                String::new()
            } else {
                format!(" {when}")
            }
        );
        let right = text::fit(&right, w.saturating_sub(4));
        let left_w = w.saturating_sub(text::width(&right));
        let unread = t.unread > 0 || t.activity;
        let is_open = app.open.as_deref() == Some(t.id.as_str());
        let mut style = if unread {
            theme::thread_unread()
        } else {
            ratatui::style::Style::new()
        };
        if is_open {
            style = style.patch(theme::thread_selected());
        }
        let badge_style = if unread {
            theme::unread_badge()
        } else {
            theme::dim()
        };
        let line = Line::from(vec![
            Span::styled(text::pad(&t.topic, left_w), style),
            Span::styled(right, badge_style),
        ]);
        let y = area.y + 1 + u16::try_from(n).unwrap_or(0);
        frame.render_widget(line, Rect::new(area.x, y, area.width, 1));
    }
}

pub fn participants(app: &App, area: Rect, as_overlay: bool, frame: &mut Frame) {
    if area.area() == 0 {
        return;
    }
    let Some(t) = app.open_thread() else { return };
    let members = &t.conv.participants;
    let title = format!("{} ({})", theme::PARTICIPANTS_TITLE, members.len());
    let inner = if as_overlay {
        frame.render_widget(Clear, area);
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme::border())
            .title(text::fit(&title, usize::from(area.width.saturating_sub(2))));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        inner
    } else {
        frame.render_widget(
            Line::styled(text::fit(&title, usize::from(area.width)), theme::header()),
            Rect { height: 1, ..area },
        );
        Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        }
    };
    let w = usize::from(inner.width);
    for (n, m) in members.iter().take(usize::from(inner.height)).enumerate() {
        let role = t.meta.role_of(&m.id, m.metadata.as_ref());
        let role_text = format!(" {}", role.as_str());
        let name = if m.name.is_empty() {
            app.name_of(&m.id)
        } else {
            m.name.clone()
        };
        let name_w = w.saturating_sub(text::width(&role_text));
        let role_style = if role == Role::Admin {
            theme::role_admin()
        } else {
            theme::dim()
        };
        let me = if m.id == app.profile.user_id { "*" } else { "" };
        let line = Line::from(vec![
            Span::styled(
                text::pad(&format!("{name}{me}"), name_w),
                theme::sender_style(&m.id),
            ),
            Span::styled(text::fit(&role_text, w), role_style),
        ]);
        let y = inner.y + u16::try_from(n).unwrap_or(0);
        frame.render_widget(line, Rect::new(inner.x, y, inner.width, 1));
    }
}
