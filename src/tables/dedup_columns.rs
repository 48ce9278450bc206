//! The dedup table's columns by role. The library's documentation names the table and its
//! operations (`MarkProcessed(group, msgID, metadata)`, `IsProcessed`,
//! `PurgeProcessedBefore`) but not its column names, so a service's real table may call
//! them `consumer_group`, `message_id`, `meta`, `handled_at`. outboxctl finds each role
//! once per run from the catalog — our names win when present; otherwise exactly one
//! candidate per role — or takes them from `--dedup-columns`, and never guesses between
//! two candidates.

use crate::db::catalog::{self, LiveColumn};
use crate::db::session::{Rel, Tx};
use crate::db::sql::quote_ident;
use crate::error::usage;

/// The roles, with outboxctl's (and `migrate`'s) names for them.
const ROLES: [(&str, &str); 4] = [
    ("group", "group_name"),
    ("id", "msg_id"),
    ("metadata", "metadata"),
    ("at", "processed_at"),
];

/// `--dedup-columns group=…,id=…,metadata=…,at=…`: any subset of the roles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap([Option<String>; 4]);

impl ColumnMap {
    fn get(&self, role: usize) -> Option<&str> {
        self.0[role].as_deref()
    }

    /// The `--dedup-columns` value that names these columns again (a mixed-case name in
    /// double quotes); `None` when no role is named.
    pub fn to_arg(&self) -> Option<String> {
        let parts: Vec<String> = ROLES
            .iter()
            .zip(&self.0)
            .filter_map(|((role, _), name)| {
                let name = name.as_deref()?;
                let plain = crate::db::ident::validate("--dedup-columns column", name).is_ok()
                    && crate::db::ident::folded(name) == name;
                Some(if plain {
                    format!("{role}={name}")
                } else {
                    format!("{role}=\"{}\"", name.replace('"', "\"\""))
                })
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(","))
    }
}

/// Parses `--dedup-columns`. Names go through the same validation as table names.
pub fn parse_map(text: &str) -> Result<ColumnMap, String> {
    let mut map = ColumnMap::default();
    for part in split_outside_quotes(text)
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((role, name)) = part.split_once('=') else {
            return Err(format!(
                "invalid --dedup-columns part {part:?}: use ROLE=COLUMN with roles group, id, metadata, at"
            ));
        };
        let Some(index) = ROLES.iter().position(|(r, _)| *r == role.trim()) else {
            return Err(format!(
                "invalid --dedup-columns role {:?}: the roles are group, id, metadata, at",
                role.trim()
            ));
        };
        let name = name.trim();
        // `"HandledAt"` names a mixed-case column exactly; a plain name folds to lower
        // case, as in SQL.
        let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
            Some(quoted) if !quoted.is_empty() && quoted.len() <= 63 && !quoted.contains('\0') => {
                quoted.replace("\"\"", "\"")
            }
            Some(_) => return Err(format!("invalid --dedup-columns column {name:?}")),
            None => {
                crate::db::ident::validate("--dedup-columns column", name)
                    .map_err(|e| e.to_string())?;
                crate::db::ident::folded(name)
            }
        };
        if map.0[index].replace(name).is_some() {
            return Err(format!(
                "--dedup-columns names the role {} twice",
                ROLES[index].0
            ));
        }
    }
    Ok(map)
}

/// `text` cut at the commas that are not inside a double-quoted name (`""` inside one is
/// a quote), so `at="handled,at"` is one part.
fn split_outside_quotes(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            // A doubled quote inside a name toggles twice: it stays inside.
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// One column: its name as the catalog has it, and as SQL names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Col {
    pub name: String,
    pub sql: String,
}

impl Col {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            sql: quote_ident(name),
        }
    }
}

/// The dedup table's columns, by role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DedupColumns {
    pub group: Col,
    pub id: Col,
    pub metadata: Col,
    pub at: Col,
}

impl DedupColumns {
    /// The names `migrate` creates.
    pub fn ours() -> Self {
        Self {
            group: Col::new(ROLES[0].1),
            id: Col::new(ROLES[1].1),
            metadata: Col::new(ROLES[2].1),
            at: Col::new(ROLES[3].1),
        }
    }

    pub fn is_ours(&self) -> bool {
        *self == Self::ours()
    }

    /// `group, id, metadata, at` as a select list, each cast to its built-in type (see
    /// `outbox::MESSAGE_COLUMNS`).
    pub fn select_list(&self) -> String {
        format!(
            "{}::pg_catalog.text, {}::pg_catalog.text, {}::pg_catalog.jsonb, {}::pg_catalog.timestamptz",
            self.group.sql, self.id.sql, self.metadata.sql, self.at.sql
        )
    }

    /// The live column names in role order, for messages.
    pub fn names(&self) -> [&str; 4] {
        [
            &self.group.name,
            &self.id.name,
            &self.metadata.name,
            &self.at.name,
        ]
    }

    /// Finds the roles in the live table (see the module comment). A table that does not
    /// exist has our names: statements on it fail as "does not exist".
    pub fn resolve(tx: &mut Tx<'_>, rel: &Rel, explicit: &ColumnMap) -> anyhow::Result<Self> {
        let Some(oid) = rel.oid else {
            return Ok(Self::ours());
        };
        let fail = |e| crate::db::errors::explain_table_error(e, rel);
        let columns = catalog::columns(tx, oid).map_err(fail)?;
        // Only the key's columns are needed: predicates unread, so this never waits on a
        // lock another session holds on the table.
        let primary_key: Vec<String> = catalog::indexes_as(tx, oid, catalog::Predicates::Unread)
            .map_err(fail)?
            .into_iter()
            .find(|i| i.primary)
            .map(|i| i.columns)
            .unwrap_or_default();
        resolve_from(rel, &columns, &primary_key, explicit)
    }
}

fn is_text(c: &LiveColumn) -> bool {
    c.data_type == "text" || c.data_type.starts_with("character varying")
}

fn resolve_from(
    rel: &Rel,
    columns: &[LiveColumn],
    primary_key: &[String],
    explicit: &ColumnMap,
) -> anyhow::Result<DedupColumns> {
    let listing = columns
        .iter()
        .map(|c| format!("{} {}", c.name, c.data_type))
        .collect::<Vec<_>>()
        .join(", ");
    let refuse = |what: String| {
        anyhow::anyhow!(
            "dedup table \"{}\" on {}: {what} — name the columns with --dedup-columns group=…,id=…,metadata=…,at=… (or OUTBOX_DEDUP_COLUMNS); its columns: {listing}",
            rel.name,
            rel.target
        )
    };
    let has = |name: &str| columns.iter().any(|c| c.name == name);
    let mut found: [Option<String>; 4] = Default::default();
    for (role, slot) in found.iter_mut().enumerate() {
        if let Some(name) = explicit.get(role) {
            let Some(column) = columns.iter().find(|c| c.name == name) else {
                return Err(usage(format!(
                    "--dedup-columns: dedup table \"{}\" has no column {name} (its columns: {listing}; quote a mixed-case name: at='\"HandledAt\"')",
                    rel.name
                )));
            };
            let fits = match role {
                0 | 1 => is_text(column),
                2 => matches!(column.data_type.as_str(), "jsonb" | "json"),
                _ => column.data_type == "timestamp with time zone",
            };
            if !fits {
                return Err(usage(format!(
                    "--dedup-columns: column {name} is {}, but the {} must be {}",
                    column.data_type,
                    ["group", "message id", "metadata", "processing time"][role],
                    ["text", "text", "jsonb", "timestamp with time zone"][role]
                )));
            }
            *slot = Some(name.to_string());
        } else if has(ROLES[role].1) {
            *slot = Some(ROLES[role].1.to_string());
        }
    }
    // The group and the message id: the text columns of the primary key, in key order.
    if found[0].is_none() || found[1].is_none() {
        let key_text: Vec<&String> = primary_key
            .iter()
            .filter(|k| columns.iter().any(|c| &c.name == *k && is_text(c)))
            .filter(|k| !found.iter().flatten().any(|f| f == *k))
            .collect();
        let missing = found[..2].iter().filter(|f| f.is_none()).count();
        if key_text.len() != missing {
            return Err(refuse(format!(
                "cannot tell the group and message id columns: the primary key ({}) has {} text column(s) left for {missing} role(s)",
                primary_key.join(", "),
                key_text.len()
            )));
        }
        let mut candidates = key_text.into_iter();
        for slot in found[..2].iter_mut().filter(|f| f.is_none()) {
            *slot = candidates.next().cloned();
        }
    }
    for (role, data_type, what) in [
        (2, "jsonb", "metadata"),
        (3, "timestamp with time zone", "processing time"),
    ] {
        if found[role].is_some() {
            continue;
        }
        let candidates: Vec<&str> = columns
            .iter()
            .filter(|c| c.data_type == data_type)
            .map(|c| c.name.as_str())
            .filter(|name| !found.iter().flatten().any(|f| f == name))
            .collect();
        match candidates.as_slice() {
            [one] => found[role] = Some(one.to_string()),
            [] => {
                return Err(refuse(format!("no {data_type} column for the {what}")));
            }
            many => {
                return Err(refuse(format!(
                    "cannot tell which column is the {what}: {} {data_type} columns ({})",
                    many.len(),
                    many.join(", ")
                )));
            }
        }
    }
    let [Some(group), Some(id), Some(metadata), Some(at)] = found else {
        unreachable!("every role was found or refused above");
    };
    let names = [&group, &id, &metadata, &at];
    if let Some(twice) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
        .map(|(_, n)| n)
    {
        return Err(usage(format!(
            "--dedup-columns: column {twice} is given two roles; each role needs its own column"
        )));
    }
    Ok(DedupColumns {
        group: Col::new(&group),
        id: Col::new(&id),
        metadata: Col::new(&metadata),
        at: Col::new(&at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel() -> Rel {
        Rel {
            name: "processed_messages".into(),
            schema: Some("public".into()),
            sql: "\"public\".processed_messages".into(),
            oid: Some(1),
            searched: vec![],
            target: "u@h:5432/db".into(),
            blockers: Default::default(),
        }
    }

    fn col(name: &str, data_type: &str) -> LiveColumn {
        LiveColumn {
            name: name.into(),
            data_type: data_type.into(),
            not_null: true,
            default: None,
        }
    }

    const TS: &str = "timestamp with time zone";

    #[test]
    fn our_names_win_and_others_are_found_by_role() {
        let ours = [
            col("group_name", "text"),
            col("msg_id", "text"),
            col("metadata", "jsonb"),
            col("processed_at", TS),
        ];
        let pk = ["group_name".to_string(), "msg_id".to_string()];
        assert!(
            resolve_from(&rel(), &ours, &pk, &ColumnMap::default())
                .unwrap()
                .is_ours()
        );

        let theirs = [
            col("consumer_group", "text"),
            col("message_id", "text"),
            col("meta", "jsonb"),
            col("handled_at", TS),
        ];
        let pk = ["consumer_group".to_string(), "message_id".to_string()];
        let found = resolve_from(&rel(), &theirs, &pk, &ColumnMap::default()).unwrap();
        assert_eq!(
            found.names(),
            ["consumer_group", "message_id", "meta", "handled_at"]
        );
    }

    #[test]
    fn ambiguity_and_absence_are_refused_and_names_resolve_them() {
        let cols = [
            col("g", "text"),
            col("m", "text"),
            col("meta", "jsonb"),
            col("handled_at", TS),
            col("received_at", TS),
        ];
        let pk = ["g".to_string(), "m".to_string()];
        let err = resolve_from(&rel(), &cols, &pk, &ColumnMap::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("2 timestamp with time zone columns (handled_at, received_at)"),
            "{err}"
        );
        let named = resolve_from(&rel(), &cols, &pk, &parse_map("at=handled_at").unwrap()).unwrap();
        assert_eq!(named.at.name, "handled_at");

        let no_json = [col("g", "text"), col("m", "text"), col("at", TS)];
        assert!(resolve_from(&rel(), &no_json, &pk, &ColumnMap::default()).is_err());
        let err = resolve_from(&rel(), &cols, &pk, &parse_map("at=nope").unwrap()).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
    }

    #[test]
    fn maps_parse_strictly() {
        let map =
            parse_map("group=consumer_group, id=message_id,metadata=meta,at=handled_at").unwrap();
        assert_eq!(map.get(3), Some("handled_at"));
        assert_eq!(
            parse_map("at=\"HandledAt\"").unwrap().get(3),
            Some("HandledAt")
        );
        assert_eq!(parse_map("at=HandledAt").unwrap().get(3), Some("handledat"));
        let commas = parse_map("id=\"msg,id\", at=\"a\"\",b\"").unwrap();
        assert_eq!(commas.get(1), Some("msg,id"));
        assert_eq!(commas.get(3), Some("a\",b"));
        for bad in [
            "group",
            "who=x",
            "group=a;drop",
            "at=a,at=b",
            "id=select",
            "at=\"\"",
        ] {
            assert!(parse_map(bad).is_err(), "{bad}");
        }
    }
}
