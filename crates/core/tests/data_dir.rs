//! Where the index lives when no `--data-dir` is given: `GLEANER_DATA_DIR`,
//! else the per-user data directory. The only test of this binary: it sets
//! environment variables for the whole process.

use std::path::PathBuf;

use gleaner_core::data_dir::{APP_IDENTIFIER, DATABASE_FILE, DATA_DIR_ENV};
use gleaner_core::DataDir;

#[test]
fn the_data_directory_comes_from_the_flag_the_environment_or_the_home() {
    let tmp = tempfile::tempdir().unwrap();
    let explicit = tmp.path().join("explicit");
    let from_env = tmp.path().join("from-env");
    std::env::set_var(DATA_DIR_ENV, &from_env);

    // The flag wins over the environment.
    let data_dir = DataDir::resolve(Some(&explicit)).unwrap();
    assert_eq!(data_dir.path(), explicit);

    let data_dir = DataDir::resolve(None).unwrap();
    assert_eq!(data_dir.path(), from_env);
    assert_eq!(data_dir.database(), from_env.join(DATABASE_FILE));
    assert_eq!(data_dir.engine_lock(), from_env.join("engine.lock"));
    assert_eq!(data_dir.logs(), from_env.join("logs"));
    // Created on demand, for its owner only.
    data_dir.create().unwrap();
    data_dir.create().unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(data_dir.path()).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o700);

    // An empty variable counts as unset: the per-user data directory.
    std::env::set_var(DATA_DIR_ENV, "");
    std::env::set_var("HOME", tmp.path());
    std::env::remove_var("XDG_DATA_HOME");
    let data_dir = DataDir::resolve(None).unwrap();
    let expected: PathBuf = tmp.path().join(".local/share").join(APP_IDENTIFIER);
    assert_eq!(data_dir.path(), expected);

    // A data directory that cannot be created says where and why.
    let blocker = tmp.path().join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let err = DataDir::resolve(Some(&blocker.join("data")))
        .unwrap()
        .create()
        .unwrap_err();
    assert!(
        err.to_string().contains(&*blocker.to_string_lossy()),
        "{err}"
    );
}
