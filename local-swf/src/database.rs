//! The SQLite file behind the service: schema, version check, and the reads and writes the
//! state machine needs. Every request's changes are written in a savepoint of one transaction that
//! the calls applied together share; it commits before any of their responses is sent (group
//! commit, see `commits`; WAL journal; `synchronous=FULL` by default, so a commit survives
//! power loss, not just a killed process).
//!
//! Tables: `domains`, `types` (activity and workflow types; the configuration as JSON),
//! `runs` (visibility columns for List/Count plus the run's [`Run`] state as JSON) and `events`
//! (each run's history, one row per event, the event's wire JSON).

use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::run::Run;

mod query;

pub use query::{RunQuery, TypeQuery};

/// The schema this build writes and understands.
pub const SCHEMA_VERSION: i64 = 1;

/// Prepared statements kept per connection: more than the service's distinct statements (about
/// 20; rusqlite's default is 16), so none is parsed twice.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatabaseError {
    /// SQLite failed.
    #[error("{path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The file was written by a newer (or an unknown) schema.
    #[error(
        "{path} has local-swf schema version {found}, but this build understands only version \
         {SCHEMA_VERSION}; refusing to open it (use the swfwasm that created it, or another file)"
    )]
    UnknownSchema {
        /// The database file.
        path: String,
        /// The version found.
        found: String,
    },
    /// The file is an SQLite database of something else.
    #[error(
        "{path} is an SQLite database but not a local-swf one (it has tables: {tables}); refusing to touch it"
    )]
    Foreign {
        /// The database file.
        path: String,
        /// Its tables.
        tables: String,
    },
}

/// How hard a commit waits for the disk ([`LocalSwfConfig::durability`]; the default is
/// [`Durability::Full`]).
///
/// [`LocalSwfConfig::durability`]: crate::LocalSwfConfig::durability
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: a commit survives power loss.
    Full,
    /// `synchronous=NORMAL`: a commit survives the process being killed, not power loss.
    Normal,
}

/// A registered domain.
#[derive(Debug, Clone)]
pub struct DomainRow {
    /// Name.
    pub name: String,
    /// `REGISTERED` or `DEPRECATED`.
    pub status: String,
    /// Description.
    pub description: Option<String>,
    /// Retention in days (as given).
    pub retention: String,
    /// Resource tags: `[{key, value}]`.
    pub tags: Value,
}

/// A registered activity or workflow type.
#[derive(Debug, Clone)]
pub struct TypeRow {
    /// Domain.
    pub domain: String,
    /// `activity` or `workflow`.
    pub kind: &'static str,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// `REGISTERED` or `DEPRECATED`.
    pub status: String,
    /// Description.
    pub description: Option<String>,
    /// The `*TypeConfiguration` JSON (only the defaults given).
    pub config: Value,
    /// Registration time.
    pub created: f64,
    /// Deprecation time.
    pub deprecated: Option<f64>,
}

/// The SQLite connection.
pub struct Database {
    conn: Connection,
}

impl Database {
    /// Opens (creating if needed) the database at `path`, refusing foreign or newer files.
    pub fn open(path: &Path, durability: Durability) -> Result<Database, DatabaseError> {
        let shown = path.display().to_string();
        let sqlite = |source| DatabaseError::Sqlite {
            path: shown.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(sqlite)?;
        let sync = match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        // A 64 MiB page cache and rare checkpoints (every ~40 MB of WAL instead of ~4 MB) keep
        // hot pages (the newest events, open runs) from being read back and copied into the
        // database file over and over.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; PRAGMA foreign_keys=OFF; \
             PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000;"
        ))
        .map_err(sqlite)?;
        // Every statement a task's calls run stays prepared (parsing their SQL again cost 7% of
        // the service's CPU; the visibility queries, built per filter, are still prepared per
        // call), and a statement is not re-planned whenever a parameter that could change its
        // plan (a LIMIT, a range bound) is bound anew: SQLite's query planner stability
        // guarantee keeps the first plan, which is the plan for every value here.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(sqlite)?;
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(sqlite)?;
        if tables.is_empty() {
            conn.execute_batch(SCHEMA).map_err(sqlite)?;
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?1)",
                params![SCHEMA_VERSION.to_string()],
            )
            .map_err(sqlite)?;
        } else if !tables.iter().any(|t| t == "meta") {
            return Err(DatabaseError::Foreign {
                path: shown,
                tables: tables.join(", "),
            });
        } else {
            let found: Option<String> = conn
                .query_row(
                    "SELECT value FROM meta WHERE key='schema_version'",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sqlite)?;
            if found.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
                return Err(DatabaseError::UnknownSchema {
                    path: shown,
                    found: found.unwrap_or_else(|| "(none)".to_owned()),
                });
            }
        }
        Ok(Database { conn })
    }

    /// Starts a call's changes: a savepoint inside the open write transaction, which is begun
    /// if none is open (calls share it until [`Database::commit`]).
    pub fn begin(&self) -> rusqlite::Result<()> {
        if self.conn.is_autocommit() {
            self.run_cached("BEGIN IMMEDIATE")?;
        }
        self.run_cached("SAVEPOINT call")
    }

    /// Keeps a call's changes in the open transaction.
    pub fn release(&self) -> rusqlite::Result<()> {
        self.run_cached("RELEASE call")
    }

    /// Undoes a call's changes, keeping those of the calls before it.
    pub fn roll_back_call(&self) {
        let _ = self.conn.execute_batch("ROLLBACK TO call; RELEASE call");
    }

    /// Commits the open transaction (every call since the last commit).
    pub fn commit(&self) -> rusqlite::Result<()> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.run_cached("COMMIT")
    }

    /// Rolls the open transaction back (if any).
    pub fn rollback(&self) {
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    /// Runs one statement that takes no parameters and returns no rows, kept prepared.
    fn run_cached(&self, sql: &str) -> rusqlite::Result<()> {
        self.conn.prepare_cached(sql)?.execute([]).map(drop)
    }

    // -- domains ---------------------------------------------------------------------------

    /// The domain called `name`.
    pub fn domain(&self, name: &str) -> rusqlite::Result<Option<DomainRow>> {
        self.conn
            .prepare_cached(
                "SELECT name, status, description, retention, tags FROM domains WHERE name=?1",
            )?
            .query_row(params![name], domain_row)
            .optional()
    }

    /// Inserts or replaces a domain.
    pub fn put_domain(&self, d: &DomainRow) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO domains(name, status, description, retention, tags) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                d.name,
                d.status,
                d.description,
                d.retention,
                d.tags.to_string()
            ],
        )?;
        Ok(())
    }

    /// Number of domains (any status).
    pub fn count_domains(&self) -> rusqlite::Result<i64> {
        self.conn
            .query_row("SELECT count(*) FROM domains", [], |r| r.get(0))
    }

    /// Domains with `status`, by name, after `after` (exclusive) in the page direction.
    pub fn list_domains(
        &self,
        status: &str,
        after: Option<&str>,
        reverse: bool,
        limit: usize,
    ) -> rusqlite::Result<Vec<DomainRow>> {
        let (cmp, order) = if reverse { ("<", "DESC") } else { (">", "ASC") };
        let sql = format!(
            "SELECT name, status, description, retention, tags FROM domains \
             WHERE status=?1 AND (?2 IS NULL OR name {cmp} ?2) ORDER BY name {order} LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        stmt.query_map(params![status, after, limit as i64], domain_row)?
            .collect()
    }

    // -- types -----------------------------------------------------------------------------

    /// The type `(domain, kind, name, version)`.
    pub fn type_row(
        &self,
        domain: &str,
        kind: &'static str,
        name: &str,
        version: &str,
    ) -> rusqlite::Result<Option<TypeRow>> {
        self.conn
            .prepare_cached(
                "SELECT domain, name, version, status, description, config, created, deprecated \
                 FROM types WHERE domain=?1 AND kind=?2 AND name=?3 AND version=?4",
            )?
            .query_row(params![domain, kind, name, version], |r| type_row(r, kind))
            .optional()
    }

    /// Inserts or replaces a type.
    pub fn put_type(&self, t: &TypeRow) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO types(domain, kind, name, version, status, description, \
             config, created, deprecated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                t.domain,
                t.kind,
                t.name,
                t.version,
                t.status,
                t.description,
                t.config.to_string(),
                t.created,
                t.deprecated
            ],
        )?;
        Ok(())
    }

    /// Deletes a type.
    pub fn delete_type(&self, t: &TypeRow) -> rusqlite::Result<()> {
        self.conn.execute(
            "DELETE FROM types WHERE domain=?1 AND kind=?2 AND name=?3 AND version=?4",
            params![t.domain, t.kind, t.name, t.version],
        )?;
        Ok(())
    }

    /// Number of types of `kind` in `domain` (any status).
    pub fn count_types(&self, domain: &str, kind: &str) -> rusqlite::Result<i64> {
        self.conn.query_row(
            "SELECT count(*) FROM types WHERE domain=?1 AND kind=?2",
            params![domain, kind],
            |r| r.get(0),
        )
    }

    /// Types matching `q`, by name then version.
    pub fn list_types(&self, q: &TypeQuery<'_>) -> rusqlite::Result<Vec<TypeRow>> {
        let (cmp, order) = if q.reverse {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let sql = format!(
            "SELECT domain, name, version, status, description, config, created, deprecated \
             FROM types WHERE domain=?1 AND kind=?2 AND status=?3 AND (?4 IS NULL OR name=?4) \
             AND (?5 IS NULL OR (name, version) {cmp} (?5, ?6)) \
             ORDER BY name {order}, version {order} LIMIT ?7"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let (after_name, after_version) = q.after.unzip();
        let kind = q.kind;
        stmt.query_map(
            params![
                q.domain,
                kind,
                q.status,
                q.name,
                after_name,
                after_version,
                q.limit as i64
            ],
            |r| type_row(r, kind),
        )?
        .collect()
    }

    // -- runs and events -------------------------------------------------------------------

    /// Writes a run's visibility columns and state.
    pub fn put_run(&self, run: &Run) -> rusqlite::Result<()> {
        let state = serde_json::to_string(run).map_err(to_sql_error)?;
        let tags = serde_json::to_string(&run.tags).map_err(to_sql_error)?;
        self.conn
            .prepare_cached(
                // An upsert updates the row in place: its rowid stays, and the visibility
                // indexes are only touched when their columns change (at close), where
                // `INSERT OR REPLACE` deletes and re-inserts the row and every index entry.
                "INSERT INTO runs(run_id, domain, workflow_id, type_name, \
                 type_version, open, close_status, start_ts, close_ts, tags, state) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
                 ON CONFLICT(run_id) DO UPDATE SET open=excluded.open, \
                 close_status=excluded.close_status, close_ts=excluded.close_ts, \
                 tags=excluded.tags, state=excluded.state",
            )?
            .execute(params![
                run.execution.run_id,
                run.domain,
                run.execution.workflow_id,
                run.workflow_type.name,
                run.workflow_type.version,
                run.is_open(),
                run.closed.as_ref().map(|c| c.status.as_str().to_owned()),
                run.start_ts,
                run.closed.as_ref().map(|c| c.ts),
                tags,
                state
            ])?;
        Ok(())
    }

    /// The run `run_id` of `domain` (open or closed).
    pub fn run(&self, domain: &str, run_id: &str) -> rusqlite::Result<Option<Run>> {
        self.conn
            .prepare_cached("SELECT state FROM runs WHERE run_id=?1 AND domain=?2")?
            .query_row(params![run_id, domain], run_from_row)
            .optional()
    }

    /// Every open run.
    pub fn open_runs(&self) -> rusqlite::Result<Vec<Run>> {
        self.conn
            .prepare("SELECT state FROM runs WHERE open=1")?
            .query_map([], run_from_row)?
            .collect()
    }

    /// Runs matching a visibility query, in its order, after its cursor.
    pub fn query_runs(&self, q: &RunQuery) -> rusqlite::Result<Vec<Run>> {
        let (sql, args) = q.sql("state");
        let mut stmt = self.conn.prepare(&sql)?;
        stmt.query_map(rusqlite::params_from_iter(args), run_from_row)?
            .collect()
    }

    /// Number of runs matching a visibility query (cursor and limit ignored).
    pub fn count_runs(&self, q: &RunQuery) -> rusqlite::Result<i64> {
        let (sql, args) = q.sql("count(*)");
        self.conn
            .query_row(&sql, rusqlite::params_from_iter(args), |r| r.get(0))
    }

    /// Appends one event (its wire JSON) to a run's history.
    pub fn put_event(&self, run_id: &str, event_id: i64, json: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("INSERT INTO events(run_id, event_id, json) VALUES (?1, ?2, ?3)")?
            .execute(params![run_id, event_id, json])?;
        Ok(())
    }

    /// Events of a run with ids in `from..=to`, ascending or descending, at most `limit`.
    pub fn events(
        &self,
        run_id: &str,
        from: i64,
        to: i64,
        reverse: bool,
        limit: usize,
    ) -> rusqlite::Result<Vec<(i64, String)>> {
        let sql = if reverse {
            "SELECT event_id, json FROM events WHERE run_id=?1 AND event_id BETWEEN ?2 AND ?3 \
             ORDER BY event_id DESC LIMIT ?4"
        } else {
            "SELECT event_id, json FROM events WHERE run_id=?1 AND event_id BETWEEN ?2 AND ?3 \
             ORDER BY event_id ASC LIMIT ?4"
        };
        self.conn
            .prepare_cached(sql)?
            .query_map(params![run_id, from, to, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect()
    }
}

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE domains (
    name TEXT PRIMARY KEY, status TEXT NOT NULL, description TEXT, retention TEXT NOT NULL,
    tags TEXT NOT NULL);
CREATE TABLE types (
    domain TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
    status TEXT NOT NULL, description TEXT, config TEXT NOT NULL, created REAL NOT NULL,
    deprecated REAL, PRIMARY KEY (domain, kind, name, version));
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, domain TEXT NOT NULL, workflow_id TEXT NOT NULL,
    type_name TEXT NOT NULL, type_version TEXT NOT NULL, open INTEGER NOT NULL,
    close_status TEXT, start_ts REAL NOT NULL, close_ts REAL, tags TEXT NOT NULL,
    state TEXT NOT NULL);
CREATE INDEX runs_open_start ON runs(domain, open, start_ts);
CREATE INDEX runs_close ON runs(domain, open, close_ts);
CREATE TABLE events (
    run_id TEXT NOT NULL, event_id INTEGER NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (run_id, event_id)) WITHOUT ROWID;
";

fn domain_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DomainRow> {
    let tags: String = r.get(4)?;
    Ok(DomainRow {
        name: r.get(0)?,
        status: r.get(1)?,
        description: r.get(2)?,
        retention: r.get(3)?,
        tags: serde_json::from_str(&tags).map_err(to_sql_error)?,
    })
}

fn type_row(r: &rusqlite::Row<'_>, kind: &'static str) -> rusqlite::Result<TypeRow> {
    let config: String = r.get(5)?;
    Ok(TypeRow {
        domain: r.get(0)?,
        kind,
        name: r.get(1)?,
        version: r.get(2)?,
        status: r.get(3)?,
        description: r.get(4)?,
        config: serde_json::from_str(&config).map_err(to_sql_error)?,
        created: r.get(6)?,
        deprecated: r.get(7)?,
    })
}

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Run> {
    let state: String = r.get(0)?;
    serde_json::from_str(&state).map_err(to_sql_error)
}

fn to_sql_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

#[cfg(test)]
mod test_support {
    use super::Database;

    impl Database {
        /// Makes every commit fail (SQLite turns it into a rollback), or no longer: how the
        /// tests meet a failed commit.
        pub(crate) fn refuse_commits(&self, refuse: bool) {
            self.conn.commit_hook(refuse.then_some(|| true));
        }
    }
}
