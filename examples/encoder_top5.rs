//! ImageNet top-5 of each image by an image encoder's classifier (bench/encoders.sh compares
//! them with timm's): `encoder_top5 SNAPSHOT_DIR IMAGE...` prints `file i1 i2 i3 i4 i5`.

use kindling::encoders::{self, Network};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((dir, images)) = args.split_first() else {
        eprintln!("usage: encoder_top5 SNAPSHOT_DIR IMAGE...");
        std::process::exit(2);
    };
    let run = || -> kindling::Result<()> {
        let network = encoders::load(std::path::Path::new(dir))?;
        let Network::Image(encoder) = network.as_ref() else {
            return Err(kindling::Error::user(format!("{dir} is not an image encoder")));
        };
        for path in images {
            let img = kindling::features::image::open(std::path::Path::new(path))?.to_rgb8();
            let logits =
                encoder.logits(&[img]).ok_or_else(|| kindling::Error::user("the snapshot has no classifier"))?;
            let mut order: Vec<usize> = (0..logits[0].len()).collect();
            order.sort_by(|&a, &b| logits[0][b].total_cmp(&logits[0][a]));
            let top: Vec<String> = order[..5].iter().map(|i| i.to_string()).collect();
            println!("{path} {}", top.join(" "));
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("encoder_top5: {e}");
        std::process::exit(e.exit_code());
    }
}
