//! Rendering: human tables (comfy-table, fitted to the terminal) or json / ndjson / csv for
//! scripts. Results go to stdout; warnings, prompts and summaries to stderr.

use std::io::{self, IsTerminal, Write};

use std::borrow::Cow;

use crate::render::layout::{Column, StreamTable};
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Ndjson,
    Csv,
    /// The Prometheus text exposition (`stats` only).
    Prometheus,
}

impl Format {
    pub fn is_machine(self) -> bool {
        self != Format::Table
    }
}

/// A report type as a JSON value; `null` if it cannot be one (a map with non-string
/// keys), which no report type has.
pub fn json_value(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A report type as the JSON object the writers take.
pub fn json_object(value: &impl serde::Serialize) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// How this invocation prints.
#[derive(Clone, Debug)]
pub struct Output {
    pub format: Format,
    /// Colour on stdout (human formats only).
    pub color: bool,
    pub quiet: bool,
    /// Human tables in full, however wide.
    pub wide: bool,
    /// `--columns`: only these, in this order.
    pub columns: Vec<String>,
    /// `--no-payload`: machine formats leave payloads out.
    pub no_payload: bool,
    /// In a run over several targets, where each target's summary goes instead of
    /// standard output (the run prints them all at the end, one per target).
    pub summaries: Option<Summaries>,
}

/// The machine summaries of one target's run, kept for the run over several targets.
#[derive(Clone, Debug, Default)]
pub struct Summaries(std::sync::Arc<std::sync::Mutex<Vec<Map<String, Value>>>>);

impl Summaries {
    pub fn take(&self) -> Vec<Map<String, Value>> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// When to colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    Always,
    Never,
}

/// How an invocation prints, whatever asked for it (see `cli::GlobalArgs::output`).
#[derive(Clone, Copy, Debug)]
pub struct OutputOptions {
    pub format: Format,
    pub color: ColorChoice,
    pub quiet: bool,
}

/// The shape a command's own options give its output.
#[derive(Clone, Debug, Default)]
pub struct Shape {
    pub wide: bool,
    pub columns: Vec<String>,
    pub no_payload: bool,
}

/// Whether colour is wanted on a stream that is (or is not) a terminal.
pub fn color_wanted(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

impl Output {
    pub fn new(options: OutputOptions, view: Shape) -> Self {
        Self {
            format: options.format,
            color: options.format == Format::Table
                && color_wanted(options.color, io::stdout().is_terminal()),
            quiet: options.quiet,
            wide: view.wide,
            columns: view.columns,
            no_payload: view.no_payload,
            summaries: None,
        }
    }

    /// A command's machine summary: printed, or kept for a run over several targets.
    pub fn summary(&self, record: &Map<String, Value>) -> io::Result<()> {
        match &self.summaries {
            Some(kept) => {
                if let Ok(mut kept) = kept.0.lock() {
                    kept.push(record.clone());
                }
                Ok(())
            }
            None => print_record(self.format, record),
        }
    }

    /// The columns to print out of `available`, in order: all of them, or those named
    /// with `--columns` (an unknown name is a usage error).
    pub fn pick_columns<'a>(&self, available: &[&'a str]) -> anyhow::Result<Vec<&'a str>> {
        let keep = |c: &&str| !(self.no_payload && c.starts_with("payload"));
        if self.columns.is_empty() {
            return Ok(available.iter().copied().filter(keep).collect());
        }
        let mut seen = std::collections::HashSet::new();
        let picked: Vec<&str> = self
            .columns
            .iter()
            .map(|wanted| {
                let wanted = wanted.trim();
                available
                    .iter()
                    .find(|a| a.eq_ignore_ascii_case(wanted) || a.replace(' ', "_") == wanted)
                    .copied()
                    .ok_or_else(|| {
                        crate::error::usage(format!(
                            "unknown column {wanted:?} for --columns: use {}",
                            available
                                .iter()
                                .map(|a| a.replace(' ', "_"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })
            })
            .collect::<anyhow::Result<_>>()?;
        if let Some(twice) = picked.iter().find(|c| !seen.insert(**c)) {
            return Err(crate::error::usage(format!(
                "--columns names {} twice",
                twice.replace(' ', "_")
            )));
        }
        Ok(picked.into_iter().filter(keep).collect())
    }

    /// A small table for people (a report, key and value): the same layout as the
    /// streamed ones, its width the terminal's. The first column is never cut; the
    /// others are cut to fit, the last one first. Every cell goes through [`escape`].
    pub fn table(&self, header: &[&str]) -> View {
        let count = header.len();
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, h)| match i {
                0 => Column::whole(h),
                _ => Column::text_kept(h, (count - i) as u8),
            })
            .collect();
        View {
            columns,
            rows: Vec::new(),
        }
    }

    /// A note for the operator on stderr, unless `--quiet`. Text from the database must
    /// already be escaped.
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            stderr_line(text.as_ref());
        }
    }

    /// A warning on stderr, unless `--quiet`.
    pub fn warn(&self, text: impl AsRef<str>) {
        if !self.quiet {
            stderr_line(&format!("warning: {}", text.as_ref()));
        }
    }
}

/// A human table whose cells are always escaped: values from the database never reach
/// the terminal raw. Rendered by the streamed tables' layout, all rows at once.
pub struct View {
    columns: Vec<Column>,
    /// Each row, and whether its cells hold lines of outboxctl's own.
    rows: Vec<(Vec<String>, bool)>,
}

impl View {
    pub fn add_row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push((
            cells.into_iter().map(|c| c.as_ref().to_string()).collect(),
            false,
        ));
    }

    /// A row whose cells may hold line breaks of outboxctl's own (a pretty-printed
    /// document): each line is escaped, the breaks kept.
    pub fn add_row_lines<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push((
            cells.into_iter().map(|c| c.as_ref().to_string()).collect(),
            true,
        ));
    }

    /// Values people must read whole (a message's fields): wrapped, never cut.
    pub fn wrap_values(mut self) -> Self {
        for column in self.columns.iter_mut().skip(1) {
            *column = Column::wrapped(&column.header);
        }
        self
    }
}

impl std::fmt::Display for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buffer = Vec::new();
        let mut table = StreamTable::new(
            self.columns.clone(),
            &mut buffer,
            crate::render::layout::output_width(),
            false,
        );
        for (cells, lines) in &self.rows {
            let pushed = if *lines {
                table.push_lines(cells.clone())
            } else {
                table.push(cells.clone())
            };
            pushed.map_err(|_| std::fmt::Error)?;
        }
        table.finish().map_err(|_| std::fmt::Error)?;
        f.write_str(String::from_utf8_lossy(&buffer).trim_end())
    }
}

/// One line on stderr. A stderr that cannot be written to (closed, full) is ignored:
/// there is nowhere left to say anything, and a panic would hide what happened.
pub fn stderr_line(text: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{text}");
    let _ = err.flush();
}

/// Text from the database made safe for a terminal: control characters (C0, DEL, C1),
/// bidirectional overrides and line separators are shown as escapes (`\n`, `\x1b`,
/// `\u{202e}`), as `ls` and git do, so no stored value can move the cursor, retitle the
/// terminal, write the clipboard or forge a line. Machine formats never use this.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && needs_escape(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`escape`] for each line of text whose line breaks are outboxctl's own.
pub fn escape_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| escape(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A value that may be NULL, as human output shows it: `null`, as for a message never
/// processed.
pub fn or_null(value: Option<String>) -> String {
    value.unwrap_or_else(|| "null".to_string())
}

/// Whether text meant to be pasted (a fix: SQL statements or shell commands, one per
/// line) can be shown as it is: its only control characters are the line breaks between
/// its statements. A name holding a control character (a newline, ESC) cannot be shown
/// exactly on a terminal, and escaped it names a different object, so such a fix is not
/// offered as text to paste (JSON carries it exactly).
pub fn pasteable(text: &str) -> bool {
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) if needs_escape(c) => return false,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '\n' => {}
            None if needs_escape(c) => return false,
            None => {}
        }
    }
    true
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Prints one JSON document to stdout.
pub fn print_json(value: &Value) -> io::Result<()> {
    let mut out = io::BufWriter::new(stdout());
    if nesting(value) > PRETTY_DEPTH {
        serde_json::to_writer(&mut out, value)?;
    } else {
        serde_json::to_writer_pretty(&mut out, value)?;
    }
    writeln!(out)?;
    out.flush()
}

/// Deeper than this, JSON is printed compact: indentation grows with depth, so a
/// producer's 10,000-level header would otherwise print hundreds of megabytes.
const PRETTY_DEPTH: usize = 32;

/// JSON for people: pretty when shallow, compact when deep (see [`PRETTY_DEPTH`]).
pub fn pretty_json(value: &Value) -> String {
    if nesting(value) > PRETTY_DEPTH {
        value.to_string()
    } else {
        serde_json::to_string_pretty(value).unwrap_or_default()
    }
}

/// How deeply a value nests, counted without recursion.
fn nesting(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((value, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// A report made of one record per table (`migrate`, `check`): `json` prints `document`;
/// `ndjson` one record per line, and `csv` one row per record with `columns` as the
/// header (nested values as compact JSON).
pub fn print_records(
    format: Format,
    document: &Value,
    records: &[Value],
    columns: &[&str],
) -> io::Result<()> {
    match format {
        Format::Json => print_json(document),
        _ => {
            let mut writer = RowWriter::new(format, io::BufWriter::new(stdout()), columns)?;
            for record in records {
                if let Value::Object(map) = record {
                    writer.write(map)?;
                }
            }
            writer.finish().map(drop)
        }
    }
}

/// Prints the result of a change that committed. When stdout cannot be written (full,
/// closed), stderr says what changed (`changed`) and the exit code is 4
/// ([`crate::error::exit::OUTPUT_LOST`]): the change stands, its report was lost.
pub fn report_committed(
    changed: Option<&str>,
    print: impl FnOnce() -> io::Result<()>,
) -> anyhow::Result<()> {
    match (print(), changed) {
        (Ok(()), _) => Ok(()),
        (Err(err), None) => Err(err.into()),
        (Err(err), Some(changed)) => {
            stderr_line(&format!("outboxctl: {changed}"));
            Err(crate::error::Failure {
                code: crate::error::exit::OUTPUT_LOST,
                // The error names standard output already (see `Stdout`).
                message: format!("the change above committed, but its report was lost: {err}"),
            }
            .into())
        }
    }
}

/// Prints one JSON document on one line (ndjson).
pub fn print_json_line(value: &Value) -> io::Result<()> {
    let mut out = stdout();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

/// Prints one object in a machine format: a JSON document, one NDJSON line, or a CSV
/// header (its keys) and one row.
pub fn print_record(format: Format, record: &Map<String, Value>) -> io::Result<()> {
    match format {
        Format::Json => print_json(&Value::Object(record.clone())),
        Format::Ndjson | Format::Csv => {
            let columns: Vec<&str> = record.keys().map(String::as_str).collect();
            let mut writer = RowWriter::new(format, stdout(), &columns)?;
            writer.write(record)?;
            writer.finish().map(drop)
        }
        Format::Table | Format::Prometheus => {
            Err(io::Error::other("print_record is for json, ndjson and csv"))
        }
    }
}

/// Prints a table (or any text) to stdout.
pub fn print_text(text: impl std::fmt::Display) -> io::Result<()> {
    let mut out = stdout();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Streams rows in a machine format: a json array written element by element, one ndjson
/// object per line, or csv with a header row. Memory stays flat whatever the row count.
pub struct RowWriter<W: Write> {
    sink: Sink<W>,
    rows: u64,
    /// The keys written, in order: every row is projected onto them.
    columns: Vec<String>,
}

/// Where machine-format rows go: a json array, ndjson lines, or csv after its header.
pub(crate) enum Sink<W: Write> {
    Json(W),
    Ndjson(W),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> Sink<W> {
    /// Opens the sink; csv writes its header (`columns`) at once.
    pub(crate) fn open(format: Format, out: W, columns: &[&str]) -> io::Result<Self> {
        Ok(match format {
            Format::Json => Sink::Json(out),
            Format::Ndjson => Sink::Ndjson(out),
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(columns)?;
                Sink::Csv(Box::new(writer))
            }
            Format::Table | Format::Prometheus => {
                return Err(io::Error::other("rows stream in json, ndjson and csv only"));
            }
        })
    }

    /// Closes the document after `rows` rows (a json array needs its bracket) and flushes.
    pub(crate) fn finish(&mut self, rows: u64) -> io::Result<()> {
        match self {
            Sink::Json(out) => {
                out.write_all(if rows == 0 { b"[]\n" } else { b"\n]\n" })?;
                out.flush()
            }
            Sink::Ndjson(out) => out.flush(),
            Sink::Csv(writer) => writer.flush(),
        }
    }
}

impl<W: Write> RowWriter<W> {
    /// `columns` are the keys written, in order (the csv header).
    pub fn new(format: Format, out: W, columns: &[&str]) -> io::Result<Self> {
        let sink = Sink::open(format, out, columns)?;
        Ok(Self {
            sink,
            rows: 0,
            columns: columns.iter().map(|c| c.to_string()).collect(),
        })
    }

    pub fn write(&mut self, row: &Map<String, Value>) -> io::Result<()> {
        let projected: Map<String, Value>;
        let row = if row.len() == self.columns.len() && row.keys().eq(self.columns.iter()) {
            row
        } else {
            projected = self
                .columns
                .iter()
                .map(|c| (c.clone(), row.get(c).cloned().unwrap_or(Value::Null)))
                .collect();
            &projected
        };
        match &mut self.sink {
            Sink::Json(out) => {
                out.write_all(if self.rows == 0 { b"[\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut *out, row)?;
            }
            Sink::Ndjson(out) => {
                serde_json::to_writer(&mut *out, row)?;
                out.write_all(b"\n")?;
            }
            Sink::Csv(writer) => {
                writer
                    .write_record(row.values().map(csv_field))
                    .map_err(csv_io_error)?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Closes the document (a json array needs its bracket) and flushes.
    pub fn finish(mut self) -> io::Result<u64> {
        self.sink.finish(self.rows)?;
        Ok(self.rows)
    }
}

/// The io error inside a csv error, so a closed pipe stays a closed pipe.
pub(crate) fn csv_io_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A JSON value as one csv field: strings as they are, null as empty, numbers and
/// booleans as text, objects and arrays as compact JSON.
fn csv_field(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A byte count for people: `512 B`, `1.0 KiB`, `1.0 MiB`.
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `1 batch`, `3 batches`, `12,500 messages`: a count with its noun in the right
/// number, its thousands separated as everywhere people read numbers.
pub fn count_of(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!(
        "{} {}",
        grouped(i64::try_from(n).unwrap_or(i64::MAX)),
        if n == 1 { one } else { many }
    )
}

/// Separates thousands for counts people read: `1,234,567` (the progress bar's
/// `human_pos` does the same).
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Text from the database for a table cell: escaped (so on one line) and cut to `max`
/// display columns.
pub fn truncate(text: &str, max: usize) -> String {
    crate::render::layout::cut_to(&escape(text), max)
}

/// Standard output, locked, whose write errors say it was standard output that failed
/// (`> /dev/full` reads "writing to standard output failed: No space left on device", not
/// a bare "No space left on device"). A closed pipe keeps its kind, which ends a run
/// quietly.
pub struct Stdout(io::StdoutLock<'static>);

pub fn stdout() -> Stdout {
    Stdout(io::stdout().lock())
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(named_stdout)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(named_stdout)
    }
}

fn named_stdout(err: io::Error) -> io::Error {
    if err.kind() == io::ErrorKind::BrokenPipe {
        err
    } else {
        io::Error::new(
            err.kind(),
            format!("writing to standard output failed: {err}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_act_on() {
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
        assert_eq!(
            escape("a\x1b]52;c;SGVsbG8=\x07b\rc\nd\u{7f}\u{9b}e\u{202e}f"),
            "a\\x1b]52;c;SGVsbG8=\\x07b\\rc\\nd\\x7f\\x9be\\u{202e}f"
        );
        // Never half an escape: the cut comes before it.
        assert_eq!(truncate("ab\x1bcdef", 5), "ab…");
        assert_eq!(human_size(10), "10 B");
        assert_eq!(human_size(1_048_587), "1.0 MiB");
    }
}
