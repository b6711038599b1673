//! `gleaner_bm25`: FTS5's bm25, without its full scan of every term.
//!
//! FTS5's own `bm25()` weighs each phrase of a query by how many rows it
//! occurs in, and counts those rows by running the phrase over the whole
//! index, once per statement. For a common word (`the`, `data`) or phrase
//! (`"return value"`) over millions of chunks that count cost 50–150 ms,
//! more than everything else a search does. `gleaner_bm25` is the same
//! formula (k1 = 1.2, b = 0.75, one column of weight 1) with the count
//! stopped at [`ROW_COUNT_CAP`] rows: a phrase in fewer rows is weighed
//! exactly as by `bm25()`; a more common one has its count extrapolated
//! from where, among the table's row ids, the cap was reached. A common
//! phrase's weight is small and changes slowly with its count, so an
//! estimate ranks as well.
//!
//! A query of one phrase (one word, one `"exact phrase"`) is not counted
//! at all: its weight multiplies every row's score alike, so it cannot
//! change their order, and the scores are left unweighted.
//!
//! Call it as `gleaner_bm25(table, lowest_rowid, highest_rowid)`, the
//! bounds of the table's row ids, which the extrapolation needs; like
//! `bm25()`, lower is better.

use std::ffi::{c_int, c_void};
use std::ptr;

use rusqlite::ffi;
use rusqlite::Connection;

use crate::error::Result;

/// Rows counted per phrase before the count is extrapolated.
pub(crate) const ROW_COUNT_CAP: i64 = 2_000;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Registers `gleaner_bm25` with the FTS5 module of `conn`.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    let api = super::fts5::api(conn)?;
    // SAFETY: `api` is the live FTS5 API of `conn`.
    let rc = unsafe {
        match (*api).xCreateFunction {
            Some(create) => create(
                api,
                c"gleaner_bm25".as_ptr(),
                ptr::null_mut(),
                Some(gleaner_bm25),
                None,
            ),
            None => ffi::SQLITE_ERROR,
        }
    };
    if rc != ffi::SQLITE_OK {
        return Err(super::fts5::fts5_error(
            rc,
            "FTS5 did not accept the gleaner_bm25 function",
        ));
    }
    Ok(())
}

/// What one statement's rows share: the mean row length and each phrase's
/// weight, computed at its first row.
struct StatementData {
    mean_row_tokens: f64,
    phrase_weights: Vec<f64>,
    phrase_hits: Vec<f64>,
}

/// A phrase's row count while it is being counted.
struct RowCount {
    rows: i64,
    last_rowid: i64,
}

unsafe extern "C" fn count_row(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    user: *mut c_void,
) -> c_int {
    let count = &mut *(user as *mut RowCount);
    count.rows += 1;
    if let Some(rowid) = (*api).xRowid {
        count.last_rowid = rowid(fts);
    }
    if count.rows >= ROW_COUNT_CAP {
        ffi::SQLITE_DONE
    } else {
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn free_statement_data(data: *mut c_void) {
    drop(Box::from_raw(data as *mut StatementData));
}

/// The estimated number of rows holding a phrase: exact below the cap,
/// else the cap scaled by the share of the row-id range it took to reach it.
fn estimated_rows(count: &RowCount, total_rows: i64, lowest: i64, highest: i64) -> f64 {
    if count.rows < ROW_COUNT_CAP || highest <= lowest {
        return count.rows as f64;
    }
    let covered = (count.last_rowid - lowest + 1).max(1) as f64;
    let span = (highest - lowest + 1) as f64;
    (count.rows as f64 * span / covered).min(total_rows as f64)
}

/// bm25's weight of a phrase found in `rows` of `total_rows` rows.
fn phrase_weight(rows: f64, total_rows: f64) -> f64 {
    let idf = ((total_rows - rows + 0.5) / (rows + 0.5)).ln();
    if idf <= 0.0 {
        1e-6
    } else {
        idf
    }
}

unsafe fn statement_data(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    lowest: i64,
    highest: i64,
) -> std::result::Result<*mut StatementData, c_int> {
    let (Some(get), Some(set)) = (api.xGetAuxdata, api.xSetAuxdata) else {
        return Err(ffi::SQLITE_ERROR);
    };
    let existing = get(fts, 0) as *mut StatementData;
    if !existing.is_null() {
        return Ok(existing);
    }
    let (Some(row_count), Some(total_size), Some(phrase_count), Some(query_phrase)) = (
        api.xRowCount,
        api.xColumnTotalSize,
        api.xPhraseCount,
        api.xQueryPhrase,
    ) else {
        return Err(ffi::SQLITE_ERROR);
    };
    let mut total_rows: i64 = 0;
    let mut total_tokens: i64 = 0;
    let rc = row_count(fts, &mut total_rows);
    if rc != ffi::SQLITE_OK {
        return Err(rc);
    }
    let rc = total_size(fts, -1, &mut total_tokens);
    if rc != ffi::SQLITE_OK {
        return Err(rc);
    }
    let n_phrases = phrase_count(fts).max(0) as usize;
    let mut phrase_weights = Vec::with_capacity(n_phrases);
    // One phrase: its weight multiplies every row's score alike, so it
    // cannot change the order, and counting its rows is skipped (for a
    // common phrase that count was a third of the search).
    if n_phrases == 1 {
        phrase_weights.push(1.0);
    }
    for phrase in phrase_weights.len()..n_phrases {
        let mut count = RowCount {
            rows: 0,
            last_rowid: lowest,
        };
        let rc = query_phrase(
            fts,
            phrase as c_int,
            (&mut count as *mut RowCount).cast(),
            Some(count_row),
        );
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        let rows = estimated_rows(&count, total_rows, lowest, highest);
        phrase_weights.push(phrase_weight(rows, total_rows as f64));
    }
    let data = Box::into_raw(Box::new(StatementData {
        mean_row_tokens: total_tokens as f64 / (total_rows.max(1)) as f64,
        phrase_hits: vec![0.0; n_phrases],
        phrase_weights,
    }));
    let rc = set(fts, data.cast(), Some(free_statement_data));
    if rc != ffi::SQLITE_OK {
        return Err(rc);
    }
    Ok(data)
}

unsafe fn row_score(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    data: &mut StatementData,
) -> std::result::Result<f64, c_int> {
    let (Some(inst_count), Some(inst), Some(column_size)) =
        (api.xInstCount, api.xInst, api.xColumnSize)
    else {
        return Err(ffi::SQLITE_ERROR);
    };
    data.phrase_hits.iter_mut().for_each(|h| *h = 0.0);
    let mut n_inst: c_int = 0;
    let rc = inst_count(fts, &mut n_inst);
    if rc != ffi::SQLITE_OK {
        return Err(rc);
    }
    for i in 0..n_inst {
        let (mut phrase, mut column, mut offset): (c_int, c_int, c_int) = (0, 0, 0);
        let rc = inst(fts, i, &mut phrase, &mut column, &mut offset);
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        if let Some(hits) = data.phrase_hits.get_mut(phrase as usize) {
            *hits += 1.0;
        }
    }
    let mut row_tokens: c_int = 0;
    let rc = column_size(fts, -1, &mut row_tokens);
    if rc != ffi::SQLITE_OK {
        return Err(rc);
    }
    let length_norm = K1 * (1.0 - B + B * row_tokens as f64 / data.mean_row_tokens);
    Ok(data
        .phrase_hits
        .iter()
        .zip(&data.phrase_weights)
        .map(|(&hits, &weight)| weight * hits * (K1 + 1.0) / (hits + length_norm))
        .sum())
}

unsafe extern "C" fn gleaner_bm25(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    n_args: c_int,
    args: *mut *mut ffi::sqlite3_value,
) {
    let api = &*api;
    let (lowest, highest) = if n_args >= 2 {
        (
            ffi::sqlite3_value_int64(*args),
            ffi::sqlite3_value_int64(*args.add(1)),
        )
    } else {
        (0, 0)
    };
    let score =
        statement_data(api, fts, lowest, highest).and_then(|data| row_score(api, fts, &mut *data));
    match score {
        Ok(score) => ffi::sqlite3_result_double(ctx, -score),
        Err(rc) => ffi::sqlite3_result_error_code(ctx, rc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_below_the_cap_is_exact_and_one_at_the_cap_is_scaled() {
        let below = RowCount {
            rows: 10,
            last_rowid: 500,
        };
        assert_eq!(estimated_rows(&below, 1_000, 1, 1_000), 10.0);
        // The cap reached a fifth of the way through the row ids.
        let at_cap = RowCount {
            rows: ROW_COUNT_CAP,
            last_rowid: 20_000,
        };
        let rows = estimated_rows(&at_cap, 1_000_000, 1, 100_000);
        assert_eq!(rows, (ROW_COUNT_CAP * 5) as f64);
        // Never more rows than the table has.
        assert_eq!(estimated_rows(&at_cap, 3_000, 1, 100_000_000), 3_000.0);
        // A rarer phrase weighs more; one in most rows barely counts.
        assert!(phrase_weight(10.0, 1e6) > phrase_weight(1e4, 1e6));
        assert_eq!(phrase_weight(9e5, 1e6), 1e-6);
    }
}
