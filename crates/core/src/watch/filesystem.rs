//! What the watcher needs to know about the file system under a source:
//! whether inotify can see changes there, and whether the root is still the
//! directory that was watched.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// File systems where inotify sees only changes made through this machine's
/// own mount, so changes made on the server or by other clients are missed.
/// Magic numbers from `linux/magic.h` and statfs(2).
const REMOTE_FILE_SYSTEMS: &[(u32, &str)] = &[
    (0x6969, "nfs"),
    (0x517B, "smb"),
    (0xFF53_4D42, "cifs"),
    (0xFE53_4D42, "smb2"),
    (0x6573_5546, "fuse"),
    (0x7375_7245, "coda"),
    (0x5346_414F, "afs"),
    (0x6B41_4653, "afs"),
    (0x00C3_6400, "ceph"),
    (0x0102_1997, "9p"),
    (0x0000_564C, "ncp"),
    (0x7461_636F, "ocfs2"),
    (0x0116_1970, "gfs2"),
    (0x0BD0_0BD0, "lustre"),
    (0x4750_4653, "gpfs"),
    (0x2003_0528, "orangefs"),
    (0x786F_4256, "vboxsf"),
];

/// The name of the network or FUSE file system `path` is on, or `None` for
/// a local file system (or if it cannot be told).
pub(crate) fn remote_file_system(path: &Path) -> Option<&'static str> {
    remote_file_system_by_magic(file_system_magic(path)?)
}

fn remote_file_system_by_magic(magic: u32) -> Option<&'static str> {
    REMOTE_FILE_SYSTEMS
        .iter()
        .find(|(known, _)| *known == magic)
        .map(|(_, name)| *name)
}

#[cfg(target_os = "linux")]
fn file_system_magic(path: &Path) -> Option<u32> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `path` is NUL-terminated and `stats` is writable memory of the
    // right type; statfs fills it in full when it returns 0.
    let rc = unsafe { libc::statfs(path.as_ptr(), stats.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: statfs returned 0.
    let stats = unsafe { stats.assume_init() };
    // f_type's width differs between targets; the magic numbers are 32-bit.
    Some(stats.f_type as u32)
}

#[cfg(not(target_os = "linux"))]
fn file_system_magic(_path: &Path) -> Option<u32> {
    None
}

/// Enough about a source root to tell whether it is still there: its
/// device, and whether it is a mount point (then an unmount leaves the empty
/// mount point directory behind, on the parent's device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RootIdentity {
    pub(crate) device: u64,
    pub(crate) is_mount_point: bool,
}

impl RootIdentity {
    /// Looks at `root` now; `Err` says why it is not a usable root.
    pub(crate) fn of(root: &Path) -> Result<RootIdentity, String> {
        let metadata = match fs::metadata(root) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err("the directory does not exist".to_string())
            }
            Err(error) => return Err(error.to_string()),
        };
        if !metadata.is_dir() {
            return Err("it is not a directory".to_string());
        }
        let parent_device = root
            .parent()
            .and_then(|parent| fs::metadata(parent).ok())
            .map(|parent| parent.dev());
        Ok(RootIdentity {
            device: metadata.dev(),
            is_mount_point: parent_device.is_some_and(|dev| dev != metadata.dev()),
        })
    }

    /// Whether `root` is present the way it was when this identity was
    /// taken: a mount point must still be one (its file system mounted).
    pub(crate) fn present_again(&self, root: &Path) -> bool {
        match RootIdentity::of(root) {
            Ok(now) => now.is_mount_point || !self.is_mount_point,
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_and_fuse_magic_numbers_are_recognized() {
        assert_eq!(remote_file_system_by_magic(0x6969), Some("nfs"));
        assert_eq!(remote_file_system_by_magic(0x517B), Some("smb"));
        assert_eq!(remote_file_system_by_magic(0xFF53_4D42), Some("cifs"));
        assert_eq!(remote_file_system_by_magic(0xFE53_4D42), Some("smb2"));
        assert_eq!(remote_file_system_by_magic(0x6573_5546), Some("fuse"));
        // ext4, tmpfs, btrfs, overlayfs
        for local in [0xEF53, 0x0102_1994, 0x9123_683E, 0x794C_7630] {
            assert_eq!(remote_file_system_by_magic(local), None);
        }
    }

    #[test]
    fn a_temp_dir_is_local_and_a_present_root() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(remote_file_system(dir.path()), None);
        let identity = RootIdentity::of(dir.path()).unwrap();
        assert!(identity.present_again(dir.path()));
        let gone = dir.path().join("missing");
        assert!(RootIdentity::of(&gone).is_err());
        assert!(!identity.present_again(&gone));
    }
}
