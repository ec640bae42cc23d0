//! `sessionStorage`, for the login transaction record only (never a token).
//!
//! This is the only file of the crate that names a Web Storage API.

use crate::core::{Error, Platform as PlatformError};

fn session_storage() -> Result<web_sys::Storage, Error> {
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .ok_or(Error::Platform(PlatformError::StorageUnavailable))
}

/// Stores `value` under `key`.
pub(crate) fn put(key: &str, value: &str) -> Result<(), Error> {
    session_storage()?
        .set_item(key, value)
        .map_err(|_| Error::Platform(PlatformError::StorageUnavailable))
}

/// Removes and returns the value under `key`.
pub(crate) fn take(key: &str) -> Result<Option<String>, Error> {
    let storage = session_storage()?;
    let value = storage
        .get_item(key)
        .map_err(|_| Error::Platform(PlatformError::StorageUnavailable))?;
    if value.is_some() {
        storage
            .remove_item(key)
            .map_err(|_| Error::Platform(PlatformError::StorageUnavailable))?;
    }
    Ok(value)
}

/// Removes every key starting with `prefix`.
pub(crate) fn clear(prefix: &str) {
    let Ok(storage) = session_storage() else {
        return;
    };
    let len = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..len)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(prefix))
        .collect();
    for k in keys {
        let _ = storage.remove_item(&k);
    }
}
