//! Small versions of images for grid views, made once and kept under
//! `.kindling/cache/thumbs/`, keyed by the file's id, size and modification time.

use std::path::{Path, PathBuf};

use super::Source;
use super::file_cache::Stamp;
use crate::error::{Error, Result};

/// Longest side of a thumbnail, in pixels.
pub const SIZE: u32 = 96;

/// The thumbnail of image sample `id`, from the cache when it is there and current.
pub fn load(source: &Source, cache_dir: &Path, id: &str) -> Result<image::DynamicImage> {
    let Source::Folder(f) = source else {
        return Err(Error::internal("thumbnails are made of image files"));
    };
    let path = f.root.join(id);
    let meta = std::fs::metadata(&path).map_err(|e| Error::file(&path, e))?;
    let cached = cache_path(cache_dir, id, &Stamp::of(&meta));
    if let Ok(img) = image::open(&cached) {
        return Ok(img);
    }
    let img = image::ImageReader::open(&path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| Error::file(&path, e))?
        .decode()
        .map_err(|e| Error::file(&path, e))?
        .thumbnail(SIZE, SIZE);
    // A cache that cannot be written only costs time.
    if std::fs::create_dir_all(cached.parent().unwrap_or(cache_dir)).is_ok() {
        let _ = img.to_rgb8().save(&cached);
    }
    Ok(img)
}

fn cache_path(cache_dir: &Path, id: &str, stamp: &Stamp) -> PathBuf {
    let key = blake3::hash(format!("{id}\0{stamp:?}\0{SIZE}").as_bytes()).to_hex();
    cache_dir.join("thumbs").join(format!("{}.png", &key[..32]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{SourceConfig, SourceKind};

    #[test]
    fn thumbnails_are_small_and_cached() {
        let dir = tempfile::tempdir().unwrap();
        let images = dir.path().join("images");
        std::fs::create_dir_all(&images).unwrap();
        image::RgbImage::from_pixel(400, 200, image::Rgb([200, 10, 10])).save(images.join("a.png")).unwrap();
        let source = Source::open(dir.path(), &SourceConfig::new(SourceKind::Images, "images"), None).unwrap();
        let cache = dir.path().join("cache");
        let t = load(&source, &cache, "a.png").unwrap();
        assert_eq!((t.width(), t.height()), (SIZE, SIZE / 2));
        let files: Vec<_> = std::fs::read_dir(cache.join("thumbs")).unwrap().collect();
        assert_eq!(files.len(), 1, "one thumbnail cached");
        // The next call reads the cached copy.
        let again = load(&source, &cache, "a.png").unwrap();
        assert_eq!(again.to_rgb8().get_pixel(0, 0), &image::Rgb([200, 10, 10]));
        assert!(load(&source, &cache, "missing.png").is_err());
    }
}
