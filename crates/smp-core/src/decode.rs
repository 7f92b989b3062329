//! Photo intake: bytes -> upright RGBA8, with limits checked before any large allocation,
//! EXIF orientation applied, and one clear, specific message per kind of bad file.

use std::fmt;
use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use crate::RgbaImage;

/// What a photo may cost before it is decoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecodeLimits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: usize,
    /// Largest photo accepted, in pixels (width × height, read from the header).
    pub max_pixels: u64,
    /// Smallest side accepted, in pixels.
    pub min_side: u32,
    /// Upper bound for the decoder's own allocations, in bytes.
    pub max_alloc_bytes: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 60 * 1024 * 1024,
            max_pixels: 40_000_000,
            min_side: 64,
            max_alloc_bytes: 512 * 1024 * 1024,
        }
    }
}

/// Why a file is not usable. `Display` gives the message shown to the user.
#[derive(Clone, Debug, PartialEq)]
pub enum PhotoError {
    Empty,
    FileTooLarge {
        bytes: usize,
        limit: usize,
    },
    /// A known image format we do not read, with advice for phone formats.
    UnsupportedFormat {
        format: &'static str,
    },
    /// Not an image at all (text, PDF, random bytes...).
    NotAnImage {
        looks_like: Option<&'static str>,
    },
    TooManyPixels {
        width: u32,
        height: u32,
        limit: u64,
    },
    TooSmall {
        width: u32,
        height: u32,
        min_side: u32,
    },
    /// The header was fine but the data is damaged or incomplete.
    Damaged {
        format: &'static str,
        detail: String,
    },
}

impl fmt::Display for PhotoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PhotoError::Empty => write!(f, "That file is empty (0 bytes). Please choose a JPEG, PNG or WebP photo."),
            PhotoError::FileTooLarge { bytes, limit } => write!(
                f,
                "That file is {:.0} MB; photos up to {:.0} MB can be opened. Please export a smaller JPEG.",
                *bytes as f64 / 1_048_576.0,
                *limit as f64 / 1_048_576.0
            ),
            PhotoError::UnsupportedFormat { format } if *format == "HEIC" || *format == "AVIF" => write!(
                f,
                "This is a {format} photo, which can't be opened here. On an iPhone, choose \
                 Settings > Camera > Formats > Most Compatible, or share the photo and save it as JPEG, then try again."
            ),
            PhotoError::UnsupportedFormat { format } => write!(
                f,
                "{format} files can't be used. Please choose a JPEG, PNG or WebP photo."
            ),
            PhotoError::NotAnImage { looks_like: Some(kind) } => write!(
                f,
                "That file is not a photo (it looks like {kind}). Please choose a JPEG, PNG or WebP photo."
            ),
            PhotoError::NotAnImage { looks_like: None } => write!(
                f,
                "That file is not a photo we can read. Please choose a JPEG, PNG or WebP photo."
            ),
            PhotoError::TooManyPixels { width, height, limit } => write!(
                f,
                "That photo is {width} x {height} pixels ({:.0} megapixels); photos up to {:.0} megapixels can be opened.",
                *width as f64 * *height as f64 / 1e6,
                *limit as f64 / 1e6
            ),
            PhotoError::TooSmall { width, height, min_side } => write!(
                f,
                "That image is only {width} x {height} pixels; a head photo needs at least {min_side} pixels on each side."
            ),
            PhotoError::Damaged { format, .. } => write!(
                f,
                "That {format} file is damaged or incomplete and can't be opened. Please try another copy of the photo."
            ),
        }
    }
}

impl std::error::Error for PhotoError {}

/// What the header says, before decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhotoInfo {
    /// Upright size (after EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub format: &'static str,
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::WebP => "WebP",
        _ => "image",
    }
}

/// Recognise what the bytes are from their signature.
fn sniff(bytes: &[u8]) -> Result<ImageFormat, PhotoError> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageFormat::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(ImageFormat::Png);
    }
    if starts(b"RIFF") && bytes.len() >= 12 && &bytes[8..12] == b"WEBP" {
        return Ok(ImageFormat::WebP);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        let format = match brand {
            b"avif" | b"avis" => "AVIF",
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => "HEIC",
            _ => return Err(PhotoError::NotAnImage { looks_like: Some("a video or HEIF container") }),
        };
        return Err(PhotoError::UnsupportedFormat { format });
    }
    let unsupported = |format| Err(PhotoError::UnsupportedFormat { format });
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return unsupported("GIF");
    }
    if starts(b"BM") && bytes.len() > 26 {
        return unsupported("BMP");
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return unsupported("TIFF");
    }
    let not_image = |kind| Err(PhotoError::NotAnImage { looks_like: Some(kind) });
    if starts(b"%PDF") {
        return not_image("a PDF document");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if head.contains("<svg") {
        return unsupported("SVG");
    }
    if head.trim_start().starts_with('<') {
        return not_image("a web page");
    }
    if bytes.len() >= 4
        && bytes[..bytes.len().min(512)]
            .iter()
            .all(|&b| b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7F).contains(&b))
    {
        return not_image("a text file");
    }
    Err(PhotoError::NotAnImage { looks_like: None })
}

fn reader_limits(limits: &DecodeLimits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_alloc = Some(limits.max_alloc_bytes);
    l
}

fn check_size(width: u32, height: u32, limits: &DecodeLimits) -> Result<(), PhotoError> {
    if width as u64 * height as u64 > limits.max_pixels {
        return Err(PhotoError::TooManyPixels { width, height, limit: limits.max_pixels });
    }
    if width < limits.min_side || height < limits.min_side {
        return Err(PhotoError::TooSmall { width, height, min_side: limits.min_side });
    }
    Ok(())
}

fn damaged(format: ImageFormat, e: impl fmt::Display) -> PhotoError {
    PhotoError::Damaged { format: format_name(format), detail: e.to_string() }
}

fn open<'a>(bytes: &'a [u8], limits: &DecodeLimits) -> Result<(impl ImageDecoder + 'a, ImageFormat), PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > limits.max_file_bytes {
        return Err(PhotoError::FileTooLarge { bytes: bytes.len(), limit: limits.max_file_bytes });
    }
    let format = sniff(bytes)?;
    // Refuse a decompression bomb from its first bytes, before any decoder allocates.
    if let Some((w, h)) = png_header_size(bytes).filter(|_| format == ImageFormat::Png) {
        if w as u64 * h as u64 > limits.max_pixels {
            return Err(PhotoError::TooManyPixels { width: w, height: h, limit: limits.max_pixels });
        }
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(reader_limits(limits));
    let decoder = reader.into_decoder().map_err(|e| damaged(format, e))?;
    Ok((decoder, format))
}

/// Width and height from a PNG's IHDR chunk (always the first chunk).
fn png_header_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some((be(16), be(20)))
}

fn upright_size(width: u32, height: u32, orientation: image::metadata::Orientation) -> (u32, u32) {
    use image::metadata::Orientation::*;
    match orientation {
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

/// Read the header only: format and upright size, checked against the limits.
pub fn probe_photo(bytes: &[u8], limits: &DecodeLimits) -> Result<PhotoInfo, PhotoError> {
    let (mut decoder, format) = open(bytes, limits)?;
    let (w, h) = decoder.dimensions();
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let (width, height) = upright_size(w, h, orientation);
    check_size(width, height, limits)?;
    Ok(PhotoInfo { width, height, format: format_name(format) })
}

/// Decode a JPEG, PNG or WebP photo to upright RGBA8 (EXIF orientation applied; 16-bit,
/// grey and CMYK converted). The size is checked against `limits` before pixels are allocated.
pub fn decode_photo(bytes: &[u8], limits: &DecodeLimits) -> Result<RgbaImage, PhotoError> {
    let (mut decoder, format) = open(bytes, limits)?;
    let (w, h) = decoder.dimensions();
    // A broken EXIF block must not make a good photo unusable: fall back to "as stored".
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let (width, height) = upright_size(w, h, orientation);
    check_size(width, height, limits)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| damaged(format, e))?;
    img.apply_orientation(orientation);
    let rgba = match img {
        DynamicImage::ImageRgba8(buf) => buf,
        other => other.to_rgba8(),
    };
    let (width, height) = rgba.dimensions();
    let mut data = rgba.into_raw();
    // Photos are shown opaque: flatten any transparency onto white, so alpha never leaks into
    // compositing or comparisons.
    for px in data.chunks_exact_mut(4) {
        let a = px[3] as u32;
        if a != 255 {
            for c in &mut px[..3] {
                *c = ((*c as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
            }
            px[3] = 255;
        }
    }
    Ok(RgbaImage { width, height, data })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::codecs::jpeg::JpegEncoder;
    use image::codecs::png::PngEncoder;
    use image::ImageEncoder;

    /// A 48x80 test photo: red top quarter, blue elsewhere (so rotations are visible).
    pub(crate) fn marker_rgb(width: u32, height: u32) -> Vec<u8> {
        let mut v = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            for _x in 0..width {
                if y < height / 4 {
                    v.extend_from_slice(&[220, 30, 30]);
                } else {
                    v.extend_from_slice(&[30, 30, 220]);
                }
            }
        }
        v
    }

    pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 95)
            .write_image(&marker_rgb(width, height), width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    /// Insert an EXIF APP1 segment with the given orientation right after SOI.
    pub(crate) fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // big-endian TIFF, IFD at 8
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
        tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
        tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
        tiff.extend_from_slice(&1u32.to_be_bytes()); // count
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn is_red(p: [u8; 4]) -> bool {
        p[0] > 150 && p[2] < 100
    }

    #[test]
    fn decodes_jpeg_and_png() {
        let img = decode_photo(&jpeg(80, 96), &DecodeLimits::default()).unwrap();
        assert_eq!((img.width, img.height), (80, 96));
        assert!(is_red(img.pixel(40, 2)));
        assert!(!is_red(img.pixel(40, 90)));

        let mut png = Vec::new();
        let rgba: Vec<u8> = (0..70 * 70).flat_map(|i| [i as u8, 10, 20, 128]).collect();
        PngEncoder::new(&mut png).write_image(&rgba, 70, 70, image::ExtendedColorType::Rgba8).unwrap();
        let img = decode_photo(&png, &DecodeLimits::default()).unwrap();
        assert_eq!((img.width, img.height), (70, 70));
        assert_eq!(img.pixel(0, 0)[3], 255, "alpha is flattened");
    }

    #[test]
    fn exif_orientation_6_comes_out_upright() {
        // Stored landscape 96x64 with the red band at the top of the stored pixels. Orientation 6
        // means "rotate 90° clockwise to display": the upright photo is 64x96, red band on the right.
        let bytes = with_exif_orientation(&jpeg(96, 64), 6);
        let info = probe_photo(&bytes, &DecodeLimits::default()).unwrap();
        assert_eq!((info.width, info.height), (64, 96));
        let img = decode_photo(&bytes, &DecodeLimits::default()).unwrap();
        assert_eq!((img.width, img.height), (64, 96));
        assert!(is_red(img.pixel(60, 48)), "red band moved to the right edge");
        assert!(!is_red(img.pixel(2, 48)));
    }

    #[test]
    fn every_orientation_gives_the_right_size() {
        for o in 1..=8u16 {
            let img = decode_photo(&with_exif_orientation(&jpeg(96, 64), o), &DecodeLimits::default()).unwrap();
            let expect = if o >= 5 { (64, 96) } else { (96, 64) };
            assert_eq!((img.width, img.height), expect, "orientation {o}");
        }
    }

    #[test]
    fn bad_files_get_specific_messages() {
        let l = DecodeLimits::default();
        assert_eq!(decode_photo(&[], &l), Err(PhotoError::Empty));
        let text = b"hello, this is not a photo\n".repeat(10);
        let e = decode_photo(&text, &l).unwrap_err();
        assert!(e.to_string().contains("not a photo"), "{e}");
        assert!(e.to_string().contains("text file"), "{e}");
        let e = decode_photo(b"%PDF-1.4 ...", &l).unwrap_err();
        assert!(e.to_string().contains("PDF"), "{e}");
        let heic = [&[0, 0, 0, 24][..], b"ftypheic", &[0; 12]].concat();
        let e = decode_photo(&heic, &l).unwrap_err();
        assert!(e.to_string().contains("HEIC") && e.to_string().contains("JPEG"), "{e}");
        let random: Vec<u8> = (0..4096u32).map(|i| (crate::rng::mix64(i as u64) & 0xFF) as u8).collect();
        assert!(matches!(decode_photo(&random, &l), Err(PhotoError::NotAnImage { .. })));
    }

    #[test]
    fn truncated_and_oversized_files_are_refused_without_panicking() {
        let l = DecodeLimits::default();
        let good = jpeg(200, 200);
        for cut in [3, 20, 100, good.len() / 2] {
            // Either a damaged-file error or a (partially grey) decode: never a panic.
            if let Err(e) = decode_photo(&good[..cut], &l) {
                assert!(matches!(e, PhotoError::Damaged { .. }), "{e:?}");
            }
        }
        let small = DecodeLimits { max_pixels: 100 * 100, ..l };
        let e = decode_photo(&good, &small).unwrap_err();
        assert!(matches!(e, PhotoError::TooManyPixels { width: 200, height: 200, .. }), "{e:?}");
        assert!(e.to_string().contains("megapixels"));
        let e = decode_photo(&jpeg(20, 20), &l).unwrap_err();
        assert!(matches!(e, PhotoError::TooSmall { .. }));
        let tiny = DecodeLimits { max_file_bytes: 10, ..l };
        assert!(matches!(decode_photo(&good, &tiny), Err(PhotoError::FileTooLarge { .. })));
    }

    #[test]
    fn decompression_bomb_is_refused_from_the_header() {
        // A valid PNG header declaring 50000 x 50000 followed by almost nothing.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&50_000u32.to_be_bytes());
        ihdr.extend_from_slice(&50_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        // A tiny (empty) zlib stream as IDAT, then IEND: a real bomb's shape.
        for (kind, data) in
            [(&b"IDAT"[..], &[0x78u8, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0, 0, 0, 1][..]), (b"IEND", &[])]
        {
            let chunk = [kind, data].concat();
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(&chunk);
            png.extend_from_slice(&crc32(&chunk).to_be_bytes());
        }
        let e = decode_photo(&png, &DecodeLimits::default()).unwrap_err();
        assert!(matches!(e, PhotoError::TooManyPixels { width: 50_000, height: 50_000, .. }), "{e:?}");
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
