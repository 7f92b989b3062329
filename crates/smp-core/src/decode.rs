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
            PhotoError::UnsupportedFormat { format } if *format == "HEIC" => write!(
                f,
                "This is a HEIC photo (the iPhone's usual format), which can't be opened here. Please use a JPEG: \
                 on an iPhone, choose Settings > Camera > Formats > Most Compatible and take the photo again, or \
                 share the photo and save it as JPEG, then try again."
            ),
            PhotoError::UnsupportedFormat { format } if *format == "AVIF" => write!(
                f,
                "This is an AVIF photo, which can't be opened here. Please use a JPEG: in the phone's camera \
                 settings turn off high-efficiency (HEIF/AVIF) pictures and take the photo again, or share the \
                 photo and save it as JPEG, then try again."
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
            b"isom" | b"iso2" | b"mp41" | b"mp42" | b"avc1" | b"M4V " | b"qt  " | b"3gp4" | b"3gp5" | b"3g2a" => {
                return Err(PhotoError::NotAnImage { looks_like: Some("a video") })
            }
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
    if starts(b"PK\x03\x04") {
        return not_image("a ZIP archive");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
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

fn check_size(width: u32, height: u32, format: ImageFormat, limits: &DecodeLimits) -> Result<(), PhotoError> {
    if width == 0 || height == 0 {
        return Err(damaged(format, format!("the header declares {width} x {height} pixels")));
    }
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
    let declared = match format {
        ImageFormat::Png => png_header_size(bytes),
        ImageFormat::WebP => webp_header_size(bytes),
        _ => None,
    };
    if let Some((w, h)) = declared {
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

/// Width and height declared by a WebP's first chunk (VP8X canvas, VP8L or VP8 frame header).
/// Read here because the decoder reports a 16384-pixel side as 0.
fn webp_header_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let chunk = bytes.get(12..16)?;
    let le24 = |i: usize| -> Option<u32> {
        let b = bytes.get(i..i + 3)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], 0]))
    };
    match chunk {
        b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
        b"VP8L" if bytes.get(20) == Some(&0x2F) => {
            let b = bytes.get(21..25)?;
            let bits = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8 " if bytes.get(23..26) == Some(&[0x9D, 0x01, 0x2A][..]) => {
            let b = bytes.get(26..30)?;
            Some((u16::from_le_bytes([b[0], b[1]]) as u32 & 0x3FFF, u16::from_le_bytes([b[2], b[3]]) as u32 & 0x3FFF))
        }
        _ => None,
    }
}

/// Whether a JPEG's segments and scans run through to its end-of-image marker. A decoder fills
/// the missing part of a cut-off JPEG with grey; this tells such a file from a whole one. Data
/// after the end marker (a phone's motion-photo video, say) is ignored.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // after SOI
    loop {
        // Find the next marker (tolerating stray bytes and 0xFF fill between segments).
        match bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == 0xFF)) {
            Some(skip) => i += skip,
            None => return false,
        }
        while bytes.get(i) == Some(&0xFF) {
            i += 1;
        }
        let Some(&marker) = bytes.get(i) else { return false };
        i += 1;
        match marker {
            0xD9 => return true,
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        let Some(len) = bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]) as usize) else {
            return false;
        };
        if len < 2 || i + len > bytes.len() {
            return false;
        }
        i += len;
        if marker == 0xDA {
            // Entropy-coded data: 0xFF is followed by 0x00 (a stuffed byte), a restart marker or
            // fill; anything else is the next marker.
            loop {
                match bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == 0xFF)) {
                    Some(skip) => i += skip,
                    None => return false,
                }
                match bytes.get(i + 1) {
                    None => return false,
                    Some(0x00 | 0xD0..=0xD7 | 0xFF) => i += 1,
                    Some(_) => break,
                }
            }
        }
    }
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
    check_size(width, height, format, limits)?;
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
    check_size(width, height, format, limits)?;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(damaged(format, "the file ends before its end-of-image marker"));
    }
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

    #[test]
    fn cut_off_jpegs_are_refused_and_whole_ones_with_trailing_data_load() {
        let l = DecodeLimits::default();
        let good = jpeg(200, 200);
        assert!(jpeg_is_complete(&good));
        // Cut anywhere after the header (inside the scan, or just the end marker missing): the
        // decoder would fill the rest with grey; the file is refused as damaged instead.
        for cut in [good.len() / 2, good.len() * 9 / 10, good.len() - 2, good.len() - 1] {
            let e = decode_photo(&good[..cut], &l).unwrap_err();
            assert!(matches!(e, PhotoError::Damaged { format: "JPEG", .. }), "cut at {cut}: {e:?}");
            assert!(e.to_string().contains("damaged or incomplete"), "{e}");
        }
        // A whole JPEG followed by other data (a phone's motion photo appends a video) is fine,
        // and an EXIF block whose bytes contain 0xFF 0xD9 does not end the file early.
        let mut motion = good.clone();
        motion.extend_from_slice(b"\0\0\0\x18ftypmp42 video data \xFF\xD8\xFF");
        assert_eq!(decode_photo(&motion, &l).unwrap().width, 200);
        let with_thumbnail_bytes =
            with_app1(&good, &[b"Exif\0\0".as_slice(), &[0xFF, 0xD9, 0xFF, 0xD8, 0xFF, 0xD9]].concat());
        assert!(jpeg_is_complete(&with_thumbnail_bytes));
        assert!(!jpeg_is_complete(&with_thumbnail_bytes[..with_thumbnail_bytes.len() - 100]));
    }

    #[test]
    fn the_scan_walk_follows_several_scans_stuffed_bytes_and_restarts() {
        // A progressive JPEG has several scans (the image crate cannot write one; the e2e corpus
        // has real ones). A synthetic stream: SOI, SOS + data with a stuffed 0xFF00, SOS + data
        // with a restart marker, EOI.
        let scan = |data: &[u8]| [&[0xFF, 0xDA, 0x00, 0x03, 0x01][..], data].concat();
        let stream =
            [&[0xFF, 0xD8][..], &scan(&[1, 2, 0xFF, 0x00, 3]), &scan(&[4, 0xFF, 0xD0, 5]), &[0xFF, 0xD9]].concat();
        assert!(jpeg_is_complete(&stream));
        assert!(!jpeg_is_complete(&stream[..stream.len() - 2]));
        assert!(!jpeg_is_complete(&stream[..9]));
        assert!(!jpeg_is_complete(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01]), "a segment length below 2");
    }

    #[test]
    fn webp_bombs_are_refused_from_the_header() {
        let l = DecodeLimits::default();
        // Lossless (VP8L) declaring 16384 x 16384: the decoder itself would report 0 x 0.
        let mut vp8l = b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f".to_vec();
        let bits: u32 = (16383 << 14) | 16383;
        vp8l.extend_from_slice(&bits.to_le_bytes());
        vp8l.extend_from_slice(&[0; 8]);
        let e = decode_photo(&vp8l, &l).unwrap_err();
        assert!(matches!(e, PhotoError::TooManyPixels { width: 16384, height: 16384, .. }), "{e:?}");
        // Lossy (VP8) and extended (VP8X) headers.
        let mut vp8 = b"RIFF\x20\0\0\0WEBPVP8 \x14\0\0\0\0\0\0\x9d\x01\x2a".to_vec();
        vp8.extend_from_slice(&12_000u16.to_le_bytes());
        vp8.extend_from_slice(&9_000u16.to_le_bytes());
        vp8.extend_from_slice(&[0; 8]);
        let e = decode_photo(&vp8, &l).unwrap_err();
        assert!(matches!(e, PhotoError::TooManyPixels { width: 12_000, height: 9_000, .. }), "{e:?}");
        let mut vp8x = b"RIFF\x1e\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        vp8x.extend_from_slice(&[0x3F, 0x9C, 0x00, 0x3F, 0x9C, 0x00]); // 40000 x 40000
        let e = decode_photo(&vp8x, &l).unwrap_err();
        assert!(matches!(e, PhotoError::TooManyPixels { width: 40_000, height: 40_000, .. }), "{e:?}");
    }

    #[test]
    fn phone_formats_and_other_non_photos_say_what_they_are() {
        let l = DecodeLimits::default();
        let heic = [&[0, 0, 0, 24][..], b"ftypheic", &[0; 12]].concat();
        let e = decode_photo(&heic, &l).unwrap_err().to_string();
        assert!(e.contains("HEIC") && e.contains("iPhone") && e.contains("Most Compatible"), "{e}");
        let avif = [&[0, 0, 0, 24][..], b"ftypavif", &[0; 12]].concat();
        let e = decode_photo(&avif, &l).unwrap_err().to_string();
        assert!(e.starts_with("This is an AVIF photo") && e.contains("save it as JPEG"), "{e}");
        let mp4 = [&[0, 0, 0, 24][..], b"ftypisom", &[0; 12]].concat();
        assert_eq!(decode_photo(&mp4, &l), Err(PhotoError::NotAnImage { looks_like: Some("a video") }));
        let zip = [&b"PK\x03\x04"[..], &[0; 40]].concat();
        assert_eq!(decode_photo(&zip, &l), Err(PhotoError::NotAnImage { looks_like: Some("a ZIP archive") }));
        let svg = [&b"<?xml version=\"1.0\"?>\n<!--"[..], &[b' '; 600], b"-->\n<svg width=\"10\"/>"].concat();
        assert_eq!(decode_photo(&svg, &l), Err(PhotoError::UnsupportedFormat { format: "SVG" }));
    }

    #[test]
    fn sixteen_bit_grey_and_alpha_pngs_load_with_their_values() {
        let l = DecodeLimits::default();
        let (w, h) = (80u32, 70u32);
        // 16-bit RGB: 8-bit values v stored as v * 257 come back as v.
        let rgb16: Vec<u8> = (0..w * h)
            .flat_map(|i| [200u16 * 257, 100 * 257, (i % 256) as u16 * 257])
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let mut png = Vec::new();
        PngEncoder::new(&mut png).write_image(&rgb16, w, h, image::ExtendedColorType::Rgb16).unwrap();
        let img = decode_photo(&png, &l).unwrap();
        assert_eq!(&img.pixel(5, 0)[..], &[200, 100, 5, 255]);
        // 16-bit grey.
        let grey16: Vec<u8> = (0..w * h).flat_map(|_| (90u16 * 257).to_be_bytes()).collect();
        let mut png = Vec::new();
        PngEncoder::new(&mut png).write_image(&grey16, w, h, image::ExtendedColorType::L16).unwrap();
        assert_eq!(&decode_photo(&png, &l).unwrap().pixel(3, 3)[..], &[90, 90, 90, 255]);
        // Transparent pixels are shown on white, half-transparent ones blended onto it.
        let rgba: Vec<u8> = (0..w * h).flat_map(|i| if i % 2 == 0 { [0, 0, 0, 0] } else { [0, 0, 0, 128] }).collect();
        let mut png = Vec::new();
        PngEncoder::new(&mut png).write_image(&rgba, w, h, image::ExtendedColorType::Rgba8).unwrap();
        let img = decode_photo(&png, &l).unwrap();
        assert_eq!(&img.pixel(0, 0)[..], &[255, 255, 255, 255]);
        assert_eq!(&img.pixel(1, 0)[..], &[127, 127, 127, 255]);
    }

    #[test]
    fn cmyk_jpeg_loads_with_the_right_colours() {
        // tests/fixtures/cmyk-patches.jpg: written by Pillow from an RGB picture of four patches
        // (red, green, blue, skin; 128 x 96) converted to CMYK, as Photoshop writes them (Adobe
        // marker, inverted CMYK). The image crate cannot write CMYK; Pillow's generator is
        // scripts/hostile-corpus.py.
        let bytes = include_bytes!("../tests/fixtures/cmyk-patches.jpg");
        let img = decode_photo(bytes, &DecodeLimits::default()).unwrap();
        assert_eq!((img.width, img.height), (128, 96));
        for (x, y, want) in
            [(32, 24, [220u8, 40, 40]), (96, 24, [40, 180, 60]), (32, 72, [40, 60, 210]), (96, 72, [205, 160, 135])]
        {
            let got = img.pixel(x, y);
            for c in 0..3 {
                assert!((got[c] as i32 - want[c] as i32).abs() <= 12, "({x}, {y}): {got:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn exif_that_is_huge_or_corrupt_never_stops_a_photo() {
        let l = DecodeLimits::default();
        let good = jpeg(96, 64);
        // ~64 KB of EXIF (an IFD with orientation 6 and a large maker note): still applied.
        let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x02".to_vec();
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        tiff.extend_from_slice(&[0x92, 0x7C, 0, 7, 0, 0, 0xEA, 0x60, 0, 0, 0, 38]);
        tiff.extend_from_slice(&[0; 4]);
        tiff.extend((0..60_000u32).map(|i| (crate::rng::mix64(i as u64) & 0xFF) as u8));
        let huge = with_app1(&good, &[b"Exif\0\0".as_slice(), &tiff].concat());
        let img = decode_photo(&huge, &l).unwrap();
        assert_eq!((img.width, img.height), (64, 96));
        // An IFD claiming 65535 entries, or pointing far outside the block: shown as stored.
        for tiff in
            [&b"MM\0\x2a\0\0\0\x08\xff\xff\x01\x12\x00\x03\xff\xff\xff\xff"[..], b"MM\0\x2a\x7f\xff\xff\xf0", b"II"]
        {
            let bytes = with_app1(&good, &[b"Exif\0\0".as_slice(), tiff].concat());
            let img = decode_photo(&bytes, &l).unwrap();
            assert_eq!((img.width, img.height), (96, 64));
        }
    }

    /// Insert an APP1 segment with the given payload right after SOI.
    fn with_app1(jpeg: &[u8], payload: &[u8]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&jpeg[2..]);
        out
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
