//! The rule every statement outboxctl writes follows, checked on the statement text.
//!
//! outboxctl runs under the role's own `search_path`, because the tables' triggers,
//! defaults and policies must see what they see for the library's relay. Its own SQL
//! must still resolve nothing in a schema another role can write to (CVE-2018-1058), so
//! it is written the way pg_dump and extension scripts write theirs:
//!
//! - every function is called as `pg_catalog.f(…)`;
//! - every operator is spelled `OPERATOR(pg_catalog.=)`, and the constructs that look an
//!   operator up by name behind the text (`IN (…)`, `BETWEEN`, `LIKE`, `NULLIF`,
//!   `IS DISTINCT FROM`, `CASE x WHEN`) are not used;
//! - every cast and typed literal names a `pg_catalog` type or an SQL keyword type;
//! - every relation is schema-qualified (or a CTE of the same statement).
//!
//! [`violations`] finds what breaks the rule. Debug builds (the ones the tests run) check
//! every statement a session sends, so the whole test suite keeps the rule; [`inventory`]
//! lists the `pg_catalog` names a statement uses, which the hostile-schema test plants
//! shadows for.

#[derive(Clone, Debug, PartialEq)]
enum Token {
    /// An unquoted word, lowercased.
    Word(String),
    /// A double-quoted identifier.
    Quoted(String),
    Str,
    Num,
    Param,
    Op(String),
    Cast,
    Punct(char),
}

fn tokenize(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && at(i + 1) == '-' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || ((c == 'E' || c == 'e') && at(i + 1) == '\'') {
            let escapes = c != '\'';
            i += if escapes { 2 } else { 1 };
            while i < chars.len() {
                if (escapes && chars[i] == '\\') || (chars[i] == '\'' && at(i + 1) == '\'') {
                    i += 2;
                } else if chars[i] == '\'' {
                    i += 1;
                    break;
                } else {
                    i += 1;
                }
            }
            tokens.push(Token::Str);
        } else if c == '"' {
            let mut name = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' && at(i + 1) == '"' {
                    name.push('"');
                    i += 2;
                } else if chars[i] == '"' {
                    i += 1;
                    break;
                } else {
                    name.push(chars[i]);
                    i += 1;
                }
            }
            tokens.push(Token::Quoted(name));
        } else if c == '$' && at(i + 1).is_ascii_digit() {
            i += 1;
            while at(i).is_ascii_digit() {
                i += 1;
            }
            tokens.push(Token::Param);
        } else if c == '$' {
            // A dollar-quoted string: $tag$ … $tag$.
            let start = i;
            i += 1;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let tag: String = chars[start..=i.min(chars.len() - 1)].iter().collect();
            i += 1;
            let rest: String = chars[i.min(chars.len())..].iter().collect();
            match rest.find(&tag) {
                Some(end) => i += rest[..end].chars().count() + tag.chars().count(),
                None => i = chars.len(),
            }
            tokens.push(Token::Str);
        } else if c.is_ascii_digit() || (c == '.' && at(i + 1).is_ascii_digit()) {
            while at(i).is_ascii_alphanumeric() || at(i) == '.' || at(i) == '_' {
                i += 1;
            }
            tokens.push(Token::Num);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' || at(i) == '$' {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            tokens.push(Token::Word(word.to_lowercase()));
        } else if c == ':' && at(i + 1) == ':' {
            i += 2;
            tokens.push(Token::Cast);
        } else if "+-*/<>=~!@#%^&|`?".contains(c) {
            let start = i;
            while "+-*/<>=~!@#%^&|`?".contains(at(i)) && at(i) != '\0' {
                // A comment start ends the operator.
                if (at(i) == '-' && at(i + 1) == '-') || (at(i) == '/' && at(i + 1) == '*') {
                    break;
                }
                i += 1;
            }
            tokens.push(Token::Op(chars[start..i].iter().collect()));
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// Words that may stand before `(` or a string literal without being a function call or
/// a typed literal: SQL syntax, and the type names the grammar itself maps to pg_catalog.
const KEYWORDS: &[&str] = &[
    "all",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "begin",
    "by",
    "case",
    "cast",
    "check",
    "coalesce",
    "commit",
    "concurrently",
    "conflict",
    "create",
    "default",
    "delete",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "explain",
    "extract",
    "filter",
    "first",
    "for",
    "from",
    "greatest",
    "group",
    "having",
    "include",
    "index",
    "insert",
    "intersect",
    "into",
    "is",
    "join",
    "key",
    "last",
    "lateral",
    "least",
    "limit",
    "local",
    "materialized",
    "not",
    "nothing",
    "null",
    "nulls",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "over",
    "overlay",
    "partition",
    "position",
    "primary",
    // PARTITION BY RANGE (created_at), a clause of CREATE TABLE.
    "range",
    "returning",
    "row",
    "select",
    "set",
    "some",
    "substring",
    "then",
    "to",
    "trim",
    "union",
    "unique",
    "update",
    "using",
    "values",
    "when",
    "where",
    "with",
    "within",
    // The words of multi-word type names (double precision, character varying,
    // timestamp with time zone); the types themselves are in KEYWORD_TYPES.
    "precision",
    "varying",
    "zone",
];

/// Type names the grammar resolves in pg_catalog whatever the search path.
const KEYWORD_TYPES: &[&str] = &[
    "bigint",
    "bit",
    "boolean",
    "char",
    "character",
    "dec",
    "decimal",
    "double",
    "float",
    "int",
    "integer",
    "interval",
    "numeric",
    "real",
    "smallint",
    "time",
    "timestamp",
    "varchar",
];

/// Constructs that look an operator up by name on the search path, with what to write.
const FORBIDDEN: &[(&str, &str)] = &[
    ("between", "write two OPERATOR(pg_catalog.…) comparisons"),
    ("like", "write OPERATOR(pg_catalog.~~)"),
    ("ilike", "write OPERATOR(pg_catalog.~~*)"),
    ("similar", "write OPERATOR(pg_catalog.~)"),
    ("nullif", "write CASE WHEN … OPERATOR(pg_catalog.=) …"),
];

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word) || KEYWORD_TYPES.contains(&word)
}

/// What in `sql` breaks the rule in the module comment; empty when nothing does.
pub fn violations(sql: &str) -> Vec<String> {
    let tokens = tokenize(sql);
    let ctes = cte_names(&tokens);
    let mut found = Vec::new();
    let word = |i: usize| match tokens.get(i) {
        Some(Token::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let is = |i: usize, t: &Token| tokens.get(i) == Some(t);
    let punct = |i: usize, c: char| is(i, &Token::Punct(c));
    // Parenthesis depth, and the depth of an open `SET` list (assignments allowed).
    let mut depth = 0usize;
    let mut set_list: Option<usize> = None;
    // Depths of parentheses opened by EXTRACT/SUBSTRING/TRIM/POSITION/OVERLAY, whose
    // FROM is not a relation, and by CAST, whose AS names a type.
    let mut syntax_parens: Vec<(usize, &str)> = Vec::new();
    // The depth of an open FROM list.
    let mut from_list: Option<usize> = None;
    // The qualified operator last seen at each depth since a keyword or comma.
    let mut chain: std::collections::HashMap<usize, String> = Default::default();
    let mut i = 0;
    while i < tokens.len() {
        let prev = i.checked_sub(1).and_then(|p| tokens.get(p));
        let qualified_by = |i: usize| -> Option<String> {
            if i >= 2 && punct(i - 1, '.') {
                match &tokens[i - 2] {
                    Token::Word(w) | Token::Quoted(w) => Some(w.clone()),
                    _ => None,
                }
            } else {
                None
            }
        };
        if matches!(&tokens[i], Token::Punct(',' | ';'))
            || matches!(&tokens[i], Token::Word(w) if is_keyword(w))
        {
            chain.remove(&depth);
        }
        match &tokens[i] {
            Token::Punct('(') => {
                depth += 1;
                chain.remove(&depth);
            }
            Token::Punct(')') => {
                syntax_parens.retain(|(d, _)| *d < depth);
                if set_list.is_some_and(|d| d >= depth) {
                    set_list = None;
                }
                if from_list.is_some_and(|d| d >= depth) {
                    from_list = None;
                }
                depth = depth.saturating_sub(1);
            }
            Token::Punct(';') => {
                set_list = None;
                from_list = None;
            }
            Token::Punct(',') if from_list == Some(depth) => {
                check_relation(&tokens, i + 1, &ctes, &mut found);
            }
            Token::Op(op) => {
                let star = op == "*"
                    && matches!(
                        prev,
                        Some(Token::Punct('(' | ',' | '.')) | Some(Token::Word(_))
                    )
                    && prev.is_none_or(|p| match p {
                        Token::Word(w) => w == "select" || w == "distinct",
                        _ => true,
                    });
                let assignment = op == "=" && set_list == Some(depth);
                let named_argument = op == "=>";
                if !(star || assignment || named_argument) {
                    found.push(format!(
                        "operator {op} is looked up on the search path: write OPERATOR(pg_catalog.{op})"
                    ));
                }
            }
            Token::Cast => {
                check_type(&tokens, i + 1, "::", &mut found);
            }
            Token::Word(w) => {
                let w = w.as_str();
                let next_is_paren = punct(i + 1, '(');
                // `CREATE TABLE t (LIKE other …)` copies a table's definition: no operator.
                let table_like = w == "like" && matches!(prev, Some(Token::Punct('(')));
                if let Some((_, hint)) = FORBIDDEN
                    .iter()
                    .find(|(k, _)| *k == w)
                    .filter(|_| !table_like)
                {
                    found.push(format!(
                        "{} is resolved on the search path: {hint}",
                        w.to_uppercase()
                    ));
                } else if w == "in" && next_is_paren {
                    found.push(
                        "IN (…) compares with = looked up on the search path: write OPERATOR(pg_catalog.=) ANY (…)".into(),
                    );
                } else if w == "is" && word(i + 1) == Some("distinct")
                    || w == "is" && word(i + 1) == Some("not") && word(i + 2) == Some("distinct")
                {
                    found.push("IS DISTINCT FROM looks = up on the search path".into());
                } else if w == "case" && word(i + 1) != Some("when") {
                    found.push(
                        "CASE x WHEN compares with = looked up on the search path: write CASE WHEN x OPERATOR(pg_catalog.=) …".into(),
                    );
                } else if w == "operator" && next_is_paren {
                    let schema = word(i + 2);
                    if schema != Some("pg_catalog") || !punct(i + 3, '.') || !punct(i + 5, ')') {
                        found.push("OPERATOR(…) must name pg_catalog's operator".into());
                    }
                    // OPERATOR(…) gives every operator the same precedence, left to
                    // right: `a - b * c` would silently become `(a - b) * c`.
                    if let Some(Token::Op(op)) = tokens.get(i + 4) {
                        if let Some(before) = chain.get(&depth).filter(|b| *b != op) {
                            found.push(format!(
                                "OPERATOR(pg_catalog.{before}) and OPERATOR(pg_catalog.{op}) in one expression: parenthesise, as OPERATOR() gives both the same precedence"
                            ));
                        }
                        chain.insert(depth, op.clone());
                    }
                    i += 6;
                    continue;
                } else if w == "set" {
                    set_list = Some(depth);
                } else if matches!(w, "where" | "from" | "returning") && set_list == Some(depth) {
                    set_list = None;
                }
                if matches!(
                    w,
                    "where"
                        | "group"
                        | "order"
                        | "limit"
                        | "having"
                        | "union"
                        | "except"
                        | "intersect"
                        | "returning"
                        | "for"
                        | "on"
                ) && from_list == Some(depth)
                {
                    from_list = None;
                }
                let in_syntax = syntax_parens.last().filter(|(d, _)| *d == depth);
                if matches!(w, "extract" | "substring" | "trim" | "position" | "overlay")
                    && next_is_paren
                {
                    syntax_parens.push((depth + 1, "from"));
                } else if w == "cast" && next_is_paren {
                    syntax_parens.push((depth + 1, "as"));
                } else if w == "as" && in_syntax.is_some_and(|(_, k)| *k == "as") {
                    check_type(&tokens, i + 1, "CAST … AS", &mut found);
                } else if w == "from" && in_syntax.is_none() && qualified_by(i).is_none() {
                    from_list = Some(depth);
                    check_relation(&tokens, i + 1, &ctes, &mut found);
                } else if matches!(w, "join" | "into" | "table")
                    || (w == "update"
                        && !matches!(prev, Some(Token::Word(p)) if p == "for" || p == "key" || p == "do"))
                    || (w == "index"
                        && matches!(prev, Some(Token::Word(p)) if p == "drop" || p == "reindex" || p == "alter"))
                {
                    check_relation(&tokens, i + 1, &ctes, &mut found);
                }
                let qualifier = qualified_by(i);
                if next_is_paren
                    && qualifier.is_none()
                    && !is_keyword(w)
                    && !ctes.contains(&w.to_string())
                    // `USING brin (…)`: an index's access method, not a call.
                    && !matches!(prev, Some(Token::Word(p)) if p == "as" || p == "using")
                {
                    found.push(format!(
                        "function {w}() is looked up on the search path: write pg_catalog.{w}()"
                    ));
                }
                if is(i + 1, &Token::Str) && qualifier.is_none() && !is_keyword(w) {
                    found.push(format!(
                        "the typed literal {w} '…' names a type on the search path: write '…'::pg_catalog.{w}"
                    ));
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The names of the CTEs a statement defines (`WITH name AS (…)`, `name (cols) AS (…)`).
fn cte_names(tokens: &[Token]) -> Vec<String> {
    let mut names = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let opens_body = matches!(tokens.get(i + 1), Some(Token::Punct('(')))
            || matches!(tokens.get(i + 1), Some(Token::Word(w)) if w == "materialized" || w == "not");
        if *t != Token::Word("as".into()) || !opens_body || i == 0 {
            continue;
        }
        let mut j = i - 1;
        if tokens[j] == Token::Punct(')') {
            let mut level = 0;
            loop {
                match tokens[j] {
                    Token::Punct(')') => level += 1,
                    Token::Punct('(') => level -= 1,
                    _ => {}
                }
                if level == 0 || j == 0 {
                    break;
                }
                j -= 1;
            }
            j = j.saturating_sub(1);
        }
        if let Token::Word(w) | Token::Quoted(w) = &tokens[j] {
            names.push(w.clone());
        }
    }
    names
}

/// A relation at `i` must be schema-qualified, a subquery, or one of the statement's CTEs.
fn check_relation(tokens: &[Token], mut i: usize, ctes: &[String], found: &mut Vec<String>) {
    while let Some(Token::Word(w)) = tokens.get(i) {
        if matches!(
            w.as_str(),
            "only" | "lateral" | "if" | "not" | "exists" | "concurrently"
        ) {
            i += 1;
        } else {
            break;
        }
    }
    let name = match tokens.get(i) {
        Some(Token::Word(w)) | Some(Token::Quoted(w)) => w,
        _ => return,
    };
    let qualified = matches!(tokens.get(i + 1), Some(Token::Punct('.')));
    let called = matches!(tokens.get(i + 1), Some(Token::Punct('(')));
    if !qualified && !called && !ctes.contains(name) && !is_keyword(name) {
        found.push(format!(
            "relation {name} is looked up on the search path: qualify it with its schema"
        ));
    }
}

/// The type named at `i` (after `::` or `CAST … AS`) must be pg_catalog's.
fn check_type(tokens: &[Token], i: usize, after: &str, found: &mut Vec<String>) {
    match (tokens.get(i), tokens.get(i + 1)) {
        (Some(Token::Word(w)), Some(Token::Punct('.'))) if w == "pg_catalog" => {}
        (Some(Token::Word(w)), _) if KEYWORD_TYPES.contains(&w.as_str()) => {}
        (Some(Token::Word(w)) | Some(Token::Quoted(w)), _) => found.push(format!(
            "the type {w} after {after} is looked up on the search path: write pg_catalog.{w}"
        )),
        _ => found.push(format!("{after} is not followed by a type name")),
    }
}

/// The pg_catalog functions, operators and types a statement names, as `function f`,
/// `operator =`, `type text`.
pub fn inventory(sql: &str) -> Vec<String> {
    let tokens = tokenize(sql);
    let mut names = Vec::new();
    for i in 0..tokens.len() {
        let Token::Word(w) = &tokens[i] else { continue };
        if w == "operator" && tokens.get(i + 1) == Some(&Token::Punct('(')) {
            if let Some(Token::Op(op)) = tokens.get(i + 4) {
                names.push(format!("operator {op}"));
            }
            continue;
        }
        if w != "pg_catalog" || tokens.get(i + 1) != Some(&Token::Punct('.')) {
            continue;
        }
        if i >= 2
            && tokens[i - 1] == Token::Punct('(')
            && tokens[i - 2] == Token::Word("operator".into())
        {
            continue;
        }
        let Some(Token::Word(name)) = tokens.get(i + 2) else {
            continue;
        };
        let kind = if tokens.get(i + 3) == Some(&Token::Punct('(')) {
            "function"
        } else if i >= 1 && matches!(tokens[i - 1], Token::Cast)
            || matches!(tokens.get(i.wrapping_sub(1)), Some(Token::Word(a)) if a == "as")
        {
            "type"
        } else {
            "relation"
        };
        names.push(format!("{kind} {name}"));
    }
    names.sort();
    names.dedup();
    names
}

/// Debug builds check every statement a session sends; a statement that breaks the rule
/// is a bug in outboxctl, found by whichever test sends it. With
/// `OUTBOXCTL_SQL_INVENTORY` set to a file, the names each statement uses are appended
/// to it (for the hostile-schema test). Release builds do neither.
#[cfg(debug_assertions)]
pub fn debug_check(sql: &str) {
    let found = violations(sql);
    assert!(
        found.is_empty(),
        "outboxctl's own SQL must resolve in pg_catalog: {}\nin: {sql}",
        found.join("; ")
    );
    if let Some(path) = std::env::var_os("OUTBOXCTL_SQL_INVENTORY") {
        use std::io::Write;
        let lines: String = inventory(sql).into_iter().map(|n| n + "\n").collect();
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = file.write_all(lines.as_bytes());
        }
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn debug_check(_sql: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(sql: &str) {
        assert_eq!(violations(sql), Vec::<String>::new(), "{sql}");
    }

    fn bad(sql: &str, what: &str) {
        let found = violations(sql);
        assert!(
            found.iter().any(|f| f.contains(what)),
            "{sql}: expected {what:?}, found {found:?}"
        );
    }

    #[test]
    fn qualified_statements_pass() {
        ok("BEGIN READ ONLY; SET LOCAL statement_timeout = 1500");
        ok(
            "SELECT pg_catalog.set_config('synchronous_commit', 'on', true) WHERE pg_catalog.current_setting('synchronous_commit') OPERATOR(pg_catalog.=) 'off'",
        );
        ok(
            "SELECT pg_catalog.count(*), id FROM \"public\".outbox_messages WHERE status OPERATOR(pg_catalog.=) $1 AND created_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) $2::pg_catalog.interval)",
        );
        ok(
            "UPDATE \"s\".t SET status = 'pending', retries = 0 WHERE id OPERATOR(pg_catalog.=) ANY ($1) RETURNING id",
        );
        ok(
            "WITH picked AS (SELECT id FROM \"s\".t LIMIT 5) DELETE FROM \"s\".t USING picked WHERE t.id OPERATOR(pg_catalog.=) picked.id",
        );
        ok("SELECT x FROM pg_catalog.unnest($1::pg_catalog.text[]) AS u(x)");
        ok(
            "SELECT EXTRACT(epoch FROM pg_catalog.now()), CAST($1 AS pg_catalog.int8), interval '1 hour', COALESCE(a, b)",
        );
        ok(
            "SELECT 'it''s -- not a comment', E'\\' (', $q$ now() $q$ -- now()\n FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n",
        );
        ok(
            "SELECT * FROM pg_catalog.pg_stat_activity a JOIN pg_catalog.pg_locks l ON l.pid OPERATOR(pg_catalog.=) a.pid FOR UPDATE SKIP LOCKED",
        );
        ok(
            "INSERT INTO \"s\".t (a, b) VALUES ($1, $2) ON CONFLICT (a, b) DO UPDATE SET b = EXCLUDED.b",
        );
        ok("SELECT 1 FROM \"s\".t FOR NO KEY UPDATE");
    }

    #[test]
    fn each_lookup_on_the_search_path_is_found() {
        bad("SELECT now()", "function now()");
        bad("SELECT 1 WHERE a = b", "operator =");
        bad("SELECT x FROM t", "relation t");
        bad(
            "SELECT x FROM pg_catalog.pg_class, pg_namespace",
            "relation pg_namespace",
        );
        bad("SELECT $1::text", "type text");
        bad("SELECT CAST($1 AS uuid)", "type uuid");
        bad("SELECT text 'x'", "typed literal");
        bad("SELECT 1 WHERE a IN (1, 2)", "IN (");
        bad("SELECT 1 WHERE a BETWEEN 1 AND 2", "BETWEEN");
        bad("SELECT 1 WHERE a ILIKE 'x'", "ILIKE");
        bad("SELECT NULLIF(a, b)", "NULLIF");
        bad("SELECT a IS DISTINCT FROM b", "DISTINCT");
        bad("SELECT CASE a WHEN 1 THEN 2 END", "CASE x WHEN");
        bad("SELECT a OPERATOR(public.=) b", "OPERATOR");
        bad("SELECT 2 * 3", "operator *");
        bad("UPDATE t SET a = 1", "relation t");
        bad("UPDATE \"s\".t SET a = 1 WHERE b = 2", "operator =");
        bad("DROP INDEX idx", "relation idx");
        bad(
            "SELECT pg_catalog.now() OPERATOR(pg_catalog.-) $1 OPERATOR(pg_catalog.*) interval '1 second'",
            "parenthesise",
        );
        ok(
            "SELECT pg_catalog.now() OPERATOR(pg_catalog.-) ($1 OPERATOR(pg_catalog.*) interval '1 second')",
        );
        ok(
            "SELECT a OPERATOR(pg_catalog.||) b OPERATOR(pg_catalog.||) c, d OPERATOR(pg_catalog.<) e AND f OPERATOR(pg_catalog.=) g",
        );
    }

    #[test]
    fn inventory_names_what_is_used() {
        assert_eq!(
            inventory(
                "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE a OPERATOR(pg_catalog.>=) $1::pg_catalog.int8"
            ),
            vec![
                "function count",
                "operator >=",
                "relation pg_class",
                "type int8"
            ]
        );
    }
}
