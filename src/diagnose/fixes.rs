//! Fixes that name one table each, merged: on a partitioned outbox a check finds the
//! same thing in many partitions, and thirty `VACUUM` lines are one statement.

use crate::db::sql::quote_literal;

/// Up to this many `ALTER TABLE … SET` of one kind stay as they are; more become one
/// `DO` block over the tables.
const ALTERS_KEPT: usize = 3;

/// Up to this many parts of a summary are said; the rest are counted.
const PARTS_SHOWN: usize = 3;

/// `parts` joined with "; ", the first few only, then how many more.
pub fn joined_few(parts: &[String]) -> String {
    let mut text = parts
        .iter()
        .take(PARTS_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if parts.len() > PARTS_SHOWN {
        text.push_str(&format!(
            "; and {} more (the details list each)",
            parts.len() - PARTS_SHOWN
        ));
    }
    text
}

/// One fix's shape: the statement with its table left out, and the table.
fn shape(fix: &str) -> Option<(String, String)> {
    if let Some(rest) = fix.strip_prefix("VACUUM (") {
        let (options, table) = rest.split_once(") ")?;
        let table = table.strip_suffix(';')?;
        return Some((format!("VACUUM ({options})"), table.to_string()));
    }
    let rest = fix.strip_prefix("ALTER TABLE ")?.strip_suffix(';')?;
    let (table, action) = rest
        .rsplit_once(" SET (")
        .map(|(t, a)| (t, format!("SET ({a}")))
        .or_else(|| {
            rest.rsplit_once(" RESET (")
                .map(|(t, a)| (t, format!("RESET ({a}")))
        })?;
    Some((format!("ALTER TABLE %s {action}"), table.to_string()))
}

/// `fixes` with the statements that differ only in their table merged, each where its
/// first one was: `VACUUM (…) a, b, c;`, and more than a few `ALTER TABLE … SET (…)`
/// alike as one `DO` block.
pub fn merged(fixes: Vec<String>) -> Vec<String> {
    let shapes: Vec<Option<(String, String)>> = fixes.iter().map(|f| shape(f)).collect();
    let mut out = Vec::new();
    let mut done = vec![false; fixes.len()];
    for i in 0..fixes.len() {
        if done[i] {
            continue;
        }
        let Some((statement, _)) = &shapes[i] else {
            out.push(fixes[i].clone());
            continue;
        };
        let alike: Vec<usize> = (i..fixes.len())
            .filter(|&j| !done[j] && shapes[j].as_ref().is_some_and(|(s, _)| s == statement))
            .collect();
        let tables: Vec<&str> = alike
            .iter()
            .filter_map(|&j| shapes[j].as_ref().map(|(_, t)| t.as_str()))
            .collect();
        if statement.starts_with("VACUUM") && tables.len() > 1 {
            out.push(format!("{statement} {};", tables.join(", ")));
        } else if statement.starts_with("ALTER TABLE") && tables.len() > ALTERS_KEPT {
            let list: Vec<String> = tables.iter().map(|t| quote_literal(t)).collect();
            out.push(format!(
                "DO $fix$ DECLARE t pg_catalog.text; BEGIN FOREACH t IN ARRAY ARRAY[{}] LOOP EXECUTE pg_catalog.format({}, t); END LOOP; END $fix$;",
                list.join(", "),
                quote_literal(statement)
            ));
        } else {
            alike.iter().for_each(|&j| out.push(fixes[j].clone()));
        }
        alike.iter().for_each(|&j| done[j] = true);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_partition_fixes_become_one_statement() {
        let parts: Vec<String> = (1..=5)
            .map(|d| format!("\"public\".\"o_p2026110{d}\""))
            .collect();
        let mut fixes = vec!["-- first end what holds the horizon".to_string()];
        for p in &parts {
            fixes.push(format!("VACUUM (VERBOSE, ANALYZE) {p};"));
            fixes.push(format!(
                "ALTER TABLE {p} SET (autovacuum_vacuum_scale_factor = 0);"
            ));
        }
        fixes.push("ALTER TABLE \"public\".\"d\" RESET (autovacuum_enabled);".to_string());
        let merged = merged(fixes);
        assert_eq!(merged.len(), 4, "{merged:#?}");
        assert_eq!(merged[0], "-- first end what holds the horizon");
        assert_eq!(
            merged[1],
            format!("VACUUM (VERBOSE, ANALYZE) {};", parts.join(", "))
        );
        assert!(merged[2].starts_with("DO $fix$"), "{}", merged[2]);
        assert!(merged[2].contains("'ALTER TABLE %s SET (autovacuum_vacuum_scale_factor = 0)'"));
        assert!(merged[2].contains("'\"public\".\"o_p20261105\"'"));
        assert_eq!(
            merged[3],
            "ALTER TABLE \"public\".\"d\" RESET (autovacuum_enabled);"
        );
    }

    #[test]
    fn a_few_alters_and_one_vacuum_stay_as_they_are() {
        let fixes = vec![
            "VACUUM (FREEZE, VERBOSE) \"public\".\"t\";".to_string(),
            "ALTER TABLE a SET (x = 1);".to_string(),
            "ALTER TABLE b SET (x = 1);".to_string(),
        ];
        assert_eq!(merged(fixes.clone()), fixes);
        assert_eq!(joined_few(&["a".into(), "b".into()]), "a; b");
        let many: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        assert_eq!(
            joined_few(&many),
            "0; 1; 2; and 2 more (the details list each)"
        );
    }
}
