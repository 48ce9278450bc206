//! Human tables that fit the terminal and stream in bounded memory.
//!
//! Columns are sized from the first page of rows, then every later row is written as it
//! comes. Ids, statuses, ages and numbers are never broken or cut. When the table is
//! wider than the terminal, the free-text columns are cut with an ellipsis (in their
//! declared order), then columns are dropped (in their declared order); below a width
//! where a table cannot help, each row becomes a block of `name │ value` lines, like
//! psql's `\x auto`. Without a terminal and without `COLUMNS`, rows are printed in full.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use crate::render::output::escape;

/// Rows read before the column widths are fixed.
const FIRST_PAGE: usize = 200;
/// Narrowest a cut column gets, ellipsis included.
const MIN_CUT_WIDTH: usize = 8;
/// Narrowest a cut column gets before columns are dropped to make room for it.
const COMFORTABLE_CUT_WIDTH: usize = 16;
/// Below this many columns left, records read better than a table.
const MIN_TABLE_COLUMNS: usize = 3;

/// One column of a streamed table.
#[derive(Clone, Debug)]
pub struct Column {
    pub header: String,
    /// Never cut (ids, statuses, ages, numbers).
    pub whole: bool,
    /// Order in which free-text columns are cut (lower first); `None` never.
    pub cut_order: Option<u8>,
    /// Order in which columns are dropped when cutting is not enough (lower first);
    /// `None` never.
    pub drop_order: Option<u8>,
    pub right_align: bool,
    /// At least this wide: the widest value the column can hold (a status, an age), so
    /// rows streamed after the first page still fit.
    pub min_width: usize,
    /// A text column people read: before it is cut below this width, the columns ahead
    /// of it in the drop order are dropped (all but the `sticky` ones).
    pub prefer: usize,
    /// Not dropped to give a `prefer` column its width.
    pub sticky: bool,
    /// Wrapped onto more lines instead of cut (a value people must read whole).
    pub wrap: bool,
}

impl Column {
    /// A column that is never cut or dropped.
    pub fn whole(header: &str) -> Self {
        Self {
            header: header.to_string(),
            whole: true,
            cut_order: None,
            drop_order: None,
            right_align: false,
            min_width: 0,
            prefer: 0,
            sticky: false,
            wrap: false,
        }
    }

    /// Kept at `width` (or its widest value) while other columns can be dropped.
    pub fn prefer(self, width: usize) -> Self {
        Self {
            prefer: width,
            ..self
        }
    }

    /// Never dropped to make room for a `prefer` column.
    pub fn sticky(self) -> Self {
        Self {
            sticky: true,
            ..self
        }
    }

    /// At least `width` wide.
    pub fn at_least(self, width: usize) -> Self {
        Self {
            min_width: width,
            ..self
        }
    }

    /// A free-text column: cut at `cut`, dropped at `drop`.
    pub fn text(header: &str, cut: u8, drop: u8) -> Self {
        Self {
            header: header.to_string(),
            whole: false,
            cut_order: Some(cut),
            drop_order: Some(drop),
            right_align: false,
            min_width: 0,
            prefer: 0,
            sticky: false,
            wrap: false,
        }
    }

    /// A number: never cut, right-aligned, dropped at `drop`.
    pub fn number(header: &str, drop: u8) -> Self {
        Self {
            header: header.to_string(),
            whole: true,
            cut_order: None,
            drop_order: Some(drop),
            right_align: true,
            min_width: 0,
            prefer: 0,
            sticky: false,
            wrap: false,
        }
    }

    /// Free text that is never dropped: cut at `cut` to fit.
    pub fn text_kept(header: &str, cut: u8) -> Self {
        Self {
            drop_order: None,
            ..Self::text(header, cut, 0)
        }
    }

    /// Free text that is never dropped nor cut: wrapped onto more lines to fit.
    pub fn wrapped(header: &str) -> Self {
        Self {
            wrap: true,
            ..Self::text_kept(header, 0)
        }
    }

    /// Never cut, dropped at `drop`.
    pub fn whole_dropped(header: &str, drop: u8) -> Self {
        Self {
            drop_order: Some(drop),
            ..Self::whole(header)
        }
    }
}

/// How wide the output may be: the terminal's width, else `COLUMNS`, else unlimited.
pub fn output_width() -> Option<usize> {
    use std::io::IsTerminal;
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
    {
        return Some(columns);
    }
    if io::stdout().is_terminal() {
        // A terminal that reports no size (0×0, as some do under a pty) is taken for
        // the usual 80 columns, not one column wide.
        return terminal_width().or(Some(80));
    }
    None
}

/// The width of the terminal on stdout; a terminal that reports 0 columns is unknown.
fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size_of(io::stdout())
        .map(|(terminal_size::Width(w), _)| usize::from(w))
        .filter(|w| *w > 0)
}

/// Paints a cell after it has been laid out (colour never counts towards widths).
pub type Painter = fn(column: &str, text: &str) -> Option<&'static str>;

/// A table written row by row.
pub struct StreamTable<W: Write> {
    columns: Vec<Column>,
    out: W,
    width: Option<usize>,
    wide: bool,
    painter: Option<Painter>,
    pending: Vec<Vec<String>>,
    layout: Option<Layout>,
    rows: u64,
    records: u64,
}

#[derive(Debug, Clone)]
enum Layout {
    Table {
        shown: Vec<usize>,
        widths: Vec<usize>,
    },
    Records {
        label_width: usize,
    },
}

impl<W: Write> StreamTable<W> {
    /// `width` as from [`output_width`]; `wide` shows every column in full.
    pub fn new(columns: Vec<Column>, out: W, width: Option<usize>, wide: bool) -> Self {
        // Headers can be names from the database (a dedup table's columns): escaped too.
        let columns = columns
            .into_iter()
            .map(|c| Column {
                header: escape(&c.header).into_owned(),
                ..c
            })
            .collect();
        Self {
            columns,
            out,
            width,
            wide,
            painter: None,
            pending: Vec::new(),
            layout: None,
            rows: 0,
            records: 0,
        }
    }

    pub fn paint(mut self, painter: Option<Painter>) -> Self {
        self.painter = painter;
        self
    }

    /// Adds a row of raw values (escaped here).
    pub fn push(&mut self, cells: Vec<String>) -> io::Result<()> {
        let cells: Vec<String> = cells.iter().map(|c| escape(c).into_owned()).collect();
        self.rows += 1;
        if self.layout.is_none() {
            self.pending.push(cells);
            if self.pending.len() >= FIRST_PAGE {
                self.start()?;
            }
            return Ok(());
        }
        self.write_row(&cells)
    }

    /// Adds a row whose cells may hold lines of outboxctl's own (a pretty-printed
    /// document): each line is escaped here, the line breaks kept.
    pub fn push_lines(&mut self, cells: Vec<String>) -> io::Result<()> {
        let cells: Vec<String> = cells
            .iter()
            .map(|c| crate::render::output::escape_lines(c))
            .collect();
        self.rows += 1;
        if self.layout.is_none() {
            self.pending.push(cells);
            if self.pending.len() >= FIRST_PAGE {
                self.start()?;
            }
            return Ok(());
        }
        self.write_row(&cells)
    }

    /// Writes what is left and the closing border; returns the number of rows.
    pub fn finish(mut self) -> io::Result<u64> {
        if self.rows == 0 {
            return Ok(0);
        }
        if self.layout.is_none() {
            self.start()?;
        }
        if let Some(Layout::Table { shown, widths }) = &self.layout {
            let line = border(shown, widths, '└', '┴', '┘', '─');
            writeln!(self.out, "{line}")?;
        }
        self.out.flush()?;
        Ok(self.rows)
    }

    fn start(&mut self) -> io::Result<()> {
        let layout = self.plan();
        if let Layout::Table { shown, widths } = &layout {
            let headers: Vec<String> = self.columns.iter().map(|c| c.header.clone()).collect();
            let top = border(shown, widths, '┌', '┬', '┐', '─');
            let line = self.line(shown, widths, &headers, false);
            let under = border(shown, widths, '╞', '╪', '╡', '═');
            writeln!(self.out, "{top}\n{line}\n{under}")?;
        }
        self.layout = Some(layout);
        for row in std::mem::take(&mut self.pending) {
            self.write_row(&row)?;
        }
        Ok(())
    }

    /// Fits the columns into the width: the whole columns at their natural width, the free
    /// text sharing what is left (the widest cut first, none below a floor). When the
    /// text cannot keep a comfortable width, columns are dropped in their order and the
    /// room they free goes to the text; when even the narrowest text does not fit, rows
    /// become records.
    fn plan(&self) -> Layout {
        let natural: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                self.pending
                    .iter()
                    .map(|r| widest_line(&r[i]))
                    .chain(std::iter::once(self.columns[i].header.width()))
                    .chain(std::iter::once(self.columns[i].min_width))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let all: Vec<usize> = (0..self.columns.len()).collect();
        let Some(limit) = self.width.filter(|_| !self.wide) else {
            return Layout::Table {
                shown: all,
                widths: natural,
            };
        };
        let mut drop: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| self.columns[i].drop_order.is_some())
            .collect();
        drop.sort_by_key(|&i| self.columns[i].drop_order);
        // A column people read keeps its preferred width while the columns ahead of it
        // in the drop order (but the sticky ones) go.
        if let Some(preferred) = all
            .iter()
            .copied()
            .filter(|&i| self.columns[i].prefer > 0)
            .min_by_key(|&i| self.columns[i].drop_order)
        {
            let floor = self.columns[preferred].prefer.min(natural[preferred]);
            let mut shown = all.clone();
            let mut candidates = drop.iter().copied().filter(|&i| {
                !self.columns[i].sticky
                    && i != preferred
                    && self.columns[i].drop_order < self.columns[preferred].drop_order
            });
            // The other text is cut to its comfortable width before this column goes
            // below its preferred one.
            let mut floors = vec![COMFORTABLE_CUT_WIDTH; self.columns.len()];
            floors[preferred] = floor;
            loop {
                if let Some(widths) = self.level(&shown, &natural, limit, &floors) {
                    return Layout::Table { shown, widths };
                }
                match candidates.next() {
                    Some(i) => shown.retain(|&s| s != i),
                    None => break,
                }
            }
            // With nothing left to drop, the column gets what is left.
            floors[preferred] = COMFORTABLE_CUT_WIDTH;
            if let Some(widths) = self.level(&shown, &natural, limit, &floors) {
                return Layout::Table { shown, widths };
            }
        }
        // First keep every text column at a comfortable width, dropping only the columns
        // ahead of the first text column in the drop order; then let text go down to the
        // floor, dropping anything in order.
        for (floor, text_droppable) in [(COMFORTABLE_CUT_WIDTH, false), (MIN_CUT_WIDTH, true)] {
            let mut shown = all.clone();
            let mut candidates = drop
                .clone()
                .into_iter()
                // Never skip over a text column: the drop order stands.
                .take_while(|&i| text_droppable || self.columns[i].whole);
            loop {
                if let Some(widths) =
                    self.level(&shown, &natural, limit, &vec![floor; self.columns.len()])
                {
                    if shown.len() >= MIN_TABLE_COLUMNS.min(self.columns.len()) {
                        return Layout::Table { shown, widths };
                    }
                    break;
                }
                match candidates.next() {
                    Some(i) => shown.retain(|&s| s != i),
                    None => break,
                }
            }
        }
        let label_width = self
            .columns
            .iter()
            .map(|c| c.header.width())
            .max()
            .unwrap_or(0);
        Layout::Records { label_width }
    }

    /// Widths for the `shown` columns within `limit`, cutting free text (widest first)
    /// no lower than each column's `floors`; `None` when they cannot fit.
    fn level(
        &self,
        shown: &[usize],
        natural: &[usize],
        limit: usize,
        floors: &[usize],
    ) -> Option<Vec<usize>> {
        let mut widths = natural.to_vec();
        let borders = 3 * shown.len() + 1;
        let total = |widths: &[usize]| shown.iter().map(|&i| widths[i]).sum::<usize>() + borders;
        let cuttable: Vec<usize> = shown
            .iter()
            .copied()
            .filter(|&i| !self.columns[i].whole)
            .collect();
        let mut over = total(&widths).saturating_sub(limit);
        while over > 0 {
            let widest = cuttable
                .iter()
                .copied()
                .filter(|&i| widths[i] > floors[i].min(natural[i]))
                .max_by_key(|&i| (widths[i], std::cmp::Reverse(self.columns[i].cut_order)))?;
            let next = cuttable
                .iter()
                .filter(|&&i| i != widest)
                .map(|&i| widths[i])
                .filter(|&w| w < widths[widest])
                .max()
                .unwrap_or(0)
                .max(floors[widest].min(natural[widest]));
            let cut = (widths[widest] - next).clamp(1, over);
            widths[widest] -= cut;
            over -= cut;
        }
        Some(widths)
    }

    fn write_row(&mut self, cells: &[String]) -> io::Result<()> {
        let text = match &self.layout {
            Some(Layout::Table { shown, widths }) => self.line(shown, widths, cells, true),
            Some(Layout::Records { label_width }) => {
                self.records += 1;
                self.record(*label_width, cells)
            }
            None => unreachable!("rows are written after the layout"),
        };
        writeln!(self.out, "{text}")
    }

    /// One row as a block of `name │ value` lines.
    fn record(&self, label_width: usize, cells: &[String]) -> String {
        let value_width = self
            .width
            .map(|w| w.saturating_sub(label_width + 3).max(MIN_CUT_WIDTH));
        let mut lines = vec![format!("-[ {} ]-", self.records)];
        for (column, cell) in self.columns.iter().zip(cells) {
            let values = match value_width {
                Some(w) if !column.whole && !self.wide => fit_lines(cell, w, column.wrap),
                _ => cell.split('\n').map(str::to_string).collect(),
            };
            for (n, value) in values.iter().enumerate() {
                let label = if n == 0 { column.header.as_str() } else { "" };
                lines.push(format!(
                    "{}{} │ {}",
                    label,
                    " ".repeat(label_width - label.width()),
                    self.painted(&column.header, value)
                ));
            }
        }
        lines.join("\n")
    }

    /// One row: a line per line of its tallest cell.
    fn line(&self, shown: &[usize], widths: &[usize], cells: &[String], paint: bool) -> String {
        // Cut only to fit a terminal (or COLUMNS); never with --wide or unlimited.
        let fitting = self.width.is_some() && !self.wide;
        let cell_lines: Vec<Vec<String>> = shown
            .iter()
            .map(|&i| {
                let column = &self.columns[i];
                if column.whole || !fitting {
                    cells[i].split('\n').map(str::to_string).collect()
                } else {
                    fit_lines(&cells[i], widths[i], column.wrap)
                }
            })
            .collect();
        let height = cell_lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        (0..height)
            .map(|n| {
                let parts: Vec<String> = shown
                    .iter()
                    .zip(&cell_lines)
                    .map(|(&i, lines)| {
                        let column = &self.columns[i];
                        let text = lines.get(n).cloned().unwrap_or_default();
                        let pad = " ".repeat(widths[i].saturating_sub(text.width()));
                        let shown_text = if paint {
                            self.painted(&column.header, &text)
                        } else {
                            text
                        };
                        if column.right_align {
                            format!("{pad}{shown_text}")
                        } else {
                            format!("{shown_text}{pad}")
                        }
                    })
                    .collect();
                format!("│ {} │", parts.join(" ┆ "))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn painted(&self, column: &str, text: &str) -> String {
        match self.painter.and_then(|p| p(column, text)) {
            Some(code) => format!("\x1b[{code}m{text}\x1b[0m"),
            None => text.to_string(),
        }
    }
}

fn border(
    shown: &[usize],
    widths: &[usize],
    left: char,
    mid: char,
    right: char,
    fill: char,
) -> String {
    let parts: Vec<String> = shown
        .iter()
        .map(|&i| fill.to_string().repeat(widths[i] + 2))
        .collect();
    format!("{left}{}{right}", parts.join(&mid.to_string()))
}

/// The widest of a cell's lines.
fn widest_line(cell: &str) -> usize {
    cell.split('\n').map(|l| l.width()).max().unwrap_or(0)
}

/// A cell's lines within `width`: each cut, or with `wrap` broken onto more lines.
fn fit_lines(cell: &str, width: usize, wrap: bool) -> Vec<String> {
    cell.split('\n')
        .flat_map(|line| {
            if line.width() <= width {
                vec![line.to_string()]
            } else if wrap {
                textwrap::wrap(line, width.max(1))
                    .into_iter()
                    .map(|piece| piece.into_owned())
                    .collect()
            } else {
                vec![cut_to(line, width)]
            }
        })
        .collect()
}

/// Text cut to `width` display columns, ending in `…` when anything was cut.
pub fn cut_to(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    // Never leave half of an escape (`\x1`, `\u{20`): cut before it instead.
    if let Some(at) = out.rfind('\\') {
        let tail = &out[at..];
        let whole = tail.len() == 2 && matches!(tail, "\\n" | "\\r" | "\\t")
            || tail.starts_with("\\x") && tail.len() == 4
            || tail.starts_with("\\u{") && tail.ends_with('}');
        if !whole && tail.len() < 11 {
            out.truncate(at);
        }
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        vec![
            Column::whole("id"),
            Column::whole("status"),
            Column::text("topic", 2, 3),
            Column::number("retries", 1),
            Column::text("last error", 1, 2),
        ]
    }

    fn render(width: Option<usize>, rows: &[[&str; 5]]) -> String {
        let mut out = Vec::new();
        let mut table = StreamTable::new(columns(), &mut out, width, false);
        for row in rows {
            table
                .push(row.iter().map(|s| s.to_string()).collect())
                .unwrap();
        }
        table.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    const ID: &str = "06eb4926-b93e-457c-845d-fb02d1af1eed";

    #[test]
    fn fits_by_cutting_text_then_dropping_columns_then_records() {
        let rows = [[
            ID,
            "failed",
            "orders.created",
            "3",
            "connection refused by upstream payments gateway",
        ]];
        let full = render(None, &rows);
        assert!(full.contains("connection refused by upstream payments gateway"));
        let narrow = render(Some(80), &rows);
        for line in narrow.lines() {
            assert!(line.width() <= 80, "{line}");
        }
        assert!(narrow.contains(ID) && narrow.contains("failed") && narrow.contains('…'));
        let tiny = render(Some(40), &rows);
        assert!(tiny.contains("-[ ") && tiny.contains(ID), "{tiny}");
    }

    #[test]
    fn rows_after_the_first_page_keep_the_widths() {
        let mut rows: Vec<[&str; 5]> = vec![[ID, "failed", "t", "1", "short"]; FIRST_PAGE];
        rows.push([
            ID,
            "failed",
            "t",
            "1",
            "a much longer error that came later",
        ]);
        let text = render(Some(100), &rows);
        let widths: Vec<usize> = text.lines().map(|l| l.width()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{text}");
    }

    #[test]
    fn cut_marks_the_cut() {
        assert_eq!(cut_to("abcdef", 4), "abc…");
        assert_eq!(cut_to("abc", 4), "abc");
        assert_eq!(cut_to("ab\\u{202e}cdef", 7), "ab…");
        assert_eq!(cut_to("ab\\x1bcdef", 7), "ab\\x1b…");
    }
}
