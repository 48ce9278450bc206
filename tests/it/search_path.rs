//! outboxctl runs under the role's own search_path, so the tables' triggers, defaults and
//! policies see what they see for the library's relay, while outboxctl's own SQL resolves
//! nothing outside pg_catalog whatever is planted on that path.

use std::collections::BTreeSet;

use crate::harness::{Seed, TestDb};
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

/// Every command, read-only and mutating, with the arguments that reach its SQL.
pub fn every_command(id: &str) -> Vec<Vec<String>> {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        args(&["check"]),
        args(&["stats", "--by-topic", "--max-pending-age", "1d"]),
        args(&["stats", "--format", "json"]),
        args(&[
            "list",
            "--status",
            "all",
            "--topic",
            "orders",
            "--key",
            "key-1",
            "--header",
            "n=1",
            "--error-contains",
            "x",
            "--before",
            "1h",
            "--after",
            "30d",
        ]),
        args(&[
            "list", "--status", "all", "--limit", "0", "--format", "ndjson",
        ]),
        args(&["show", id]),
        args(&["requeue", id]),
        args(&["requeue", "--all", "--dry-run"]),
        args(&["requeue", "--all", "--before", "1m", "--topic", "orders"]),
        args(&["requeue", "--stuck", "--before", "0s"]),
        args(&["requeue", "--replay", "--after", "30d", "--keep-retries"]),
        args(&["purge", "--before", "7d", "--dry-run"]),
        args(&[
            "purge",
            "--before",
            "1s",
            "--include-failed",
            "--topic",
            "orders",
        ]),
        args(&["dedup", "mark", "g", "m1", "--metadata", "{\"a\":1}"]),
        args(&["dedup", "mark", "g", "m1"]),
        args(&["dedup", "check", "g", "m1"]),
        args(&[
            "dedup", "list", "--group", "g", "--before", "1h", "--after", "30d",
        ]),
        args(&["dedup", "list", "--limit", "0", "--format", "ndjson"]),
        args(&["dedup", "purge", "--before", "1s", "--dry-run"]),
        args(&[
            "dedup",
            "purge",
            "--before",
            "1s",
            "--group",
            "g",
            "--batch-size",
            "7",
        ]),
        args(&["dedup", "unmark", "g", "m1"]),
        args(&["migrate"]),
        args(&["migrate", "--repair", "--yes"]),
        args(&["doctor", "--sample", "0s", "--exact"]),
        args(&["stats", "--by-error", "--rates", "--interval", "1s"]),
        args(&["stats", "--format", "prometheus", "--by-topic"]),
        args(&["list", "--status", "failed", "--format", "csv"]),
        args(&[
            "watch",
            "--format",
            "ndjson",
            "--interval",
            "1s",
            "--count",
            "2",
        ]),
        args(&[
            "delete",
            "--status",
            "failed",
            "--topic",
            "orders",
            "--dry-run",
        ]),
        args(&[
            "delete",
            "--status",
            "processing",
            "--before",
            "300h",
            "--force",
            "--yes",
        ]),
        args(&["purge", "--before", "1s", "--jobs", "2"]),
    ]
}

fn seed_for_traps(db: &TestDb, schema: &str) -> String {
    let mut client = db.client();
    client
        .batch_execute(&format!(
            "SET search_path = {schema};
             INSERT INTO outbox_messages (topic, key, headers, status, last_error, created_at, processed_at)
             SELECT 'orders', 'key-' || i, jsonb_build_object('n', i::text),
                    (ARRAY['pending','processing','processed','failed'])[1 + i % 4], 'x',
                    now() - i * interval '1 hour',
                    CASE WHEN i % 4 = 2 THEN now() - i * interval '1 hour' END
               FROM generate_series(1, 400) i;
             INSERT INTO processed_messages (group_name, msg_id, processed_at)
             SELECT 'g', 'e' || i, now() - i * interval '1 hour' FROM generate_series(1, 50) i;"
        ))
        .unwrap();
    client
        .query_one(
            &format!(
                "SELECT id::text FROM {schema}.outbox_messages WHERE status = 'failed' LIMIT 1"
            ),
            &[],
        )
        .unwrap()
        .get(0)
}

fn assert_no_trap_fired(db: &TestDb, extra: &[&str], id: &str) {
    for args in every_command(id) {
        let out = db.cmd().args(extra).args(&args).output().unwrap();
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains("TRAP FIRED"), "{args:?} ran a trap: {all}");
        let code = out.status.code();
        // stats and doctor answer 3 for what they found; everything else succeeds.
        assert!(
            code == Some(0) || (matches!(args[0].as_str(), "stats" | "doctor") && code == Some(3)),
            "{args:?} failed: {all}"
        );
    }
}

/// The pg_catalog names outboxctl's SQL uses, as its debug build records them while every
/// command runs (`function now`, `operator =`, `type text`, `relation pg_class`): the
/// shadows below are planted from this list, so a name the SQL starts to use is covered
/// the day it is used.
fn names_the_sql_uses() -> BTreeSet<String> {
    let db = TestDb::new().migrated();
    let id = seed_for_traps(&db, "public");
    let file = tempfile::NamedTempFile::new().unwrap();
    for args in every_command(&id) {
        db.cmd()
            .env("OUTBOXCTL_SQL_INVENTORY", file.path())
            .args(&args)
            .output()
            .unwrap();
    }
    let names: BTreeSet<String> = std::fs::read_to_string(file.path())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    for expected in [
        "function now",
        "function count",
        "operator =",
        "type text",
        "relation pg_class",
    ] {
        assert!(
            names.contains(expected),
            "the inventory lacks {expected:?}: the tests must run a debug build of outboxctl (got {names:?})"
        );
    }
    names
}

fn of_kind<'a>(names: &'a BTreeSet<String>, kind: &str) -> Vec<&'a str> {
    names
        .iter()
        .filter_map(|n| n.strip_prefix(kind).and_then(|n| n.strip_prefix(' ')))
        .collect()
}

/// Plants in `schema`, for every name in `names`, a shadow that raises `TRAP FIRED` when
/// it runs: each function with every pg_catalog signature of its name and variants taking
/// varchar, name and anyelement (and unknown, which PostgreSQL refuses to PL/pgSQL and SQL
/// functions), each aggregate likewise, each operator with pg_catalog's operand types and
/// the same variants, a domain for each type, a view for each catalog relation. Returns
/// how many shadows stand.
fn plant_shadows(client: &mut postgres::Client, schema: &str, names: &BTreeSet<String>) -> i64 {
    let list = |kind: &str| {
        of_kind(names, kind)
            .iter()
            .map(|n| format!("'{}'", n.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let sql = format!(
        r#"CREATE SCHEMA IF NOT EXISTS {schema};
        CREATE FUNCTION {schema}.trap(what text) RETURNS boolean LANGUAGE plpgsql AS
          $$BEGIN RAISE EXCEPTION 'TRAP FIRED: %', what; END$$;
        CREATE TABLE {schema}.planted (what text);
        DO $do$
        DECLARE
          f record; o record; n int := 0; sig text; body text; v text; t text;
          variants text[];
        BEGIN
          -- Functions and aggregates: pg_catalog's signatures, then the look-alikes.
          FOR f IN
            SELECT p.proname, p.prokind, p.proretset,
                   pg_get_function_result(p.oid) AS result,
                   array(SELECT format_type(a, NULL) FROM unnest(p.proargtypes::oid[]) a) AS args,
                   EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[]) a JOIN pg_type ty ON ty.oid = a
                            WHERE ty.typtype = 'p') AS pseudo,
                   p.prorettype::regtype::text IN ('anyelement','anyarray','anynonarray','anycompatible','record','internal','trigger') AS poly_result
              FROM pg_proc p
             WHERE p.pronamespace = 'pg_catalog'::regnamespace
               AND p.proname = ANY(ARRAY[{functions}]::text[]) AND p.prokind IN ('f', 'a')
          LOOP
            -- count(*) is planted below: it has no argument types to copy.
            CONTINUE WHEN f.prokind = 'a' AND cardinality(f.args) = 0;
            variants := ARRAY[]::text[];
            IF NOT f.pseudo THEN
              variants := variants || array_to_string(f.args, ', ');
            END IF;
            IF cardinality(f.args) > 0 THEN
              FOREACH v IN ARRAY ARRAY['character varying', 'name', 'anyelement', 'unknown'] LOOP
                variants := variants || (SELECT string_agg(v, ', ') FROM unnest(f.args));
              END LOOP;
            END IF;
            FOREACH sig IN ARRAY variants LOOP
              n := n + 1;
              BEGIN
                IF f.prokind = 'a' THEN
                  t := split_part(sig, ',', 1);
                  EXECUTE format('CREATE FUNCTION {schema}.agg_%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS $f$BEGIN PERFORM {schema}.trap(%L); RETURN NULL; END$f$',
                                 n, t, sig, t, f.proname || '(' || sig || ')');
                  EXECUTE format('CREATE AGGREGATE {schema}.%I(%s) (SFUNC = {schema}.agg_%s, STYPE = %s)', f.proname, sig, n, t);
                ELSE
                  body := CASE WHEN f.proretset OR f.result = 'void' THEN 'RETURN;' ELSE 'RETURN NULL;' END;
                  EXECUTE format('CREATE FUNCTION {schema}.%I(%s) RETURNS %s LANGUAGE plpgsql AS $f$BEGIN PERFORM {schema}.trap(%L); %s END$f$',
                                 f.proname, sig,
                                 CASE WHEN f.poly_result AND sig NOT LIKE '%anyelement%'
                                      THEN CASE WHEN f.proretset THEN 'SETOF text' ELSE 'text' END
                                      ELSE f.result END,
                                 f.proname || '(' || sig || ')', body);
                END IF;
                INSERT INTO {schema}.planted VALUES ('function ' || f.proname);
              EXCEPTION WHEN duplicate_function OR invalid_function_definition OR feature_not_supported
                             OR datatype_mismatch OR invalid_parameter_value OR wrong_object_type THEN
                -- unknown (and what PostgreSQL cannot overload) is refused: nobody can plant it either.
                NULL;
              END;
            END LOOP;
          END LOOP;
          -- count(*) has no argument types to copy.
          IF 'count' = ANY(ARRAY[{functions}]::text[]) THEN
            CREATE FUNCTION {schema}.count_star(bigint) RETURNS bigint LANGUAGE plpgsql AS
              $f$BEGIN PERFORM {schema}.trap('count(*)'); RETURN NULL; END$f$;
            EXECUTE 'CREATE AGGREGATE {schema}.count(*) (SFUNC = {schema}.count_star, STYPE = bigint)';
          END IF;
          -- Operators: pg_catalog's operand types, then the look-alikes.
          FOR o IN
            SELECT DISTINCT op.oprname, format_type(op.oprleft, NULL) AS l, format_type(op.oprright, NULL) AS r
              FROM pg_operator op
              JOIN pg_type lt ON lt.oid = op.oprleft JOIN pg_type rt ON rt.oid = op.oprright
             WHERE op.oprnamespace = 'pg_catalog'::regnamespace AND op.oprname = ANY(ARRAY[{operators}]::text[])
               AND lt.typtype <> 'p' AND rt.typtype <> 'p'
            UNION
            SELECT name, l, r FROM unnest(ARRAY[{operators}]::text[]) name,
                   unnest(ARRAY['character varying', 'name', 'anyelement', 'text', 'unknown']) l,
                   unnest(ARRAY['character varying', 'name', 'anyelement', 'text', 'unknown']) r
          LOOP
            n := n + 1;
            BEGIN
              EXECUTE format('CREATE FUNCTION {schema}.op_%s(a %s, b %s) RETURNS boolean LANGUAGE plpgsql AS $f$BEGIN RETURN {schema}.trap(%L); END$f$',
                             n, o.l, o.r, o.oprname || '(' || o.l || ', ' || o.r || ')');
              EXECUTE format('CREATE OPERATOR {schema}.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = {schema}.op_%s)', o.oprname, o.l, o.r, n);
              INSERT INTO {schema}.planted VALUES ('operator ' || o.oprname);
            EXCEPTION WHEN duplicate_function OR duplicate_object OR invalid_function_definition
                           OR feature_not_supported OR datatype_mismatch OR invalid_parameter_value THEN
              NULL;
            END;
          END LOOP;
          -- Types: a domain of the same name whose check fires.
          FOREACH t IN ARRAY ARRAY[{types}]::text[] LOOP
            EXECUTE format('CREATE DOMAIN {schema}.%I AS pg_catalog.%I CHECK ({schema}.trap(%L))', t, t, 'type ' || t);
            INSERT INTO {schema}.planted VALUES ('type ' || t);
          END LOOP;
          -- Catalog relations: a view of the same name that fires when read.
          FOREACH t IN ARRAY ARRAY[{relations}]::text[] LOOP
            -- Columns of pseudo-types (anyarray in pg_stats) cannot be a view's.
            EXECUTE format('CREATE VIEW {schema}.%I AS SELECT %s FROM pg_catalog.%I WHERE {schema}.trap(%L)', t,
                           (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                              FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
                             WHERE a.attrelid = ('pg_catalog.' || quote_ident(t))::regclass
                               AND a.attnum > 0 AND NOT a.attisdropped AND ty.typtype <> 'p'),
                           t, 'relation ' || t);
            INSERT INTO {schema}.planted VALUES ('relation ' || t);
          END LOOP;
        END
        $do$"#,
        functions = list("function"),
        operators = list("operator"),
        types = list("type"),
        relations = list("relation"),
    );
    client.batch_execute(&sql).unwrap();
    let planted: BTreeSet<String> = client
        .query(&format!("SELECT DISTINCT what FROM {schema}.planted"), &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let missing: Vec<&String> = names.difference(&planted).collect();
    assert!(
        missing.is_empty(),
        "no shadow could be planted for {missing:?}"
    );
    client
        .query_one(&format!("SELECT count(*) FROM {schema}.planted"), &[])
        .unwrap()
        .get(0)
}

/// A role that can create objects on the search path plants a shadow of everything
/// outboxctl's SQL names, in a schema before the tables' schema and in one after it (both
/// before pg_catalog, the worst case); every command runs and none fires.
#[test]
fn shadows_planted_before_and_after_the_tables_run_nothing() {
    let names = names_the_sql_uses();
    let db = TestDb::new().migrated();
    let id = seed_for_traps(&db, "public");
    let mut admin = db.client();
    let first = plant_shadows(&mut admin, "hostile_first", &names);
    let after = plant_shadows(&mut admin, "hostile_after", &names);
    assert!(first > 300 && after == first, "{first} and {after} shadows");
    eprintln!(
        "planted {first} shadows in each of two schemas for the {} names the SQL uses",
        names.len()
    );
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {} SET search_path = hostile_first, public, hostile_after, pg_catalog",
            db.name
        ))
        .unwrap();
    // The shadows are live: an unqualified call on this path runs one.
    let err = db.client().batch_execute("SELECT now()").unwrap_err();
    assert!(format!("{err:?}").contains("TRAP FIRED"), "{err:?}");
    assert_no_trap_fired(&db, &[], &id);
    // Rebuilding a dropped index outside a transaction names pg_catalog's operator and
    // type itself.
    admin
        .batch_execute("DROP INDEX public.idx_outbox_messages_pending")
        .unwrap();
    let out = db
        .cmd()
        .args(["migrate", "--repair", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(!stderr(&out).contains("TRAP FIRED"), "{}", stderr(&out));
    assert_exit(&db.cmd().arg("check").output().unwrap(), 0);
    // Creating the tables under the shadows: the DDL's types, defaults and index predicate
    // resolve in pg_catalog, and the library's own inserts work afterwards.
    admin.batch_execute("CREATE SCHEMA fresh").unwrap();
    for args in [
        ["--schema", "fresh", "migrate"],
        ["--schema", "fresh", "check"],
    ] {
        assert_exit(&db.cmd().args(args).output().unwrap(), 0);
    }
    admin
        .batch_execute(
            "SET search_path = pg_catalog; INSERT INTO fresh.outbox_messages (topic) VALUES ('t')",
        )
        .unwrap();
}

/// The `--schema` case: the tables live in the schema that holds the shadows.
#[test]
fn shadows_in_the_tables_own_schema_run_nothing() {
    let names = names_the_sql_uses();
    let db = TestDb::new();
    db.client().batch_execute("CREATE SCHEMA ops").unwrap();
    assert_exit(
        &db.cmd()
            .args(["--schema", "ops", "migrate"])
            .output()
            .unwrap(),
        0,
    );
    let id = seed_for_traps(&db, "ops");
    plant_shadows(&mut db.client(), "ops", &names);
    assert_no_trap_fired(&db, &["--schema", "ops"], &id);
}

/// An audit trigger, a default and a row-level security policy written the way most people
/// write them (plain PL/pgSQL in `public`, no schema prefix, no `SET search_path`) work for
/// every mutation, under a role-level and then a database-level search_path.
#[test]
fn triggers_defaults_and_policies_run_under_the_role_s_search_path() {
    let db = TestDb::new().migrated();
    let app = db.role("app");
    let role = app.name.as_str();
    let mut admin = db.client();
    admin
        .batch_execute(&format!(
            r#"CREATE SCHEMA audit;
            CREATE TABLE audit.audit_log (tbl text, op text);
            CREATE TABLE audit.hidden_topics (topic text);
            INSERT INTO audit.hidden_topics VALUES ('secret');
            CREATE FUNCTION public.audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO audit_log (tbl, op) VALUES (TG_TABLE_NAME, TG_OP);
              RETURN NULL;
            END $$;
            CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON outbox_messages
              FOR EACH ROW EXECUTE FUNCTION public.audit_row();
            CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON processed_messages
              FOR EACH ROW EXECUTE FUNCTION public.audit_row();
            CREATE FUNCTION public.stamp() RETURNS timestamptz LANGUAGE plpgsql AS $$
            BEGIN PERFORM 1 FROM audit_log LIMIT 1; RETURN now(); END $$;
            ALTER TABLE processed_messages ALTER COLUMN processed_at SET DEFAULT public.stamp();
            CREATE FUNCTION public.visible(t text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
            BEGIN RETURN NOT EXISTS (SELECT 1 FROM hidden_topics h WHERE h.topic = t); END $$;
            ALTER TABLE outbox_messages ENABLE ROW LEVEL SECURITY;
            CREATE POLICY visible ON outbox_messages USING (public.visible(topic));
            GRANT USAGE ON SCHEMA audit TO {role};
            GRANT ALL ON ALL TABLES IN SCHEMA audit, public TO {role};
            ALTER ROLE {role} IN DATABASE {db} SET search_path = "$user", public, audit;
            SET search_path = public, audit;
            INSERT INTO outbox_messages (topic, status, created_at, processed_at)
            SELECT CASE WHEN i = 1 THEN 'secret' ELSE 'orders' END,
                   CASE WHEN i <= 4 THEN 'failed' ELSE 'processed' END,
                   now() - interval '10 days', CASE WHEN i > 4 THEN now() - interval '9 days' END
              FROM generate_series(1, 10) i;
            INSERT INTO processed_messages (group_name, msg_id, processed_at)
            SELECT 'g', 'old-' || i, now() - interval '10 days' FROM generate_series(1, 3) i;
            TRUNCATE audit.audit_log;"#,
            db = db.name
        ))
        .unwrap();
    let run = |args: &[&str]| {
        let out = db
            .cmd()
            .env("DATABASE_URL", db.url_as(role))
            .args(args)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        out
    };
    let audited = |op: &str, tbl: &str| -> i64 {
        db.client()
            .query_one(
                "SELECT count(*) FROM audit.audit_log WHERE op = $1 AND tbl = $2",
                &[&op, &tbl],
            )
            .unwrap()
            .get(0)
    };
    // The policy hides the secret topic from the role, as it does from the relay.
    let listed = json_out(&run(&["list", "--status", "all", "--format", "json"]));
    assert_eq!(listed.as_array().unwrap().len(), 9, "{listed}");
    run(&["requeue", "--all"]);
    assert_eq!(audited("UPDATE", "outbox_messages"), 3);
    run(&["purge", "--before", "1d"]);
    assert_eq!(audited("DELETE", "outbox_messages"), 6);
    let pending = json_out(&run(&["list", "--status", "pending", "--format", "json"]));
    let id = pending[0]["id"].as_str().unwrap().to_string();
    run(&["delete", &id]);
    assert_eq!(audited("DELETE", "outbox_messages"), 7);
    run(&["dedup", "mark", "g", "m1"]);
    assert_eq!(audited("INSERT", "processed_messages"), 1);
    run(&["dedup", "unmark", "g", "m1"]);
    run(&["dedup", "purge", "--before", "1d"]);
    assert_eq!(audited("DELETE", "processed_messages"), 4);
    // A database-level search_path works the same way.
    admin
        .batch_execute(&format!(
            "ALTER ROLE {role} IN DATABASE {db} RESET search_path;
             ALTER DATABASE {db} SET search_path = public, audit;
             UPDATE outbox_messages SET status = 'failed' WHERE topic = 'orders' AND false;",
            db = db.name
        ))
        .unwrap();
    db.client()
        .batch_execute("SET search_path = public, audit; UPDATE outbox_messages SET status = 'failed' WHERE topic = 'orders'")
        .unwrap();
    let before = audited("UPDATE", "outbox_messages");
    run(&["requeue", "--all"]);
    assert_eq!(audited("UPDATE", "outbox_messages"), before + 2);
}

/// A trigger that fails for the relay too is named as the trigger's failure, not the
/// table's, and says it ran under the role's own search_path.
#[test]
fn a_failing_trigger_is_named_as_such() {
    let db = TestDb::new().migrated();
    Seed {
        n: 5,
        status: "'processed'",
        processed_at: "now() - interval '10 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    db.client()
        .batch_execute(
            "CREATE FUNCTION logd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO dellog (id) VALUES (old.id); RETURN NULL; END $$;
             CREATE TRIGGER logd AFTER DELETE ON outbox_messages FOR EACH ROW EXECUTE FUNCTION logd();",
        )
        .unwrap();
    let out = db.cmd().args(["purge", "--before", "1d"]).output().unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    let err = stderr(&out);
    assert!(
        err.contains("a trigger or function on table")
            && err.contains("relation \"dellog\" does not exist")
            && err.contains("role's own search_path")
            && !err.contains("run \"outboxctl migrate\""),
        "{err}"
    );
    assert_eq!(db.count("TRUE"), 5);
    // Once the table it writes to exists where the role's path finds it, it works: no
    // schema prefix, no SET search_path on the function.
    db.client()
        .batch_execute("CREATE TABLE public.dellog (id uuid)")
        .unwrap();
    assert_exit(
        &db.cmd().args(["purge", "--before", "1d"]).output().unwrap(),
        0,
    );
    assert_eq!(db.count("TRUE"), 0);
}
