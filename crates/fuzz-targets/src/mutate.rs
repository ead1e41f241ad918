//! Deterministic mutations for the stable fuzz run: a seeded PRNG (SplitMix64) and the
//! mutations that find parser bugs in practice — bit flips, interesting bytes, truncation,
//! deletion, duplication, splicing with another seed, huge and odd numbers, invalid UTF-8 and
//! deep nesting. Same seed, same inputs: a failure in CI reproduces on any machine.

/// SplitMix64: tiny, fast, good enough to choose mutations.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; 0 when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The largest input a mutation may produce.
pub const MAX_LEN: usize = 1024 * 1024;

const INTERESTING_BYTES: &[u8] = &[
    0x00, 0x01, 0x7F, 0x80, 0xFF, b'"', b'\'', b',', b';', b'\t', b'\n', b'\r', b'{', b'}', b'[',
    b']', b'=', b':', b'\\', b'#', b'-', b'.', b'0', b'9',
];

const INTERESTING_TEXT: &[&str] = &[
    "99999999999999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551616",
    "4294967296",
    "-1",
    "0",
    "1e309",
    "-0.0",
    "NaN",
    "inf",
    "2017-02-30",
    "2017-13-01",
    "0000-00-00",
    "99999-12-31",
    "\"\"\"",
    "'''",
    "\\u0000",
    "\\ud800",
    "null",
    "true",
    "[]",
    "{}",
    "=SUM(A1:A2)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "中国科协",
    "\u{FEFF}",
    "\u{202E}",
];

const INVALID_UTF8: &[&[u8]] = &[
    &[0xC3],
    &[0xE4, 0xB8],
    &[0xFF, 0xFE],
    &[0xED, 0xA0, 0x80],
    &[0xF4, 0x90, 0x80, 0x80],
    &[0xC0, 0xAF],
    &[0x81, 0x30, 0x81],
];

const NESTING: &[&str] = &["[", "{\"a\":", "[[", "a.", "\"", "<a>", "[a]\n"];

/// One mutation of `data`, using `others` (the seed corpus) for splicing.
pub fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, others: &[Vec<u8>]) {
    let len = data.len();
    match rng.below(12) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = *rng.pick(INTERESTING_BYTES);
        }
        2 => data.truncate(rng.below(len + 1)),
        3 if len > 0 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(64)).min(len);
            data.drain(start..end);
        }
        4 if len > 0 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(256)).min(len);
            let copy = data[start..end].to_vec();
            let at = rng.below(len + 1);
            data.splice(at..at, copy);
        }
        5 if !others.is_empty() => {
            let other = rng.pick(others);
            if !other.is_empty() {
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(512)).min(other.len());
                let at = rng.below(len + 1);
                data.splice(at..at, other[start..end].iter().copied());
            }
        }
        6 => {
            let text = rng.pick(INTERESTING_TEXT).as_bytes();
            let at = rng.below(len + 1);
            data.splice(at..at, text.iter().copied());
        }
        7 => {
            // Replace a run of digits with a huge or odd number.
            let digits: Vec<usize> = (0..len).filter(|&i| data[i].is_ascii_digit()).collect();
            if let Some(&start) = digits.get(rng.below(digits.len())) {
                let mut end = start;
                while end < len && data[end].is_ascii_digit() {
                    end += 1;
                }
                let text = rng.pick(&INTERESTING_TEXT[..12]).as_bytes();
                data.splice(start..end, text.iter().copied());
            }
        }
        8 => {
            let bad = rng.pick(INVALID_UTF8);
            let at = rng.below(len + 1);
            data.splice(at..at, bad.iter().copied());
        }
        9 => {
            let unit = rng.pick(NESTING).as_bytes();
            let times = 1 + rng.below(20_000);
            let at = rng.below(len + 1);
            let block: Vec<u8> = unit
                .iter()
                .copied()
                .cycle()
                .take(unit.len() * times)
                .collect();
            data.splice(at..at, block);
        }
        10 if len > 0 => {
            // Repeat a line many times (row and cell limits, long runs).
            let start = rng.below(len);
            let end = (start + 1 + rng.below(128)).min(len);
            let piece = data[start..end].to_vec();
            let times = 1 + rng.below(5_000);
            let at = end;
            let block: Vec<u8> = piece
                .iter()
                .copied()
                .cycle()
                .take(piece.len() * times)
                .collect();
            data.splice(at..at, block);
        }
        11 if len > 1 => {
            // Swap two bytes far apart (breaks structure, keeps the alphabet).
            let i = rng.below(len);
            let j = rng.below(len);
            data.swap(i, j);
        }
        _ => data.push(*rng.pick(INTERESTING_BYTES)),
    }
    data.truncate(MAX_LEN);
}

/// The `n`-th mutated input derived from `seeds` under `seed`: a seed with one to four
/// stacked mutations.
pub fn nth_input(seed: u64, n: u64, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ n.wrapping_mul(0xA24B_AED4_963E_E407));
    let mut data = if seeds.is_empty() {
        Vec::new()
    } else {
        rng.pick(seeds).clone()
    };
    for _ in 0..1 + rng.below(4) {
        mutate_once(&mut rng, &mut data, seeds);
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_inputs_and_inputs_differ() {
        let seeds = vec![
            b"code,name\nA-01,x\n".to_vec(),
            b"{\"members_now\": 1}".to_vec(),
        ];
        let a: Vec<Vec<u8>> = (0..50).map(|n| nth_input(7, n, &seeds)).collect();
        let b: Vec<Vec<u8>> = (0..50).map(|n| nth_input(7, n, &seeds)).collect();
        assert_eq!(a, b);
        let distinct: std::collections::HashSet<&Vec<u8>> = a.iter().collect();
        assert!(distinct.len() > 40, "{} distinct of 50", distinct.len());
        assert!(a.iter().all(|x| x.len() <= MAX_LEN));
        assert!(
            a.iter().any(|x| std::str::from_utf8(x).is_err()),
            "some invalid UTF-8"
        );
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(1);
        assert!((0..1000).all(|_| r.below(7) < 7));
        assert_eq!(r.below(0), 0);
    }
}
