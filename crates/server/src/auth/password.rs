//! Password hashing with argon2id (R-X-1). Hashing runs on the blocking pool.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::model::NewPassword;

pub async fn hash(password: &NewPassword) -> anyhow::Result<String> {
    let pw = password.expose().to_string();
    tokio::task::spawn_blocking(move || hash_sync(&pw)).await?
}

pub fn hash_sync(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

/// Constant work whether or not the user exists: callers pass a dummy hash for unknown users.
pub async fn verify(password: &str, stored: &str) -> bool {
    let pw = password.to_string();
    let stored = stored.to_string();
    tokio::task::spawn_blocking(move || verify_sync(&pw, &stored))
        .await
        .unwrap_or(false)
}

pub fn verify_sync(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_argon2id() {
        let h = hash_sync("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_sync("correct horse battery", &h));
        assert!(!verify_sync("correct horse batterx", &h));
        assert!(!verify_sync("x", "not a hash"));
    }
}
