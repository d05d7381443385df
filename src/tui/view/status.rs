//! The status bar (profile, endpoint, connection, last poll age, `live` or `polling`
//! when push is on) and the notice line
//! (errors, information, mode prompts).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::tui::app::{App, Confirm, Overlay};
use crate::tui::event::ConnectionState;
use crate::tui::theme;

pub fn status_bar(app: &App, area: Rect, frame: &mut Frame) {
    if area.area() == 0 {
        return;
    }
    let one_line = crate::tui::sanitize::one_line;
    let (conn, conn_style) = match &app.connection {
        None => (theme::CONNECTING.to_owned(), theme::conn_ok()),
        // While push is live the last poll's age says nothing (polls are rare then).
        Some(ConnectionState::Ok { .. })
            if app.push_label().as_deref() == Some(theme::PUSH_LIVE) =>
        {
            (format!("● {}", theme::PUSH_LIVE), theme::conn_ok())
        }
        Some(ConnectionState::Ok { last_poll }) => {
            let age = app.now.map(|n| (n - *last_poll).whole_seconds().max(0));
            let ok = theme::conn_ok_age(age);
            match app.push_label() {
                Some(polling) => (format!("{ok} · {polling}"), theme::conn_ok()),
                None => (ok, theme::conn_ok()),
            }
        }
        Some(ConnectionState::Retrying { in_secs, error }) => (
            theme::conn_retrying(*in_secs, &one_line(error)),
            theme::conn_bad(),
        ),
        Some(ConnectionState::Offline { error }) => {
            (theme::conn_offline(&one_line(error)), theme::conn_bad())
        }
    };
    let right = " F1 help ";
    let w = usize::from(area.width);
    let avail = w.saturating_sub(text::width(right));
    let conn = text::fit(&conn, avail);
    // The endpoint gives way first, then the profile name.
    let name = format!(" {} · ", crate::tui::sanitize::one_line(&app.profile.name));
    let room = avail.saturating_sub(text::width(&conn));
    let left = if room > text::width(&name) + 4 {
        let endpoint = text::fit(
            &crate::tui::sanitize::one_line(&app.profile.endpoint),
            room - text::width(&name) - 3,
        );
        format!("{name}{endpoint} · ")
    } else {
        text::fit(&name, room)
    };
    let used = text::width(&left) + text::width(&conn);
    let fill = " ".repeat(avail.saturating_sub(used));
    let line = Line::from(vec![
        Span::styled(left, theme::status_bar()),
        Span::styled(conn, conn_style),
        Span::styled(fill, theme::status_bar()),
        Span::styled(
            text::fit(right, w.saturating_sub(used)),
            theme::status_bar(),
        ),
    ]);
    frame.render_widget(line.style(theme::status_bar()), area);
}

pub fn notice(app: &App, area: Rect, frame: &mut Frame) {
    let w = usize::from(area.width);
    let (msg, style) = match &app.overlay {
        Overlay::Confirm(Confirm::Paste(p)) => {
            (theme::paste_confirm(p.lines().count()), theme::info_line())
        }
        Overlay::Confirm(Confirm::Delete { .. }) => {
            (theme::DELETE_CONFIRM.to_owned(), theme::info_line())
        }
        Overlay::Confirm(Confirm::Leave { .. }) => {
            (theme::LEAVE_CONFIRM.to_owned(), theme::info_line())
        }
        Overlay::Select { .. } => (theme::SELECT_HINT.to_owned(), theme::info_line()),
        Overlay::Search { query, .. } => (
            format!("{}{}▏  {}", theme::SEARCH_PROMPT, query, theme::SEARCH_HINT),
            theme::info_line(),
        ),
        _ => match &app.notice {
            Some(n) if n.is_error => (n.text.clone(), theme::error_bar()),
            Some(n) => (n.text.clone(), theme::info_line()),
            None => return,
        },
    };
    frame.render_widget(Line::styled(text::pad(&msg, w), style), area);
}
