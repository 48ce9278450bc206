//! `doctor --format json` / `ndjson`: one typed report per target. Its JSON Schema is
//! published under `docs/schema/`, generated from these types.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::diagnose::{Finding, Report, Status};

/// What doctor found on one target.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoctorReport {
    /// The database examined.
    pub database: String,
    /// `user@host:port/dbname`.
    pub target: String,
    /// The schema that holds the tables.
    pub schema: Option<String>,
    pub server_version: String,
    /// The role doctor ran as.
    pub role: String,
    /// The role may see every session's query and state (pg_read_all_stats or
    /// superuser); without it, checks that need them say what they could not see.
    pub sees_all_sessions: bool,
    /// The server is a hot standby.
    pub in_recovery: bool,
    /// The primary a standby replicates from (`host:port`), when it says.
    pub primary: Option<String>,
    /// Every check run, in order.
    pub checks: Vec<FindingReport>,
    /// The worst status of any check.
    pub worst: StatusReport,
}

/// One target of a run over several: its report, or why there is none.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetDoctorReport {
    /// How the target was named: `user@host:port/dbname`, or `service NAME`.
    pub target: String,
    pub ok: bool,
    #[serde(flatten)]
    pub report: Option<TargetReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// [`DoctorReport`] without its target, which the run over several names already.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetReport {
    pub database: String,
    pub schema: Option<String>,
    pub server_version: String,
    pub role: String,
    pub sees_all_sessions: bool,
    pub in_recovery: bool,
    pub primary: Option<String>,
    pub checks: Vec<FindingReport>,
    pub worst: StatusReport,
}

/// A check's verdict.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusReport {
    Ok,
    /// The check could not look, and says why and how to make it look.
    Skipped,
    Warn,
    Fail,
}

impl From<Status> for StatusReport {
    fn from(status: Status) -> Self {
        match status {
            Status::Ok => StatusReport::Ok,
            Status::Skipped => StatusReport::Skipped,
            Status::Warn => StatusReport::Warn,
            Status::Fail => StatusReport::Fail,
        }
    }
}

/// What one check found.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingReport {
    /// The check's stable id (for `--only`, `--skip`, `--threshold`).
    pub id: String,
    pub title: String,
    pub status: StatusReport,
    /// One sentence.
    pub summary: String,
    /// What the check found, item by item: fields named per check.
    pub details: Vec<Map<String, Value>>,
    /// Statements or commands to paste, in the order to try them.
    pub fix: Vec<String>,
}

impl FindingReport {
    pub fn of(finding: &Finding) -> Self {
        Self {
            id: finding.id.to_string(),
            title: finding.title.to_string(),
            status: finding.status.into(),
            summary: finding.summary.clone(),
            details: finding.details.iter().map(|d| d.fields.clone()).collect(),
            fix: finding.fix.clone(),
        }
    }
}

impl DoctorReport {
    pub fn new(report: &Report, target: &str, schema: Option<&str>) -> Self {
        let TargetReport {
            database,
            schema,
            server_version,
            role,
            sees_all_sessions,
            in_recovery,
            primary,
            checks,
            worst,
        } = TargetReport::new(report, schema);
        Self {
            database,
            target: target.to_string(),
            schema,
            server_version,
            role,
            sees_all_sessions,
            in_recovery,
            primary,
            checks,
            worst,
        }
    }
}

impl TargetReport {
    pub fn new(report: &Report, schema: Option<&str>) -> Self {
        Self {
            database: report.database.clone(),
            schema: schema.map(str::to_string),
            server_version: report.server_version.clone(),
            role: report.role.clone(),
            sees_all_sessions: report.sees_all_sessions,
            in_recovery: report.standby.is_some(),
            primary: report.standby.as_ref().and_then(|s| s.primary.clone()),
            checks: report.findings.iter().map(FindingReport::of).collect(),
            worst: report.worst().into(),
        }
    }
}
