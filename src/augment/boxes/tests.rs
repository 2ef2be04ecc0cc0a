use proptest::prelude::*;

use super::*;
use crate::augment::catalogue::Modality;
use crate::augment::image::{SAME, turn90};
use crate::augment::rng_for;

fn picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| Rgb([(x * 7 % 256) as u8, (y * 11 % 256) as u8, ((x + 3 * y) % 256) as u8]))
}

fn step(name: &str) -> Step {
    let (_, mut s) = crate::augment::Settings::default().step(Modality::Boxes, name).unwrap();
    s.p = 1.0;
    s
}

fn boxes() -> Vec<(String, Rect)> {
    vec![
        ("car".into(), Rect { x: 2.0, y: 3.0, w: 10.0, h: 6.0 }),
        ("person".into(), Rect { x: 20.0, y: 1.5, w: 3.5, h: 12.0 }),
    ]
}

#[test]
fn a_flip_twice_gives_back_the_image_and_its_boxes() {
    let img = picture(32, 16);
    for flip in ["hflip", "vflip"] {
        let once = carry(&img, &boxes(), &[step(flip)], &mut rng_for(0, 0, 0), VISIBLE_FLOOR);
        assert_ne!(once.boxes, boxes(), "{flip} moves them");
        let twice = carry(&once.image, &once.boxes, &[step(flip)], &mut rng_for(0, 0, 0), VISIBLE_FLOOR);
        assert_eq!((twice.image, twice.boxes), (img.clone(), boxes()), "{flip}");
    }
    let mirrored = carry(&img, &boxes(), &[step("hflip")], &mut rng_for(0, 0, 0), VISIBLE_FLOOR);
    assert_eq!(mirrored.boxes[0].1, Rect { x: 20.0, y: 3.0, w: 10.0, h: 6.0 }, "32 − (2 + 10)");
}

#[test]
fn four_quarter_turns_give_back_the_image_and_its_boxes() {
    let img = picture(32, 16);
    let (mut turned, mut rects) = (img.clone(), boxes());
    for k in 0..4 {
        let (next, map) = turn90(&turned);
        rects = rects.into_iter().map(|(c, r)| (c, carry_box(r, map, next.dimensions(), 0.0).unwrap())).collect();
        turned = next;
        if k == 0 {
            assert_eq!(turned.dimensions(), (16, 32));
            assert_eq!(rects[0].1, Rect { x: 7.0, y: 2.0, w: 6.0, h: 10.0 }, "(16 − (3 + 6), 2)");
        }
    }
    assert_eq!((turned, rects), (img, boxes()));
}

#[test]
fn a_box_pushed_out_of_view_is_dropped_below_the_floor_and_a_rotation_says_its_fit_is_loose() {
    let r = Rect { x: 0.0, y: 0.0, w: 10.0, h: 10.0 };
    let left_by_six = [1.0, 0.0, -6.0, 0.0, 1.0, 0.0];
    assert_eq!(carry_box(r, left_by_six, (50, 50), 0.3), Some(Rect { x: 0.0, y: 0.0, w: 4.0, h: 10.0 }));
    assert_eq!(carry_box(r, left_by_six, (50, 50), 0.5), None, "40 % in view, under a floor of 50 %");
    assert_eq!(carry_box(r, SAME, (50, 50), 1.0), Some(r));
    let img = picture(40, 40);
    let mut rotate = step("rotate");
    rotate.params.insert("degrees".into(), 30.0);
    let turned = carry(&img, &boxes(), &[rotate], &mut rng_for(3, 0, 0), 0.0);
    assert!(turned.loose);
    let flipped = carry(&img, &boxes(), &[step("hflip"), step("rot90")], &mut rng_for(3, 0, 0), 0.0);
    assert!(!flipped.loose, "flips and quarter turns fit exactly");
}

#[test]
fn box_jitter_moves_edges_by_at_most_its_share_and_colour_leaves_boxes_be() {
    let img = picture(64, 64);
    let mut jitter = step("box_jitter");
    jitter.params.insert("share".into(), 0.1);
    for seed in 0..50 {
        let out = carry(&img, &boxes(), &[jitter.clone()], &mut rng_for(seed, 0, 0), VISIBLE_FLOOR);
        assert_eq!(out.image, img, "the image stays");
        for ((_, before), (_, after)) in boxes().iter().zip(&out.boxes) {
            assert!((after.x - before.x).abs() <= 0.1 * before.w + 1e-9, "{before:?} → {after:?}");
            assert!(((after.x + after.w) - (before.x + before.w)).abs() <= 0.1 * before.w + 1e-9);
            assert!((after.y - before.y).abs() <= 0.1 * before.h + 1e-9);
        }
    }
    let coloured = carry(&img, &boxes(), &[step("hue_saturation"), step("cutout")], &mut rng_for(1, 0, 0), 0.3);
    assert_eq!(coloured.boxes, boxes());
}

#[test]
fn drawn_boxes_outline_their_edges_only() {
    let img = RgbImage::new(20, 20);
    let red = Rgb([255, 0, 0]);
    let out = draw(&img, &[(Rect { x: 5.0, y: 5.0, w: 10.0, h: 8.0 }, red)], 2);
    assert_eq!(*out.get_pixel(5, 9), red);
    assert_eq!(*out.get_pixel(14, 12), red);
    assert_eq!(*out.get_pixel(9, 9), Rgb([0, 0, 0]), "inside stays");
    assert_eq!(*out.get_pixel(16, 9), Rgb([0, 0, 0]), "outside stays");
}

proptest! {
    #[test]
    fn no_transform_takes_a_box_out_of_the_image(
        w in 8u32..80, h in 8u32..80, seed in 0u64..1000,
        fx in 0.0f64..0.9, fy in 0.0f64..0.9, fw in 0.05f64..1.0, fh in 0.05f64..1.0,
    ) {
        let img = picture(w, h);
        let rect = Rect { x: fx * f64::from(w), y: fy * f64::from(h), w: (fw * f64::from(w) * (1.0 - fx)).max(1.0), h: (fh * f64::from(h) * (1.0 - fy)).max(1.0) };
        let steps: Vec<Step> = Modality::Boxes.transforms().iter().map(|s| step(s.name)).collect();
        let out = carry(&img, &[("car".into(), rect)], &steps, &mut rng_for(seed, 0, 0), VISIBLE_FLOOR);
        let (ow, oh) = out.image.dimensions();
        prop_assert_eq!(out.boxes.len() + out.dropped, 1);
        for (_, r) in &out.boxes {
            prop_assert!(r.x >= 0.0 && r.y >= 0.0 && r.w >= 1.0 && r.h >= 1.0, "{:?}", r);
            prop_assert!(r.x + r.w <= f64::from(ow) + 1e-9 && r.y + r.h <= f64::from(oh) + 1e-9, "{:?} in {}×{}", r, ow, oh);
        }
    }
}

#[test]
fn a_box_follows_what_it_holds_through_every_geometric_transform() {
    let mut img = RgbImage::new(48, 32);
    for y in 12..20 {
        for x in 20..28 {
            img.put_pixel(x, y, Rgb([255, 255, 255]));
        }
    }
    let square = vec![("thing".to_string(), Rect { x: 20.0, y: 12.0, w: 8.0, h: 8.0 })];
    for name in ["hflip", "vflip", "rot90", "rotate", "crop", "translate"] {
        for seed in 0..20 {
            let out = carry(&img, &square, &[step(name)], &mut rng_for(seed, 0, 0), 0.9);
            let Some((_, r)) = out.boxes.first() else { continue };
            let centre = out.image.get_pixel((r.x + r.w / 2.0) as u32, (r.y + r.h / 2.0) as u32);
            assert!(centre.0[0] > 200, "{name} seed {seed}: the box {r:?} no longer holds the square");
        }
    }
}
