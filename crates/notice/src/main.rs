//! `reformwatch-notice NOTICE.json OUT.pdf [--fonts DIR]`: renders a notice given as JSON (the
//! fields of `reformwatch_notice::Notice`; `-` reads standard input) into a PDF, for people
//! checking the layout. Fonts come from `--fonts DIR` (default: Debian's Noto CJK folder).
//! Exit status: 0 done, 2 bad arguments or input, 1 anything else.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use reformwatch_notice::{DEFAULT_FONTS_DIR, Notice, fonts_from_dir, render_pdf};

const USAGE: &str = "usage: reformwatch-notice NOTICE.json|- OUT.pdf [--fonts DIR]";

fn main() -> ExitCode {
    let mut positional = Vec::new();
    let mut fonts = PathBuf::from(DEFAULT_FONTS_DIR);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fonts" => match args.next() {
                Some(dir) => fonts = PathBuf::from(dir),
                None => return usage("--fonts needs a folder"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => positional.push(arg),
        }
    }
    let [input, output] = positional.as_slice() else {
        return usage("give the notice file and the output file");
    };
    let text = if input == "-" {
        let mut text = String::new();
        match std::io::stdin().read_to_string(&mut text) {
            Ok(_) => text,
            Err(err) => return usage(&format!("cannot read standard input: {err}")),
        }
    } else {
        match std::fs::read_to_string(input) {
            Ok(text) => text,
            Err(err) => return usage(&format!("cannot read {input}: {err}")),
        }
    };
    let notice: Notice = match serde_json::from_str(&text) {
        Ok(notice) => notice,
        Err(err) => return usage(&format!("{input}: not a notice: {err}")),
    };
    let result = fonts_from_dir(&fonts).and_then(|fonts| render_pdf(&notice, &fonts));
    match result {
        Ok(pdf) => match std::fs::write(output, &pdf) {
            Ok(()) => {
                eprintln!("wrote {output} ({} bytes)", pdf.len());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("reformwatch-notice: cannot write {output}: {err}");
                ExitCode::FAILURE
            }
        },
        Err(err) => {
            eprintln!("reformwatch-notice: {err}");
            ExitCode::FAILURE
        }
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("reformwatch-notice: {message}\n{USAGE}");
    ExitCode::from(2)
}
