//! The box labeller's picture in kitty's graphics protocol, written straight to the
//! terminal beside ratatui's frame: the picture is sent as RGB and placed over the cells it
//! covers, which the frame leaves blank; after an edit only the rectangle of pixels that
//! changed is sent, as an edit of the image's frame (the protocol's `a=f`). Each zoom level
//! keeps its own image in the terminal, so zooming back out shows the one kept and patches
//! it. Going through
//! ratatui's buffer (ratatui-image) cost 0.24 s a key on a 1920×1080 photo at 200×60: the
//! whole picture went again each key, megabytes that the buffer measures cell by cell.

use std::io::{self, Write};

use base64::Engine;
use image::RgbImage;
use ratatui::layout::Rect;

/// The image id of zoom level 0 (×1); level n is `ID + n`.
const ID: u32 = 4_471;
/// Base64 characters per escape sequence, as the protocol asks.
const CHUNK: usize = 4096;

/// The escape sequences that show `img` with its top-left corner at cell `at` (0-based),
/// over `cols × rows` cells, replacing what was shown before.
pub fn place(img: &RgbImage, id: u32, at: (u16, u16), cols: u16, rows: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(img.as_raw().len() * 4 / 3 + 1024);
    out.extend_from_slice(delete(id).as_slice());
    // Move the cursor there; C=1 keeps it from moving after the picture.
    let _ = write!(out, "\x1b[{};{}H", at.1 + 1, at.0 + 1);
    let data = base64::engine::general_purpose::STANDARD.encode(img.as_raw());
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(CHUNK).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        if i == 0 {
            let _ = write!(
                out,
                "\x1b_Ga=T,f=24,s={},v={},i={id},c={cols},r={rows},C=1,q=2,m={more};",
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
pub fn patch(img: &RgbImage, id: u32, (x, y, w, h): (u32, u32, u32, u32)) -> Vec<u8> {
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
            let _ = write!(out, "\x1b_Ga=f,r=1,i={id},f=24,x={x},y={y},s={w},v={h},q=2,m={more};");
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

/// The escape sequence that takes image `id` away, its pixels too.
pub fn delete(id: u32) -> Vec<u8> {
    format!("\x1b_Ga=d,d=I,i={id},q=2\x1b\\").into_bytes()
}

/// The escape sequence that takes image `id` off the screen, keeping its pixels.
pub fn hide(id: u32) -> Vec<u8> {
    format!("\x1b_Ga=d,d=i,i={id},q=2\x1b\\").into_bytes()
}

/// The escape sequences that show the kept image `id` again at cell `at`.
pub fn show(id: u32, at: (u16, u16), cols: u16, rows: u16) -> Vec<u8> {
    format!("\x1b[{};{}H\x1b_Ga=p,i={id},c={cols},r={rows},C=1,q=2\x1b\\", at.1 + 1, at.0 + 1).into_bytes()
}

/// What is on the screen, so that a frame sends the picture only when it changed, and
/// then only what changed.
#[derive(Debug, Default)]
pub struct Shown {
    /// The image shown: its id, generation and place.
    on: Option<(u32, u64, Rect)>,
    /// Each image the terminal keeps, by id, with its pixels as sent.
    kept: std::collections::BTreeMap<u32, RgbImage>,
}

impl Shown {
    /// Sends what the screen needs: the picture of `generation` for zoom `level` over
    /// `area`, or nothing.
    pub fn sync(&mut self, out: &mut impl Write, want: Option<(u32, u64, &RgbImage, Rect)>) -> io::Result<()> {
        let Some((level, generation, img, area)) = want else {
            if self.on.take().is_some() || !self.kept.is_empty() {
                for id in std::mem::take(&mut self.kept).into_keys() {
                    out.write_all(&delete(id))?;
                }
                out.flush()?;
            }
            return Ok(());
        };
        let id = ID + level;
        if self.on == Some((id, generation, area)) {
            return Ok(());
        }
        let (at, cols, rows) = ((area.x, area.y), area.width, area.height);
        let moved = self.on.is_none_or(|(on, _, place)| (on, place) != (id, area));
        if let Some((on, _, _)) = self.on.filter(|_| moved) {
            out.write_all(&hide(on))?;
        }
        match self.kept.get(&id).filter(|kept| kept.dimensions() == img.dimensions()) {
            Some(kept) => {
                if moved {
                    out.write_all(&show(id, at, cols, rows))?;
                }
                if let Some(rect) = changed(kept, img) {
                    // A patch bigger than half the picture costs about what the whole does.
                    if u64::from(rect.2) * u64::from(rect.3) * 2 > u64::from(img.width()) * u64::from(img.height()) {
                        out.write_all(&place(img, id, at, cols, rows))?;
                    } else {
                        out.write_all(&patch(img, id, rect))?;
                    }
                }
            }
            None => out.write_all(&place(img, id, at, cols, rows))?,
        }
        self.kept.insert(id, img.clone());
        self.on = Some((id, generation, area));
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_is_sent_in_chunks_placed_at_its_cell_and_then_only_its_changes() {
        let img = RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let bytes = place(&img, ID, (3, 2), 10, 4);
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
        shown.sync(&mut out, Some((0, 1, &img, area))).unwrap();
        assert_eq!(out, place(&img, ID, (3, 2), 10, 4));
        out.clear();
        shown.sync(&mut out, Some((0, 1, &img, area))).unwrap();
        assert!(out.is_empty(), "the same picture in the same place is not sent again");
        // A new picture that differs in a few pixels: only their rectangle goes.
        let mut edited = img.clone();
        edited.put_pixel(10, 5, image::Rgb([255, 0, 0]));
        edited.put_pixel(12, 9, image::Rgb([255, 0, 0]));
        assert_eq!(changed(&img, &edited), Some((10, 5, 3, 5)));
        shown.sync(&mut out, Some((0, 2, &edited, area))).unwrap();
        assert_eq!(out, patch(&edited, ID, (10, 5, 3, 5)));
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("\x1b_Ga=f,r=1,i=4471,f=24,x=10,y=5,s=3,v=5,q=2,m=0;"), "{text}");
        let payload = text.split_once(';').unwrap().1.trim_end_matches("\x1b\\");
        let pixels = base64::engine::general_purpose::STANDARD.decode(payload).unwrap();
        assert_eq!(pixels.len(), 3 * 5 * 3);
        assert_eq!(&pixels[..3], &[255, 0, 0], "the rectangle's first pixel is the first changed one");
        out.clear();

        // Zoomed (level 1): a picture of its own; back at level 0 the kept one is shown again
        // and patched, not sent whole.
        let zoomed = RgbImage::from_pixel(32, 24, image::Rgb([9, 9, 9]));
        shown.sync(&mut out, Some((1, 3, &zoomed, area))).unwrap();
        let mut expected = hide(ID);
        expected.extend(place(&zoomed, ID + 1, (3, 2), 10, 4));
        assert_eq!(out, expected);
        out.clear();
        let mut back = edited.clone();
        back.put_pixel(0, 0, image::Rgb([0, 255, 0]));
        shown.sync(&mut out, Some((0, 4, &back, area))).unwrap();
        let mut expected = hide(ID + 1);
        expected.extend(show(ID, (3, 2), 10, 4));
        expected.extend(patch(&back, ID, (0, 0, 1, 1)));
        assert_eq!(out, expected);
        out.clear();
        // Leaving the pane takes every kept image away.
        shown.sync(&mut out, None).unwrap();
        let mut expected = delete(ID);
        expected.extend(delete(ID + 1));
        assert_eq!(out, expected);
    }
}
