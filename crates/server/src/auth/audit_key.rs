//! The audit head's key (issue 9 finding 6): 32 random bytes kept outside the database, in
//! `<data_dir>/audit.key` (created with mode 0600 at the first start) or given as
//! `audit_key` (64 hex characters) in the configuration. HMAC-SHA256 (RFC 2104) over the
//! head's sequence number and hash.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use sha2::{Digest, Sha256};

pub const FILE_NAME: &str = "audit.key";

#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(****)")
    }
}

impl AuditKey {
    pub fn from_hex(s: &str) -> anyhow::Result<AuditKey> {
        let bytes = hex::decode(s.trim()).context("audit key is not hex")?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("audit key must be 32 bytes (64 hex characters)"))?;
        Ok(AuditKey(arr))
    }

    /// HMAC-SHA256 of `message` as hex.
    pub fn mac(&self, message: &[u8]) -> String {
        hex::encode(hmac_sha256(&self.0, message))
    }

    /// The MAC of an audit head.
    pub fn head_mac(&self, seq: i64, hash: &str) -> String {
        self.mac(format!("reformwatch audit head\n{seq}\n{hash}").as_bytes())
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The configured key, else the data directory's key file, created (0600) when missing.
/// Returns the key and whether it was created now.
pub fn load_or_create(
    configured: Option<&str>,
    data_dir: &Path,
) -> anyhow::Result<(AuditKey, bool)> {
    if let Some(hex) = configured.filter(|s| !s.trim().is_empty()) {
        return Ok((AuditKey::from_hex(hex)?, false));
    }
    let path = data_dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            return Ok((
                AuditKey::from_hex(&text).with_context(|| format!("{}", path.display()))?,
                false,
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(&path) {
        Ok(mut f) => {
            f.write_all(format!("{}\n", hex::encode(bytes)).as_bytes())
                .and_then(|()| f.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok((AuditKey(bytes), true))
        }
        // Another process created it at the same moment: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok((AuditKey::from_hex(&text)?, false))
        }
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2 and case 1.
    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("rw-audit-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (a, created) = load_or_create(None, &dir).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(FILE_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (b, created) = load_or_create(None, &dir).unwrap();
        assert!(!created);
        assert_eq!(a.head_mac(3, "ab"), b.head_mac(3, "ab"));
        assert_ne!(a.head_mac(3, "ab"), a.head_mac(4, "ab"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
