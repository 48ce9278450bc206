//! Property tests of the parsers everything else trusts: time arguments, identifiers,
//! connection strings. None may panic, and every accepted input round-trips.

use std::time::Duration;

use outboxctl::db::conninfo::{Params, parse};
use outboxctl::db::ident;
use outboxctl::tables::timearg::{TimeArg, parse_duration};
use outboxctl::units::format_duration;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn time_parser_never_panics(text in "\\PC{0,40}") {
        let _ = text.parse::<TimeArg>();
        let _ = parse_duration(&text);
    }

    #[test]
    fn time_parser_never_panics_on_near_misses(text in "[0-9dhmswT:.+Z -]{0,30}") {
        let _ = text.parse::<TimeArg>();
    }

    #[test]
    fn durations_round_trip(ms in 0u64..(1000 * 366 * 86_400_000)) {
        let duration = Duration::from_millis(ms);
        let text = format_duration(duration);
        prop_assert_eq!(parse_duration(&text), Ok(duration));
        prop_assert_eq!(text.parse::<TimeArg>(), Ok(TimeArg::Ago(duration)));
    }

    #[test]
    fn accepted_durations_reformat_to_the_same_value(text in "([0-9]{1,4}(ms|s|m|h|d|w)){1,4}") {
        if let Ok(duration) = parse_duration(&text) {
            prop_assert_eq!(parse_duration(&format_duration(duration)), Ok(duration));
        }
    }

    #[test]
    fn timestamps_round_trip(secs in 0i64..253_402_300_799, micros in 0u32..1_000_000) {
        let at = chrono::DateTime::from_timestamp(secs, micros * 1000).unwrap();
        let text = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        prop_assert_eq!(text.parse::<TimeArg>(), Ok(TimeArg::At(at)));
    }

    #[test]
    fn identifier_validator_never_panics(text in "\\PC{0,80}") {
        if ident::validate("--table", &text).is_ok() {
            // Accepted means safe to splice: nothing but [A-Za-z0-9_], within the limit.
            prop_assert!(text.len() <= ident::MAX_IDENTIFIER_BYTES);
            prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            prop_assert!(!text.as_bytes()[0].is_ascii_digit());
        }
    }

    #[test]
    fn well_formed_identifiers_are_accepted_unless_reserved(text in "[A-Za-z_][A-Za-z0-9_]{0,62}") {
        prop_assert_eq!(ident::validate("--table", &text).is_ok(), !ident::is_reserved(&text));
    }

    #[test]
    fn conninfo_parser_never_panics(text in "\\PC{0,120}") {
        let _ = parse(&text);
    }

    #[test]
    fn url_parser_never_panics(rest in "[a-z0-9:@/?&=%\\[\\],.'\\\\ -]{0,80}") {
        let _ = parse(&format!("postgres://{rest}"));
    }

    #[test]
    fn conninfo_round_trips(
        host in "[a-z0-9.-]{1,20}",
        user in "\\PC{1,20}",
        password in "\\PC{0,30}",
        dbname in "\\PC{1,20}",
        port in 1u16..,
    ) {
        let mut params = Params::default();
        params.set("host", host);
        params.set("user", user);
        params.set("password", password);
        params.set("dbname", dbname);
        params.set("port", port.to_string());
        let text = params.to_conninfo();
        prop_assert_eq!(parse(&text).unwrap(), params);
    }

    #[test]
    fn url_round_trips(user in "\\PC{1,20}", password in "\\PC{1,30}", dbname in "\\PC{1,20}", port in 1u16..) {
        let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let url = format!("postgres://{}:{}@db.example:{port}/{}", enc(&user), enc(&password), enc(&dbname));
        let params = parse(&url).unwrap();
        prop_assert_eq!(params.get("user"), Some(user.as_str()));
        prop_assert_eq!(params.get("password"), Some(password.as_str()));
        prop_assert_eq!(params.get("dbname"), Some(dbname.as_str()));
        let port_text = port.to_string();
        prop_assert_eq!(params.get("port"), Some(port_text.as_str()));
        // And a parse error never echoes the password.
        if let Err(err) = parse(&format!("{url}?nosuch=1")) {
            prop_assert!(!err.to_string().contains(password.as_str()) || password.len() < 4);
        }
    }

    /// Hardening item 3: a malformed connection string never echoes any part of the
    /// password, wherever the punctuation around it sends the parser.
    #[test]
    fn malformed_connection_strings_never_echo_the_password(
        first in "[A-Za-z]{8,12}",
        second in "[A-Za-z]{8,12}",
        punct in prop::sample::select(vec!["/", "?", "&", "#", ":", "@", " ", "'", "\\", "=", "[", "]", "%", ",", ";", "//", "?&", "/@"]),
        template in 0usize..12,
    ) {
        let password = format!("{first}{punct}{second}");
        let text = match template {
            0 => format!("postgres://app:{password}@h/db"),
            1 => format!("postgres://app:{password}@h:5432/db?sslmode=disable"),
            2 => format!("postgres://app@h/db?password={password}"),
            3 => format!("postgres://app@h/db?sslmode=disable&password={password}&x"),
            4 => format!("password={password} host=h"),
            5 => format!("host=h password={password}"),
            6 => format!("postgres:/app:{password}@h/db"),
            7 => format!("jdbc:postgresql://app:{password}@h/db"),
            8 => format!("postgresql:app:{password}@h"),
            9 => format!("postgres://app:{password}"),
            10 => format!("postgresql://app:{password}@[::1/db"),
            _ => format!("host=h password='{password}"),
        };
        let options = outboxctl::db::connect::ConnectOptions {
            database_url: Some(text.clone()),
            ..Default::default()
        };
        match outboxctl::db::connect::Target::resolve_with_env(&options, |_| None) {
            Err(err) => {
                let message = outboxctl::db::errors::one_line(&err);
                prop_assert!(
                    !message.contains(&first) && !message.contains(&second),
                    "{text} -> {message}"
                );
            }
            // Parsed: whatever it names in messages (host, port, user, database) holds no
            // part of the password. (An unencoded `@` in the password of a URL whose host
            // is missing reads as a valid URL with the rest as its host, for libpq too.)
            Ok(target) if !punct.contains('@') => {
                prop_assert!(
                    !target.display.contains(&first) && !target.display.contains(&second),
                    "{text} -> {}", target.display
                );
            }
            Ok(_) => {}
        }
    }
}
