//! Drawing the workbench: the pane tabs, the current pane, the status bar, and overlays.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Tabs, Wrap};

use super::app::App;
use super::component::Component;
use super::palette::Prompt;
use super::pane::Pane;
use super::theme::Theme;

pub fn render(f: &mut Frame, app: &mut App, theme: Theme) {
    // A message that does not fit beside the status takes the lines below it (at most 3).
    let width = f.area().width as usize;
    let head = status_head(app);
    let message_lines = match (&app.prompt, &app.message) {
        (None, Some(m)) if head.chars().count() + 3 + m.chars().count() > width => {
            m.chars().count().div_ceil(width.max(1)).clamp(1, 3) as u16
        }
        _ => 0,
    };
    let [tabs, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1 + message_lines)])
            .areas(f.area());
    render_tabs(f, app, theme, tabs);
    app.panes.get_mut(app.pane).render(f, body, &app.shared, theme);
    render_status(f, app, &head, theme, status);
    if app.help {
        render_help(f, app, theme, body);
    }
}

fn render_tabs(f: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let titles: Vec<String> = Pane::ALL.iter().enumerate().map(|(i, p)| format!("F{} {}", i + 1, p.title())).collect();
    // Each tab is padded a space either side, with a divider between tabs.
    let tabs_width = titles.iter().map(|t| t.chars().count() as u16 + 2).sum::<u16>() + titles.len() as u16 - 1;
    let selected = Pane::ALL.iter().position(|p| *p == app.pane).unwrap_or(0);
    let room = area.width.saturating_sub(tabs_width + 1) as usize;
    let full = format!("kindling · {}", app.name);
    // The project's name gives way before the tabs do.
    let name = if full.chars().count() <= room { full } else { super::cells::clip(&app.name, room) };
    let [left, right] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(name.chars().count() as u16)]).areas(area);
    let titles: Vec<Line> = titles.into_iter().map(Line::from).collect();
    f.render_widget(
        Tabs::new(titles)
            .select(selected)
            .highlight_style(theme.accent().add_modifier(Modifier::REVERSED))
            .divider("│"),
        left,
    );
    f.render_widget(Paragraph::new(Line::from(vec![Span::styled(name, theme.dim())])).right_aligned(), right);
}

fn render_status(f: &mut Frame, app: &mut App, head: &str, theme: Theme, area: Rect) {
    if let Some((kind, typed)) = &app.prompt {
        let input = &typed.text;
        let hint = match kind {
            Prompt::Filter if input.is_empty() => {
                "  e.g. height > 3 and colour == \"red\", is_null(age); Enter on empty clears"
            }
            Prompt::Search if input.is_empty() => "  text to find in any column, ignoring case",
            Prompt::Command if input.is_empty() => {
                "  a row number, a command (class add NAME, goto ID, order, train…) or an action"
            }
            Prompt::Augment => "  edit the numbers, Enter saves",
            _ => "",
        };
        // A typed command name: the actions it may become, with their keys (Tab completes).
        let matches = match kind {
            Prompt::Command if !input.is_empty() && input.parse::<usize>().is_err() => {
                let found = super::command::entries(input, &app.keymap, app.pane);
                let shown: Vec<String> = found
                    .iter()
                    .take(6)
                    .map(|(name, key)| match key {
                        Some(k) => format!("{name} ({k})"),
                        None => name.clone(),
                    })
                    .collect();
                let more = if found.len() > shown.len() { " …" } else { "" };
                if shown.is_empty() { "  no such command".into() } else { format!("  {}{more}", shown.join(" · ")) }
            }
            _ => hint.to_string(),
        };
        let line = Line::from(vec![Span::raw(format!("{}{input}", kind.sigil())), Span::styled(matches, theme.dim())]);
        f.render_widget(Paragraph::new(line), area);
        f.set_cursor_position((area.x + 1 + typed.cursor as u16, area.y));
        return;
    }
    let name = format!(" {} ", app.name);
    let mut spans = vec![Span::styled(name.clone(), theme.accent()), Span::raw(head[name.len()..].to_string())];
    match app.message.as_ref() {
        // Too long for the line: on the lines below, whole.
        Some(m) if area.height > 1 => {
            let [first, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
            f.render_widget(Paragraph::new(Line::from(spans)), first);
            let message = Paragraph::new(Span::styled(m.clone(), theme.fg("red"))).wrap(Wrap { trim: false });
            return f.render_widget(message, rest);
        }
        Some(m) => spans.push(Span::styled(format!(" · {m}"), theme.fg("red"))),
        // The key hints as far as they fit whole: a cut `q qui` reads as a typo.
        None => {
            let room = (area.width as usize).saturating_sub(head.chars().count());
            let hint = [" · ? help · q quit", " · ? help"].into_iter().find(|h| h.chars().count() <= room);
            spans.extend(hint.map(|h| Span::styled(h, theme.dim())));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The status line before any message: the project, the kind, the position, the labelled
/// share (of every sample, whatever the Browse view's filter shows).
fn status_head(app: &mut App) -> String {
    let total = app.panes.browse.samples;
    let position = app.panes.get_mut(app.pane).position().or_else(|| app.panes.browse.position()).unwrap_or_default();
    // A detection project counts the images boxed or marked done.
    let word = if app.panes.boxes.is_some() { "boxed" } else { "labelled" };
    let coverage = match (app.shared.labelled, total) {
        (Some(l), Some(n)) if n > 0 => format!("{word} {l}/{n} ({:.0}%)", l as f64 * 100.0 / n as f64),
        (Some(l), _) => format!("{word} {l}"),
        _ => format!("{word} …"),
    };
    format!(" {} {} · {position} · {coverage} · no jobs", app.name, app.shared.kind.name())
}

fn render_help(f: &mut Frame, app: &mut App, theme: Theme, area: Rect) {
    let component = app.panes.get_mut(app.pane);
    let lines = app.keymap.help(app.pane, |a| component.describe(a).unwrap_or(a.describe()));
    // One column when it fits, else two side by side, each as wide as its own entries; a
    // description too long for the screen wraps under itself rather than being cut.
    let room = area.height.saturating_sub(2) as usize;
    let per_column = if lines.len() <= room { lines.len() } else { lines.len().div_ceil(2) };
    let columns: Vec<&[(String, &str)]> = lines.chunks(per_column.max(1)).collect();
    let keys: Vec<usize> =
        columns.iter().map(|c| c.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0)).collect();
    let mut words: Vec<usize> =
        columns.iter().map(|c| c.iter().map(|(_, w)| w.chars().count()).max().unwrap_or(0)).collect();
    // Each column: its keys, two spaces, its words, two spaces (not after the last), and
    // the border's two.
    let fixed = keys.iter().map(|k| k + 4).sum::<usize>();
    let spare = usize::from(area.width).saturating_sub(fixed);
    // Too wide: the widest description column gives way first, down to an even share.
    while words.iter().sum::<usize>() > spare && words.iter().any(|&w| w > spare / words.len().max(1)) {
        let widest = (0..words.len()).max_by_key(|&i| words[i]).unwrap_or(0);
        words[widest] -= 1;
    }
    let rendered: Vec<Vec<(String, String)>> = columns
        .iter()
        .zip(&words)
        .map(|(column, &ww)| {
            column
                .iter()
                .flat_map(|(k, what)| {
                    wrap(what, ww.max(8))
                        .into_iter()
                        .enumerate()
                        .map(move |(i, part)| (if i == 0 { k.clone() } else { String::new() }, part))
                })
                .collect()
        })
        .collect();
    let rows = rendered.iter().map(Vec::len).max().unwrap_or(0);
    let text: Vec<Line> = (0..rows)
        .map(|row| {
            let mut spans = Vec::new();
            for (i, ((column, kw), ww)) in rendered.iter().zip(&keys).zip(&words).enumerate() {
                let (k, what) = column.get(row).cloned().unwrap_or_default();
                spans.push(Span::styled(format!("{k:>kw$}  "), theme.accent()));
                let gap = if i + 1 < rendered.len() { "  " } else { "" };
                spans.push(Span::raw(format!("{what:<ww$}{gap}")));
            }
            Line::from(spans)
        })
        .collect();
    let width = ((fixed + words.iter().sum::<usize>()) as u16).min(area.width);
    let height = (rows as u16 + 2).min(area.height);
    let popup = Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height };
    f.render_widget(Clear, popup);
    let title = format!(" {} keys · ? closes ", app.pane.title());
    f.render_widget(Paragraph::new(text).block(Block::bordered().title(title)), popup);
}

/// `text` in lines of at most `width` characters, broken after a space or a slash where it
/// can be (a word longer than a line where the line ends).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in text.split_inclusive([' ', '/']) {
        if !line.is_empty() && line.chars().count() + piece.trim_end().chars().count() > width {
            lines.push(std::mem::take(&mut line).trim_end().to_string());
        }
        line.push_str(piece);
        while line.trim_end().chars().count() > width {
            let rest: String = line.chars().skip(width).collect();
            lines.push(line.chars().take(width).collect());
            line = rest;
        }
    }
    lines.push(line.trim_end().to_string());
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn help_words_wrap_at_spaces_and_slashes() {
        assert_eq!(wrap("all/labelled/unlabelled/class", 20), ["all/labelled/", "unlabelled/class"]);
        assert_eq!(wrap("filter rows by column values", 12), ["filter rows", "by column", "values"]);
        assert_eq!(wrap("short", 20), ["short"]);
        assert_eq!(wrap("summary of the first column", 19), ["summary of the", "first column"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"], "a word longer than the line");
    }
}
