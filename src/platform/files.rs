//! Reading files the user chose, dropped or pasted.

use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileList};

use super::js_error_text;

/// Refuse before reading anything larger than this (the decoder's own limit is lower).
pub const MAX_READ_BYTES: f64 = 80.0 * 1024.0 * 1024.0;

/// The bytes of a photo file.
pub async fn read_bytes(file: &File) -> Result<Vec<u8>, String> {
    if file.size() > MAX_READ_BYTES {
        return Err(format!(
            "That file is {:.0} MB; photos up to {:.0} MB can be opened. Please export a smaller JPEG.",
            file.size() / 1_048_576.0,
            MAX_READ_BYTES / 1_048_576.0
        ));
    }
    read_all(file).await
}

/// The bytes of any file (the caller checks its size first).
pub async fn read_all(file: &File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("The file could not be read: {}", js_error_text(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The first file of a list, if any.
pub fn first_file(list: Option<FileList>) -> Option<File> {
    list.and_then(|l| l.get(0))
}

/// The first file in a drop or paste.
pub fn first_transferred_file(data: Option<DataTransfer>) -> Option<File> {
    first_file(data.and_then(|d| d.files()))
}
