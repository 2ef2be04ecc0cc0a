//! The box labeller's picture in kitty's graphics protocol, written straight to the
//! terminal beside ratatui's frame: the picture is sent as RGB and placed over the cells it
//! covers, which the frame leaves blank; after an edit only the rectangle of pixels that
//! changed is sent, as an edit of the image's frame (the protocol's `a=f`). Going through
//! ratatui's buffer (ratatui-image) cost 0.24 s a key on a 1920×1080 photo at 200×60: the
//! whole picture went again each key, megabytes that the buffer measures cell by cell.

use std::io::{self, Write};

use base64::Engine;
use image::RgbImage;
use ratatui::layout::Rect;

/// The one image id the labeller uses: sending it again replaces the picture.
const ID: u32 = 4_471;
/// Base64 characters per escape sequence, as the protocol asks.
const CHUNK: usize = 4096;

/// The escape sequences that show `img` with its top-left corner at cell `at` (0-based),
/// over `cols × rows` cells, replacing what was shown before.
pub fn place(img: &RgbImage, at: (u16, u16), cols: u16, rows: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(img.as_raw().len() * 4 / 3 + 1024);
    out.extend_from_slice(delete().as_slice());
    // Move the cursor there; C=1 keeps it from moving after the picture.
    let _ = write!(out, "\x1b[{};{}H", at.1 + 1, at.0 + 1);
    let data = base64::engine::general_purpose::STANDARD.encode(img.as_raw());
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(CHUNK).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        if i == 0 {
            let _ = write!(
                out,
                "\x1b_Ga=T,f=24,s={},v={},i={ID},c={cols},r={rows},C=1,q=2,m={more};",
                img.width(),
                img.height()
            );
        } else {
            let _ = write!(out, "\x1b_Gm={more};");
        }
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\x1b\\");
    }
    out
}

/// The escape sequences that write `img`'s pixels inside `rect` (x, y, w, h) over the shown
/// picture.
pub fn patch(img: &RgbImage, (x, y, w, h): (u32, u32, u32, u32)) -> Vec<u8> {
    let mut raw = Vec::with_capacity((w * h * 3) as usize);
    for row in y..y + h {
        let start = ((row * img.width() + x) * 3) as usize;
        raw.extend_from_slice(&img.as_raw()[start..start + (w * 3) as usize]);
    }
    let data = base64::engine::general_purpose::STANDARD.encode(&raw);
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(CHUNK).collect();
    let mut out = Vec::with_capacity(data.len() + 64 * chunks.len() + 64);
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        if i == 0 {
            let _ = write!(out, "\x1b_Ga=f,r=1,i={ID},f=24,x={x},y={y},s={w},v={h},q=2,m={more};");
        } else {
            let _ = write!(out, "\x1b_Ga=f,r=1,m={more};");
        }
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\x1b\\");
    }
    out
}

/// The smallest rectangle (x, y, w, h) holding every pixel where `a` and `b` differ.
pub fn changed(a: &RgbImage, b: &RgbImage) -> Option<(u32, u32, u32, u32)> {
    if a.dimensions() != b.dimensions() {
        return Some((0, 0, b.width(), b.height()));
    }
    let (w, h) = a.dimensions();
    let row = (w * 3) as usize;
    let rows: Vec<u32> =
        (0..h).filter(|&y| a.as_raw()[y as usize * row..][..row] != b.as_raw()[y as usize * row..][..row]).collect();
    let (&top, &bottom) = (rows.first()?, rows.last()?);
    let (mut left, mut right) = (w, 0);
    for &y in &rows {
        let (ra, rb) = (&a.as_raw()[y as usize * row..][..row], &b.as_raw()[y as usize * row..][..row]);
        if let Some(first) = ra.chunks(3).zip(rb.chunks(3)).position(|(p, q)| p != q) {
            left = left.min(first as u32);
        }
        if let Some(last) = ra.chunks(3).zip(rb.chunks(3)).rposition(|(p, q)| p != q) {
            right = right.max(last as u32);
        }
    }
    Some((left, top, right + 1 - left, bottom + 1 - top))
}

/// The escape sequence that takes the picture away.
pub fn delete() -> Vec<u8> {
    format!("\x1b_Ga=d,d=I,i={ID},q=2\x1b\\").into_bytes()
}

/// What is on the screen, so that a frame sends the picture only when it changed, and
/// then only what changed.
#[derive(Debug, Default)]
pub struct Shown {
    /// The picture's generation, where it was placed, and its pixels as sent.
    placed: Option<(u64, Rect, RgbImage)>,
}

impl Shown {
    /// Sends what the screen needs: the picture of `generation` over `area`, or nothing.
    pub fn sync(&mut self, out: &mut impl Write, want: Option<(u64, &RgbImage, Rect)>) -> io::Result<()> {
        match (want, &self.placed) {
            (Some((generation, _, area)), Some((g, a, _))) if (generation, area) == (*g, *a) => Ok(()),
            (Some((generation, img, area)), Some((_, a, sent)))
                if area == *a && img.dimensions() == sent.dimensions() =>
            {
                if let Some(rect) = changed(sent, img) {
                    // A patch bigger than half the picture costs about what the whole does.
                    if u64::from(rect.2) * u64::from(rect.3) * 2 > u64::from(img.width()) * u64::from(img.height()) {
                        out.write_all(&place(img, (area.x, area.y), area.width, area.height))?;
                    } else {
                        out.write_all(&patch(img, rect))?;
                    }
                }
                self.placed = Some((generation, area, img.clone()));
                out.flush()
            }
            (Some((generation, img, area)), _) => {
                out.write_all(&place(img, (area.x, area.y), area.width, area.height))?;
                self.placed = Some((generation, area, img.clone()));
                out.flush()
            }
            (None, Some(_)) => {
                out.write_all(&delete())?;
                self.placed = None;
                out.flush()
            }
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_is_sent_in_chunks_placed_at_its_cell_and_sent_again_only_when_it_changed() {
        let img = RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let bytes = place(&img, (3, 2), 10, 4);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(
            "\x1b_Ga=d,d=I,i=4471,q=2\x1b\\\x1b[3;4H\x1b_Ga=T,f=24,s=64,v=48,i=4471,c=10,r=4,C=1,q=2,m=1;"
        ));
        // 64 × 48 × 3 bytes are 12,288 base64 characters: three chunks, the last m=0.
        assert_eq!(text.matches("\x1b_G").count(), 1 + 3);
        assert!(text.contains("\x1b_Gm=0;"));
        let sent: String = text
            .split("\x1b_G")
            .skip(2)
            .map(|c| c.split_once(';').unwrap().1.trim_end_matches("\x1b\\").to_string())
            .collect();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(sent).unwrap(), img.as_raw().clone());

        let mut shown = Shown::default();
        let area = Rect::new(3, 2, 10, 4);
        let mut out = Vec::new();
        shown.sync(&mut out, Some((1, &img, area))).unwrap();
        assert_eq!(out, place(&img, (3, 2), 10, 4));
        out.clear();
        shown.sync(&mut out, Some((1, &img, area))).unwrap();
        assert!(out.is_empty(), "the same picture in the same place is not sent again");
        // A new picture that differs in a few pixels: only their rectangle goes.
        let mut edited = img.clone();
        edited.put_pixel(10, 5, image::Rgb([255, 0, 0]));
        edited.put_pixel(12, 9, image::Rgb([255, 0, 0]));
        assert_eq!(changed(&img, &edited), Some((10, 5, 3, 5)));
        shown.sync(&mut out, Some((2, &edited, area))).unwrap();
        assert_eq!(out, patch(&edited, (10, 5, 3, 5)));
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("\x1b_Ga=f,r=1,i=4471,f=24,x=10,y=5,s=3,v=5,q=2,m=0;"), "{text}");
        let payload = text.split_once(';').unwrap().1.trim_end_matches("\x1b\\");
        let pixels = base64::engine::general_purpose::STANDARD.decode(payload).unwrap();
        assert_eq!(pixels.len(), 3 * 5 * 3);
        assert_eq!(&pixels[..3], &[255, 0, 0], "the rectangle's first pixel is the first changed one");
        out.clear();
        // Moved elsewhere: placed whole again; then taken away.
        shown.sync(&mut out, Some((2, &edited, Rect::new(0, 0, 10, 4)))).unwrap();
        assert_eq!(out, place(&edited, (0, 0), 10, 4));
        out.clear();
        shown.sync(&mut out, None).unwrap();
        assert_eq!(out, delete());
    }
}
