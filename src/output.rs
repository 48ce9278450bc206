//! Rendering: human tables (comfy-table, fitted to the terminal) or json / ndjson / csv for
//! scripts. Results go to stdout; warnings, prompts and summaries to stderr.

use std::io::{self, IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Ndjson,
    Csv,
}

impl Format {
    pub fn is_machine(self) -> bool {
        self != Format::Table
    }
}

/// How this invocation prints.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub format: Format,
    pub color: bool,
    pub quiet: bool,
}

impl Output {
    pub fn new(format: Format, no_color: bool, quiet: bool) -> Self {
        let color = !no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && io::stdout().is_terminal();
        Self {
            format,
            color,
            quiet,
        }
    }

    /// A table styled for the terminal; its width follows the terminal when there is one.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.iter().copied());
        table
    }

    /// A note for the operator on stderr, unless `--quiet`.
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", text.as_ref());
        }
    }

    /// A warning on stderr, unless `--quiet`.
    pub fn warn(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("warning: {}", text.as_ref());
        }
    }
}

/// Prints one JSON document to stdout.
pub fn print_json(value: &Value) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
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
            let mut writer = RowWriter::new(format, io::stdout().lock(), &columns)?;
            writer.write(record)?;
            writer.finish().map(drop)
        }
        Format::Table => panic!("print_record is for machine formats"),
    }
}

/// Prints a table (or any text) to stdout.
pub fn print_text(text: impl std::fmt::Display) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Streams rows in a machine format: a json array written element by element, one ndjson
/// object per line, or csv with a header row. Memory stays flat whatever the row count.
pub struct RowWriter<W: Write> {
    sink: Sink<W>,
    rows: u64,
}

enum Sink<W: Write> {
    Json(W),
    Ndjson(W),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> RowWriter<W> {
    /// `columns` is the csv header; json and ndjson take their keys from each row.
    pub fn new(format: Format, out: W, columns: &[&str]) -> io::Result<Self> {
        let sink = match format {
            Format::Json => Sink::Json(out),
            Format::Ndjson => Sink::Ndjson(out),
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(columns)?;
                Sink::Csv(Box::new(writer))
            }
            Format::Table => panic!("RowWriter is for machine formats"),
        };
        Ok(Self { sink, rows: 0 })
    }

    pub fn write(&mut self, row: &Map<String, Value>) -> io::Result<()> {
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
                writer.write_record(row.values().map(csv_field))?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Closes the document (a json array needs its bracket) and flushes.
    pub fn finish(mut self) -> io::Result<u64> {
        match &mut self.sink {
            Sink::Json(out) => {
                out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
                out.flush()?;
            }
            Sink::Ndjson(out) => out.flush()?,
            Sink::Csv(writer) => writer.flush()?,
        }
        Ok(self.rows)
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

/// `1 batch`, `3 batches`: a count with its noun in the right number.
pub fn count_of(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Cuts text to `max` characters for a table cell, on one line.
pub fn truncate(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
