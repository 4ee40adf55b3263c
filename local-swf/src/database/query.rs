//! The visibility and type-listing queries the state machine asks the database for, and the
//! SQL each becomes. A leaf of `database`.

/// A List*Types query.
#[derive(Debug, Clone)]
pub struct TypeQuery<'a> {
    /// Domain.
    pub domain: &'a str,
    /// `activity` or `workflow`.
    pub kind: &'static str,
    /// `REGISTERED` or `DEPRECATED`.
    pub status: &'a str,
    /// Exact name filter.
    pub name: Option<&'a str>,
    /// Continue after this (name, version), exclusive, in the page direction.
    pub after: Option<(&'a str, &'a str)>,
    /// Descending order.
    pub reverse: bool,
    /// Page size.
    pub limit: usize,
}

/// A List*/Count* visibility query over runs.
#[derive(Debug, Clone, Default)]
pub struct RunQuery {
    /// Domain.
    pub domain: String,
    /// Open or closed runs.
    pub open: bool,
    /// Filter on start time (inclusive bounds), epoch seconds.
    pub start: Option<(f64, Option<f64>)>,
    /// Filter on close time (inclusive bounds).
    pub close: Option<(f64, Option<f64>)>,
    /// Exact workflow id.
    pub workflow_id: Option<String>,
    /// Type name and optional version.
    pub type_filter: Option<(String, Option<String>)>,
    /// Tag the run must carry.
    pub tag: Option<String>,
    /// Close status.
    pub close_status: Option<String>,
    /// Order by close time rather than start time.
    pub by_close: bool,
    /// Oldest first (the default is newest first).
    pub oldest_first: bool,
    /// Continue after this (time, run id).
    pub after: Option<(f64, String)>,
    /// Page size.
    pub limit: Option<usize>,
}

impl RunQuery {
    pub(super) fn sql(&self, what: &str) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value as V;
        let mut sql = format!("SELECT {what} FROM runs WHERE domain=? AND open=?");
        let mut args = vec![V::Text(self.domain.clone()), V::Integer(self.open as i64)];
        let mut range = |column: &str, range: &Option<(f64, Option<f64>)>| {
            if let Some((oldest, latest)) = range {
                sql.push_str(&format!(" AND {column} >= ?"));
                args.push(V::Real(*oldest));
                if let Some(latest) = latest {
                    sql.push_str(&format!(" AND {column} <= ?"));
                    args.push(V::Real(*latest));
                }
            }
        };
        range("start_ts", &self.start);
        range("close_ts", &self.close);
        if let Some(id) = &self.workflow_id {
            sql.push_str(" AND workflow_id = ?");
            args.push(V::Text(id.clone()));
        }
        if let Some((name, version)) = &self.type_filter {
            sql.push_str(" AND type_name = ?");
            args.push(V::Text(name.clone()));
            if let Some(version) = version {
                sql.push_str(" AND type_version = ?");
                args.push(V::Text(version.clone()));
            }
        }
        if let Some(tag) = &self.tag {
            sql.push_str(" AND EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE value = ?)");
            args.push(V::Text(tag.clone()));
        }
        if let Some(status) = &self.close_status {
            sql.push_str(" AND close_status = ?");
            args.push(V::Text(status.clone()));
        }
        if what == "count(*)" {
            return (sql, args);
        }
        let column = if self.by_close {
            "close_ts"
        } else {
            "start_ts"
        };
        let (cmp, order) = if self.oldest_first {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        if let Some((ts, run_id)) = &self.after {
            sql.push_str(&format!(" AND ({column}, run_id) {cmp} (?, ?)"));
            args.push(V::Real(*ts));
            args.push(V::Text(run_id.clone()));
        }
        sql.push_str(&format!(" ORDER BY {column} {order}, run_id {order}"));
        if let Some(limit) = self.limit {
            sql.push_str(" LIMIT ?");
            args.push(V::Integer(limit as i64));
        }
        (sql, args)
    }
}
