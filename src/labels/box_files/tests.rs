use proptest::prelude::*;

use super::*;

fn classes() -> Vec<String> {
    ["car", "person", "traffic light"].map(String::from).to_vec()
}

fn sample_images() -> Vec<ImageBoxes> {
    vec![
        ImageBoxes {
            id: "street/0001.jpg".into(),
            width: 1920,
            height: 1080,
            boxes: vec![
                ("car".into(), Rect { x: 100.0, y: 200.0, w: 300.0, h: 150.0 }),
                ("traffic light".into(), Rect { x: 1800.5, y: 0.0, w: 119.5, h: 40.25 }),
            ],
        },
        ImageBoxes { id: "empty.png".into(), width: 64, height: 48, boxes: vec![] },
    ]
}

fn sizes(images: &[ImageBoxes]) -> BTreeMap<String, (u32, u32)> {
    images.iter().map(|i| (i.id.clone(), (i.width, i.height))).collect()
}

/// Reads `path` as a project holding `images` would.
fn read_as(
    format: BoxFormat,
    path: &std::path::Path,
    images: &[ImageBoxes],
) -> Result<BTreeMap<String, Vec<(String, Rect)>>> {
    let sizes = sizes(images);
    let ids: BTreeSet<String> = sizes.keys().cloned().collect();
    let size = |id: &str| Ok(sizes[id]);
    read(format, path, &Images { ids: &ids, size: &size, classes: &classes() })
}

fn round_trip(format: BoxFormat, images: &[ImageBoxes]) -> BTreeMap<String, Vec<(String, Rect)>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(if format == BoxFormat::Coco { "boxes.json" } else { "boxes" });
    write(format, images, &classes(), &out).unwrap();
    read_as(format, &out, images).unwrap()
}

fn assert_same(images: &[ImageBoxes], back: &BTreeMap<String, Vec<(String, Rect)>>, tolerance: f64) {
    assert_eq!(back.len(), images.len(), "every image, the empty one too: {back:?}");
    for image in images {
        let got = &back[&image.id];
        assert_eq!(got.len(), image.boxes.len(), "{}", image.id);
        for ((c0, r0), (c1, r1)) in image.boxes.iter().zip(got) {
            assert_eq!(c0, c1);
            for (a, b) in [(r0.x, r1.x), (r0.y, r1.y), (r0.w, r1.w), (r0.h, r1.h)] {
                assert!((a - b).abs() <= tolerance, "{}: {r0:?} came back as {r1:?}", image.id);
            }
        }
    }
}

#[test]
fn coco_and_voc_round_trip_exactly() {
    for format in [BoxFormat::Coco, BoxFormat::Voc] {
        assert_same(&sample_images(), &round_trip(format, &sample_images()), 0.0);
    }
}

#[test]
fn yolo_round_trips_to_within_its_six_decimals() {
    // Six decimals of a 1920-pixel side: within 0.002 pixels.
    assert_same(&sample_images(), &round_trip(BoxFormat::Yolo, &sample_images()), 0.002);
}

#[test]
fn yolo_lines_are_normalised_centres_numbered_by_classes_txt() {
    let dir = tempfile::tempdir().unwrap();
    write(BoxFormat::Yolo, &sample_images(), &classes(), dir.path()).unwrap();
    let line = std::fs::read_to_string(dir.path().join("street/0001.txt")).unwrap();
    assert_eq!(line.lines().next(), Some("0 0.130208 0.254630 0.156250 0.138889"));
    assert_eq!(std::fs::read_to_string(dir.path().join("classes.txt")).unwrap(), "car\nperson\ntraffic light\n");
    assert_eq!(std::fs::read_to_string(dir.path().join("empty.txt")).unwrap(), "", "an image with no objects");
}

#[test]
fn a_voc_file_from_another_tool_is_read_with_its_entities() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("x.xml"),
        "<?xml version=\"1.0\"?>\n<annotation><folder>imgs</folder><filename>empty.png</filename>\
         <object><name>traffic&#32;light</name><pose>Unspecified</pose><bndbox><xmin>1</xmin><ymin>2</ymin>\
         <xmax>11</xmax><ymax>22.5</ymax></bndbox></object></annotation>",
    )
    .unwrap();
    let back = read_as(BoxFormat::Voc, dir.path(), &sample_images()).unwrap();
    assert_eq!(back["empty.png"], [("traffic light".to_string(), Rect { x: 1.0, y: 2.0, w: 10.0, h: 20.5 })]);
}

#[test]
fn bad_box_files_name_the_file_the_line_and_what_to_do() {
    let images = sample_images();
    let dir = tempfile::tempdir().unwrap();
    let yolo = dir.path().join("yolo");
    std::fs::create_dir(&yolo).unwrap();
    std::fs::write(yolo.join("empty.txt"), "0 0.5 0.5 0.1 0.1\n7 0.5 0.5 0.1 0.1\n").unwrap();
    let err = read_as(BoxFormat::Yolo, &yolo, &images).unwrap_err().to_string();
    assert!(err.contains("empty.txt") && err.contains("line 2") && err.contains("class 7"), "{err}");
    std::fs::write(yolo.join("empty.txt"), "0 0.5 0.5 0 0.1\n").unwrap();
    let err = read_as(BoxFormat::Yolo, &yolo, &images).unwrap_err().to_string();
    assert!(err.contains("line 1") && err.contains("wider and taller"), "{err}");
    std::fs::write(yolo.join("empty.txt"), "").unwrap();
    std::fs::write(yolo.join("nowhere.txt"), "").unwrap();
    let err = read_as(BoxFormat::Yolo, &yolo, &images).unwrap_err().to_string();
    assert!(err.contains("nowhere.txt") && err.contains("names no image"), "{err}");

    let coco = dir.path().join("c.json");
    std::fs::write(
        &coco,
        r#"{"images": [{"id": 1, "file_name": "empty.png"}], "categories": [{"id": 3, "name": "bus"}],
        "annotations": [{"id": 9, "image_id": 1, "category_id": 3, "bbox": [0, 0, 5, 5]}]}"#,
    )
    .unwrap();
    let err = read_as(BoxFormat::Coco, &coco, &images).unwrap_err().to_string();
    assert!(err.contains("annotation 9") && err.contains("\"bus\"") && err.contains("classes add"), "{err}");
    std::fs::write(&coco, "{\"images\": [").unwrap();
    let err = read_as(BoxFormat::Coco, &coco, &images).unwrap_err().to_string();
    assert!(err.contains("c.json") && err.contains("is not COCO JSON"), "{err}");

    let voc = dir.path().join("voc");
    std::fs::create_dir(&voc).unwrap();
    std::fs::write(
        voc.join("empty.xml"),
        "<annotation><object><name>car</name><bndbox><xmin>1</xmin></bndbox></object>",
    )
    .unwrap();
    let err = read_as(BoxFormat::Voc, &voc, &images).unwrap_err().to_string();
    assert!(err.contains("empty.xml") && err.contains("object 1") && err.contains("no ymin"), "{err}");
}

proptest! {
    #[test]
    fn any_box_inside_its_image_round_trips_in_every_format(
        width in 1u32..4000, height in 1u32..4000,
        fx in 0.0f64..1.0, fy in 0.0f64..1.0, fw in 0.001f64..1.0, fh in 0.001f64..1.0,
        class in 0usize..3,
    ) {
        let (w, h) = (width as f64, height as f64);
        let rect = Rect { x: fx * w * (1.0 - fw), y: fy * h * (1.0 - fh), w: fw * w, h: fh * h };
        let images = vec![ImageBoxes { id: "a.jpg".into(), width, height, boxes: vec![(classes()[class].clone(), rect)] }];
        for format in [BoxFormat::Yolo, BoxFormat::Coco, BoxFormat::Voc] {
            let tolerance = if format == BoxFormat::Yolo { 1e-6 * w.max(h) } else { 1e-9 * w.max(h) };
            assert_same(&images, &round_trip(format, &images), tolerance);
        }
    }
}

#[test]
fn a_file_names_its_image_by_id_or_by_the_one_id_with_its_stem() {
    let ids: BTreeSet<String> = ["a.jpg", "a.png", "b.x.jpg", "b.y.png", "c/d.png"].map(String::from).into();
    let size = |_: &str| Ok((1, 1));
    let images = Images { ids: &ids, size: &size, classes: &[] };
    assert_eq!(images.sample("a.png"), Some("a.png"));
    assert_eq!(images.sample("a"), None, "two images have that stem");
    assert_eq!(images.sample("b.x.png"), Some("b.x.jpg"), "a COCO file_name with another extension");
    assert_eq!(images.by_stem("b.x"), Some("b.x.jpg"), "a YOLO file b.x.txt: its stem is not cut again");
    assert_eq!(images.by_stem("c/d"), Some("c/d.png"));
    assert_eq!(images.by_stem("b"), None);
}
