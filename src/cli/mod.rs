//! Command implementations: call the library, print what it returns.

pub mod augment;
pub mod classes;
pub mod demo;
pub mod detector;
pub mod embed;
pub mod encoders;
pub mod evaluate;
pub mod info;
pub mod init;
pub mod labels;
pub mod live;
pub mod output;
pub mod progress;
pub mod qa;
pub mod report;
pub mod runs;
pub mod samples;
pub mod serve;
pub mod sweep;

/// A panic is our bug, not the user's: one line saying so, no backtrace noise.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("kindling: internal error{place}: {what}. This is a bug in Kindling; please report it.");
    }));
}
