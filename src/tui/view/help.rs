//! The help overlay: every key binding and every slash command, scrollable. Lines are
//! wrapped here (with hanging indents) so the scroll limit is exact.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::layout::blocks::wrap;
use crate::tui::{commands, keymap, theme};

/// Width of the keys column when there is room for two columns.
const KEYS_COLUMN: usize = 29;
/// Where the description starts in a command's usage line.
const USAGE_COLUMN: usize = 32;

fn styled(parts: &[(&str, Style)]) -> Vec<(char, Style)> {
    parts
        .iter()
        .flat_map(|(s, st)| s.chars().map(move |c| (c, *st)))
        .collect()
}

/// All help lines for a box `width` columns wide: keys and descriptions side by side,
/// or keys above their description when narrow.
/// `configured` are the config file's extra bindings (key, action name), listed first.
pub fn lines(width: u16, configured: &[(String, &'static str)]) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let two_columns = width >= KEYS_COLUMN + 30;
    let mut out = vec![Line::styled(theme::HELP_KEYS, theme::header())];
    let configured: Vec<(&str, String)> = configured
        .iter()
        .map(|(k, a)| {
            (
                k.as_str(),
                format!("{} (your binding)", a.replace('_', " ")),
            )
        })
        .collect();
    let defaults = keymap::HELP.iter().map(|(k, w)| (*k, (*w).to_owned()));
    for (keys, what) in configured
        .iter()
        .map(|(k, w)| (*k, w.clone()))
        .chain(defaults)
    {
        let (keys, what) = (keys, what.as_str());
        if two_columns {
            let keys = format!("{keys:<KEYS_COLUMN$}");
            out.extend(wrap(
                &styled(&[(&keys, theme::info_line()), (what, Style::new())]),
                width,
                KEYS_COLUMN,
            ));
        } else {
            out.extend(wrap(&styled(&[(keys, theme::info_line())]), width, 2));
            out.extend(wrap(
                &styled(&[("  ", Style::new()), (what, Style::new())]),
                width,
                2,
            ));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(theme::HELP_COMMANDS, theme::header()));
    let usage_indent = if width >= USAGE_COLUMN + 30 {
        USAGE_COLUMN
    } else {
        2
    };
    let escape = format!("{:<USAGE_COLUMN$}send a message starting with /", "//text");
    for usage in commands::COMMANDS
        .iter()
        .map(|(_, u)| *u)
        .chain([escape.as_str()])
    {
        out.extend(wrap(&styled(&[(usage, Style::new())]), width, usage_indent));
    }
    out
}

pub fn draw(scroll: u16, configured: &[(String, &'static str)], full: Rect, frame: &mut Frame) {
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
    let lines = lines(area.width.saturating_sub(2), configured);
    let inner_h = area.height.saturating_sub(2);
    let max_scroll = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(inner_h);
    frame.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(theme::HELP_TITLE)
        .style(theme::overlay());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll), 0)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_binding_and_command() {
        for width in [30u16, 88] {
            let text: String = lines(width, &[])
                .iter()
                .map(|l| {
                    l.spans
                        .iter()
                        .map(|s| s.content.as_ref())
                        .collect::<String>()
                        + "\n"
                })
                .collect();
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for (keys, what) in keymap::HELP {
                assert!(flat.contains(keys), "{keys} missing at width {width}");
                assert!(
                    flat.contains(what.split_whitespace().next().unwrap_or("")),
                    "{what} missing"
                );
            }
            for (name, _) in commands::COMMANDS {
                assert!(
                    flat.contains(&format!("/{name}")),
                    "/{name} missing at width {width}"
                );
            }
        }
    }
}
