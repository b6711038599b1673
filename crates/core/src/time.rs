//! Timestamps for people and for JSON: the store keeps unix milliseconds;
//! JSON carries them as ISO 8601 UTC, and people read them in their own
//! time zone ([`local_time`]), formatted here once.

/// Unix milliseconds as an ISO 8601 UTC timestamp (`2026-11-18T11:06:40Z`).
pub fn iso_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Unix milliseconds as a local time with its offset from UTC
/// (`2026-11-18 12:06:40 +01:00`), in the zone the C library finds (`TZ`,
/// else `/etc/localtime`); UTC when it finds none.
pub fn local_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let Some((offset_s, broken)) = local_fields(secs) else {
        let utc = iso_time(ms);
        return format!("{} {} +00:00", &utc[..10], &utc[11..19]);
    };
    let sign = if offset_s < 0 { '-' } else { '+' };
    let offset = offset_s.unsigned_abs();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {sign}{:02}:{:02}",
        broken[0],
        broken[1],
        broken[2],
        broken[3],
        broken[4],
        broken[5],
        offset / 3600,
        offset % 3600 / 60
    )
}

/// The local calendar fields (year, month, day, hour, minute, second) of
/// `secs` and the zone's offset in seconds.
fn local_fields(secs: i64) -> Option<(i64, [i64; 6])> {
    let t = libc::time_t::try_from(secs).ok()?;
    // SAFETY: localtime_r writes into the zeroed struct we own and reads
    // only `t`; it is thread-safe, unlike localtime.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return None;
        }
        tm
    };
    Some((
        i64::from(tm.tm_gmtoff as i32),
        [
            i64::from(tm.tm_year) + 1900,
            i64::from(tm.tm_mon) + 1,
            i64::from(tm.tm_mday),
            i64::from(tm.tm_hour),
            i64::from(tm.tm_min),
            i64::from(tm.tm_sec),
        ],
    ))
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// days-from-civil, the inverse of the above).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(1_795_000_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(iso_time(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(-1000), "1969-12-31T23:59:59Z");
    }

    /// Whatever the machine's zone, a local time is the UTC time moved by
    /// the offset it shows.
    #[test]
    fn local_times_are_utc_moved_by_their_offset() {
        for ms in [0, 1_795_000_000_000, 1_751_000_000_000, 1_735_689_599_000] {
            let local = local_time(ms);
            let n = |range: std::ops::Range<usize>| local[range].parse::<i64>().unwrap();
            assert_eq!(local.len(), 26, "{local}");
            let (y, mo, d) = (n(0..4), n(5..7) as u32, n(8..10) as u32);
            let wall =
                days_from_civil(y, mo, d) * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19);
            let sign = if &local[20..21] == "-" { -1 } else { 1 };
            let offset = sign * (n(21..23) * 3600 + n(24..26) * 60);
            assert_eq!((wall - offset) * 1000, ms, "{local}");
        }
    }

    #[test]
    fn days_round_trip() {
        for days in [-1, 0, 1, 11_016, 19_753, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2000, 2, 29) * 86_400_000, 951_782_400_000);
    }
}
