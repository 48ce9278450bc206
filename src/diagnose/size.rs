//! Size and bloat of both tables and their indexes. The estimate comes from the planner's
//! statistics (row counts and average column widths), so it reads no table; `--exact`
//! measures with `pgstattuple` when that extension is installed.

use serde_json::json;

use crate::db::catalog::RELATION_TREE;
use crate::db::sql::quote_ident;
use crate::diagnose::{CheckError, CheckResult, Detail, Measure, Probe, Status, Threshold};
use crate::render::output::human_size;

pub const BLOAT_THRESHOLDS: &[Threshold] = &[
    Threshold {
        key: "bloat",
        measure: Measure::Ratio,
        default: 0.5,
        about: "estimated share of a table or index that is empty space; a queue table that is half empty is read twice over by every scan",
    },
    Threshold {
        key: "bloat.min-size",
        measure: Measure::Size,
        default: 8.0 * 1024.0 * 1024.0,
        about: "relations smaller than this never warn (their bloat costs nothing)",
    },
];

/// Bytes a heap page keeps for its header, and an index page for header and special space.
const PAGE_HEADER: f64 = 24.0;
const BTREE_SPECIAL: f64 = 16.0;

fn maxalign(n: f64) -> f64 {
    (n / 8.0).ceil() * 8.0
}

/// One relation's size, and the share of it the statistics say is empty.
struct Measured {
    name: String,
    kind: &'static str,
    /// pgstatindex measures B-tree indexes only.
    btree: bool,
    bytes: i64,
    bloat: Option<f64>,
    method: &'static str,
}

pub fn bloat(probe: &mut Probe<'_>) -> CheckResult {
    let limit = probe.thresholds.get("bloat");
    let min_size = probe.thresholds.get("bloat.min-size");
    let exact = probe.exact;
    let mut finding = probe.finding("bloat");
    let mut parts = Vec::new();
    let mut notes = Vec::new();
    let mut index_bloated = false;
    for (_, rel, oid) in probe.storage() {
        // Sizes from the files need ACCESS SHARE on each relation: bounded by the lock
        // wait, and read from the statistics when another session holds the table.
        let sizes = probe.read("relation sizes", |tx| {
            let rows = tx.query(
                "SELECT c.oid, pg_catalog.pg_relation_size(c.oid)::pg_catalog.int8,
                        coalesce(pg_catalog.pg_total_relation_size(c.reltoastrelid), 0)::pg_catalog.int8
                   FROM pg_catalog.pg_class c
                  WHERE c.oid OPERATOR(pg_catalog.=) $1
                     OR c.oid OPERATOR(pg_catalog.=) ANY (SELECT indexrelid FROM pg_catalog.pg_index WHERE indrelid OPERATOR(pg_catalog.=) $1)",
                &crate::params![oid],
            )?;
            Ok(rows
                .iter()
                .map(|r| (r.get::<_, u32>(0), r.get::<_, i64>(1), r.get::<_, i64>(2)))
                .collect::<Vec<_>>())
        });
        let sizes = match sizes {
            Ok(sizes) => Some(sizes),
            Err(CheckError::Skip(reason)) => {
                notes.push(format!(
                    "{}: sizes are from the last VACUUM/ANALYZE ({reason})",
                    rel.name
                ));
                None
            }
            Err(fatal) => return Err(fatal),
        };
        let stats = probe.read("pg_class and pg_stats", |tx| {
            tx.query(
                "WITH widths AS (
                     SELECT a.attnum, coalesce(s.avg_width, 0) AS width, s.avg_width IS NOT NULL AS known
                       FROM pg_catalog.pg_attribute a
                       LEFT JOIN pg_catalog.pg_stats s
                              ON (s.schemaname, s.tablename) OPERATOR(pg_catalog.=)
                                 (SELECT n.nspname::pg_catalog.text, c2.relname::pg_catalog.text FROM pg_catalog.pg_class c2
                                    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c2.relnamespace
                                   WHERE c2.oid OPERATOR(pg_catalog.=) $1)
                             AND s.attname OPERATOR(pg_catalog.=) a.attname
                      WHERE a.attrelid OPERATOR(pg_catalog.=) $1 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)
                 SELECT c.oid, c.relname::pg_catalog.text, c.relkind::pg_catalog.text, c.relpages::pg_catalog.int8,
                        c.reltuples::pg_catalog.float8, am.amname::pg_catalog.text,
                        CASE WHEN c.oid OPERATOR(pg_catalog.=) $1
                             THEN (SELECT pg_catalog.sum(width) FROM widths)
                             ELSE (SELECT pg_catalog.sum(w.width) FROM widths w
                                    WHERE w.attnum OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest(i.indkey::pg_catalog.int2[]) FROM pg_catalog.pg_index i
                                                        WHERE i.indexrelid OPERATOR(pg_catalog.=) c.oid))
                        END::pg_catalog.int8,
                        (SELECT pg_catalog.bool_and(known) FROM widths),
                        coalesce((SELECT pg_catalog.split_part(o, '=', 2)::pg_catalog.float8 FROM pg_catalog.unnest(c.reloptions) AS o
                                   WHERE o OPERATOR(pg_catalog.~~) 'fillfactor=%'),
                                 CASE WHEN c.oid OPERATOR(pg_catalog.=) $1 THEN 100 ELSE 90 END),
                        pg_catalog.current_setting('block_size')::pg_catalog.float8,
                        coalesce((SELECT t.relpages::pg_catalog.int8 FROM pg_catalog.pg_class t WHERE t.oid OPERATOR(pg_catalog.=) c.reltoastrelid), 0)
                   FROM pg_catalog.pg_class c
                   LEFT JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam
                  WHERE c.oid OPERATOR(pg_catalog.=) $1
                     OR c.oid OPERATOR(pg_catalog.=) ANY (SELECT indexrelid FROM pg_catalog.pg_index WHERE indrelid OPERATOR(pg_catalog.=) $1)
                  ORDER BY c.oid OPERATOR(pg_catalog.<>) $1, c.relname",
                &crate::params![oid],
            )
        })?;
        let mut table_rows = 0.0;
        let mut measured = Vec::new();
        for row in &stats {
            let rel_oid: u32 = row.get(0);
            let name: String = row.get(1);
            let is_table = rel_oid == oid;
            let pages: i64 = row.get(3);
            let tuples: f64 = row.get(4);
            let method: Option<String> = row.get(5);
            let width: Option<i64> = row.get(6);
            let widths_known: Option<bool> = row.get(7);
            let fillfactor: f64 = row.get(8);
            let block: f64 = row.get(9);
            let toast_pages: i64 = row.get(10);
            let file_bytes = sizes
                .as_ref()
                .and_then(|s| s.iter().find(|(o, _, _)| *o == rel_oid));
            let bytes = file_bytes.map_or(pages * block as i64, |(_, b, _)| *b);
            if is_table {
                table_rows = tuples;
                let toast = file_bytes.map_or(toast_pages * block as i64, |(_, _, t)| *t);
                if toast > 0 {
                    measured.push(Measured {
                        name: format!("{} (TOAST)", rel.name),
                        kind: "toast",
                        btree: false,
                        bytes: toast,
                        bloat: None,
                        method: "size only",
                    });
                }
            }
            let actual_pages = (bytes as f64 / block).max(1.0);
            // No statistics yet (never analyzed): no estimate rather than a wrong one.
            let estimate = (tuples >= 0.0 && widths_known == Some(true))
                .then_some(())
                .and_then(|_| {
                    let width = width? as f64;
                    let expected = if is_table {
                        let tuple = PAGE_HEADER + maxalign(width) + 4.0;
                        let per_page = ((block - PAGE_HEADER) * fillfactor / 100.0 / tuple)
                            .floor()
                            .max(1.0);
                        (tuples / per_page).ceil()
                    } else if method.as_deref() == Some("btree") {
                        let entry = maxalign(8.0 + width) + 4.0;
                        let per_page =
                            ((block - PAGE_HEADER - BTREE_SPECIAL) * fillfactor / 100.0 / entry)
                                .floor()
                                .max(1.0);
                        (tuples / per_page).ceil() + 1.0
                    } else {
                        return None;
                    };
                    Some((1.0 - expected / actual_pages).clamp(0.0, 1.0))
                });
            measured.push(Measured {
                name,
                kind: if is_table { "table" } else { "index" },
                btree: method.as_deref() == Some("btree"),
                bytes,
                bloat: estimate,
                method: "estimate",
            });
        }
        if exact {
            match exact_bloat(
                probe,
                rel.schema.as_deref().unwrap_or_default(),
                &mut measured,
            ) {
                Ok(()) => {}
                Err(CheckError::Skip(reason)) => notes.push(reason),
                Err(fatal) => return Err(fatal),
            }
        }
        if table_rows < 0.0 {
            notes.push(format!(
                "{} was never analyzed, so its bloat cannot be estimated",
                rel.name
            ));
            finding.fix(format!("ANALYZE {};", rel.sql));
            // Big enough to matter and not looked at: not ok, unknown.
            if measured.iter().any(|m| m.bytes as f64 >= min_size) {
                finding.raise(Status::Skipped);
            }
        }
        for m in &measured {
            finding.detail(Detail::new(
                format!(
                    "{} {}: {}{}",
                    m.kind,
                    m.name,
                    human_size(m.bytes),
                    m.bloat
                        .map(|b| format!(", about {:.0}% empty ({})", b * 100.0, m.method))
                        .unwrap_or_default()
                ),
                json!({"table": rel.name, "relation": m.name, "kind": m.kind, "bytes": m.bytes,
                       "bloat_ratio": m.bloat.map(|b| (b * 1000.0).round() / 1000.0),
                       "method": m.method}),
            ));
            let Some(b) = m.bloat else { continue };
            if b <= limit || (m.bytes as f64) < min_size {
                continue;
            }
            finding.raise(Status::Warn);
            parts.push(format!(
                "{} {} is {} and about {:.0}% empty",
                m.kind,
                m.name,
                human_size(m.bytes),
                b * 100.0
            ));
            match m.kind {
                "index" => {
                    index_bloated = true;
                    finding.fix(format!(
                        "REINDEX INDEX CONCURRENTLY {}.{};",
                        quote_ident(rel.schema.as_deref().unwrap_or("public")),
                        quote_ident(&m.name)
                    ))
                }
                _ => {
                    finding.fix(format!(
                        "-- shrink {} online (VACUUM FULL would block the relay for its whole run):\npg_repack --table {} --dbname {}",
                        rel.name,
                        crate::diagnose::shell_quote(&rel.sql),
                        crate::diagnose::shell_quote(&probe.database)
                    ));
                }
            }
        }
    }
    if index_bloated {
        finding.fix(probe.outboxctl(
            "reindex --yes  # the same, one index at a time, after dropping what an interrupted rebuild left",
        ));
    }
    let hot = write_amplification(probe)?;
    if let Some((text, fields)) = hot {
        if index_bloated {
            parts.push(text.clone());
        }
        finding.detail(Detail::new(text, fields));
    }
    let mut summary = if probe.tables().is_empty() {
        "no outbox or dedup table exists".to_string()
    } else if parts.is_empty() && finding.status() == Status::Skipped {
        format!(
            "a table over {} has no estimate; of the rest, none is more than {:.0}% empty",
            probe.thresholds.show("bloat.min-size"),
            limit * 100.0
        )
    } else if parts.is_empty() {
        format!(
            "no table or index over {} is more than {:.0}% empty",
            probe.thresholds.show("bloat.min-size"),
            limit * 100.0
        )
    } else {
        parts.join("; ")
    };
    if !notes.is_empty() {
        summary.push_str(&format!(" ({})", notes.join("; ")));
    }
    finding.done(summary)
}

/// Replaces the estimates with `pgstattuple`'s measurements: a full read of each
/// relation, which is why it needs `--exact`.
fn exact_bloat(
    probe: &mut Probe<'_>,
    table_schema: &str,
    measured: &mut [Measured],
) -> Result<(), CheckError> {
    let schema = probe.read("pg_extension", |tx| {
        tx.query_opt(
            "SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
              WHERE e.extname OPERATOR(pg_catalog.=) 'pgstattuple'",
            &crate::params![],
        )
    })?;
    let Some(row) = schema else {
        return Err(CheckError::Skip(
            "--exact needs the pgstattuple extension (CREATE EXTENSION pgstattuple;), so these are estimates"
                .into(),
        ));
    };
    let schema = quote_ident(&row.get::<_, String>(0));
    for m in measured.iter_mut() {
        let sql = match m.kind {
            "table" => format!(
                "SELECT (dead_tuple_percent OPERATOR(pg_catalog.+) free_percent) OPERATOR(pg_catalog./) 100.0 FROM {schema}.pgstattuple(($1 OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) $2)::pg_catalog.regclass)"
            ),
            "index" if m.btree => format!(
                "SELECT greatest(0, 1 OPERATOR(pg_catalog.-) (avg_leaf_density OPERATOR(pg_catalog./) 90.0)) FROM {schema}.pgstatindex(($1 OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) $2)::pg_catalog.regclass)"
            ),
            _ => continue,
        };
        let name = m.name.clone();
        let value = probe.read("pgstattuple", |tx| {
            Ok(tx
                .query_one(
                    &sql,
                    &crate::params![quote_ident(table_schema), quote_ident(&name)],
                )?
                .get::<_, f64>(0))
        })?;
        // An empty index has no leaf density (NaN): nothing to measure.
        m.bloat = value.is_finite().then(|| value.clamp(0.0, 1.0));
        m.method = "pgstattuple";
    }
    Ok(())
}

/// Why the outbox's indexes bloat: every claim and mark changes `status`, which the
/// pending index's predicate reads, so no such update can be HOT (heap-only, without
/// new index entries) — each writes a new entry into every index, whatever the
/// fillfactor. The share of updates that were HOT, from the statistics.
fn write_amplification(
    probe: &mut Probe<'_>,
) -> Result<Option<(String, serde_json::Value)>, CheckError> {
    let rel = probe.outbox.clone();
    let Some(oid) = rel.oid else { return Ok(None) };
    let row = probe.read("pg_stat_all_tables", |tx| {
        tx.query_one(
            &format!(
"{RELATION_TREE}
             SELECT coalesce(pg_catalog.sum(s.n_tup_upd), 0)::pg_catalog.int8, coalesce(pg_catalog.sum(s.n_tup_hot_upd), 0)::pg_catalog.int8,
                    (SELECT pg_catalog.count(*) FROM pg_catalog.pg_index x WHERE x.indrelid OPERATOR(pg_catalog.=) $1)::pg_catalog.int8
               FROM tree JOIN pg_catalog.pg_stat_all_tables s ON s.relid OPERATOR(pg_catalog.=) tree.oid"
),
            &crate::params![oid],
        )
    })?;
    let (updates, hot, indexes): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    if updates == 0 {
        return Ok(None);
    }
    let share = hot as f64 / updates as f64;
    Ok(Some((
        format!(
            "{:.0}% of the outbox's {} updates were HOT: every claim and mark changes status, which the pending index's predicate reads, so each writes a new entry into all {} of its indexes — a lower fillfactor does not change that; rebuilding the indexes does",
            share * 100.0,
            crate::diagnose::grouped(updates),
            indexes
        ),
        json!({"table": rel.name, "updates": updates, "hot_updates": hot, "hot_ratio": (share * 1000.0).round() / 1000.0, "indexes": indexes}),
    )))
}
