//! The canonical JSON form of a bulletin, its SHA-256, the hash chain and the check of a
//! downloaded file (R-PUB-2). The form is described byte by byte in `docs/PUBLICATION.md`:
//!
//! - UTF-8, no byte order mark, no whitespace outside strings, no trailing newline;
//! - objects with their members sorted by key (UTF-16 code units, which for the bulletin's
//!   ASCII keys is plain byte order), every member always present (`null` when empty);
//! - arrays in their meaningful order;
//! - integers only, written in the shortest decimal form (`-` for negatives, no `+`, no
//!   leading zero, no fraction, no exponent), within ±(2⁵³ − 1); a floating-point number
//!   cannot be written;
//! - strings with exactly these escapes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and
//!   `\u00xx` (lower-case hex) for the other characters below U+0020; everything else,
//!   including `/` and all non-ASCII characters, as itself in UTF-8.
//!
//! For documents with integers only this is the JSON Canonicalization Scheme (RFC 8785), so
//! any JCS implementation reproduces the bytes.

use std::fmt;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::check::consistency;
use super::model::{Bulletin, Sha256Hex, UtcSecond};

/// The largest integer written (2⁵³ − 1, exact in every JSON reader).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A value that has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    #[error("{path}: a floating-point number has no canonical form (integers only)")]
    Float { path: String },
    #[error("{path}: integer {value} is outside ±(2^53 - 1)")]
    IntegerRange { path: String, value: String },
    #[error("the value could not be turned into JSON: {0}")]
    Serialise(String),
}

/// The canonical bytes of any JSON value (see the module documentation).
pub fn canonical_json(v: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::new();
    write_value(&mut out, v, &mut String::from("$"))?;
    Ok(out)
}

/// The canonical bytes of a bulletin: what is hashed, stored and served byte for byte.
pub fn canonical_bytes(b: &Bulletin) -> Result<Vec<u8>, CanonicalError> {
    let v = serde_json::to_value(b).map_err(|e| CanonicalError::Serialise(e.to_string()))?;
    canonical_json(&v)
}

/// SHA-256 of `bytes`, as 64 lower-case hexadecimal digits.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in hash {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    s
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn write_value(out: &mut Vec<u8>, v: &Value, path: &mut String) -> Result<(), CanonicalError> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let text = if let Some(i) = n.as_i64() {
                if !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&i) {
                    return Err(CanonicalError::IntegerRange {
                        path: path.clone(),
                        value: i.to_string(),
                    });
                }
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                // Above i64::MAX: always out of range.
                return Err(CanonicalError::IntegerRange {
                    path: path.clone(),
                    value: u.to_string(),
                });
            } else {
                return Err(CanonicalError::Float { path: path.clone() });
            };
            out.extend_from_slice(text.as_bytes());
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                write_value(out, item, path)?;
                path.truncate(len);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (k, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, k);
                out.push(b':');
                let len = path.len();
                path.push('.');
                path.push_str(k);
                write_value(out, item, path)?;
                path.truncate(len);
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut buf = [0u8; 4];
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if u32::from(c) < 0x20 => {
                let n = u32::from(c);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::try_from(n >> 4).unwrap_or(0)]);
                out.push(HEX[usize::try_from(n & 0x0f).unwrap_or(0)]);
            }
            c => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    out.push(b'"');
}

/// Why bytes are not a bulletin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// serde_json's message, with line and column when it has them.
    pub message: String,
}

/// Read a bulletin from its JSON (canonical or not; see [`verify_file`] for the check).
/// Unknown members, a missing member, a wrong type or a fraction are errors.
pub fn parse(bytes: &[u8]) -> Result<Bulletin, ParseError> {
    serde_json::from_slice(bytes).map_err(|e| ParseError {
        message: e.to_string(),
    })
}

/// A bulletin as the store keeps it: its number, the hash recorded at publication and the
/// canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBulletin {
    pub number: u32,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// What is wrong at a bulletin of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The chain has no bulletin with this number where one was expected (deleted, or the
    /// list is out of order); `found` is the number stored in its place.
    Missing { found: u32 },
    /// The bytes do not hash to the recorded hash: the content (or the recorded hash) was
    /// altered.
    HashMismatch { recorded: String, actual: String },
    /// The bytes are not a bulletin.
    Unreadable { message: String },
    /// The bytes are a bulletin but not in canonical form (first differing byte).
    NotCanonical { offset: usize },
    /// The content says another number.
    NumberMismatch { in_content: u32 },
    /// `prev_sha256` is not the previous bulletin's recorded hash.
    BrokenLink {
        expected: Option<String>,
        found: Option<String>,
    },
    /// The content contradicts itself (a total that does not add up, …).
    Inconsistent { message: String },
}

/// The first bad bulletin of a chain and why (R-PUB-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    /// The number of the first bulletin that fails.
    pub number: u32,
    pub problem: ChainProblem,
}

impl ChainError {
    /// The same in Chinese.
    pub fn message_zh(&self) -> String {
        let n = self.number;
        match &self.problem {
            ChainProblem::Missing { found } => {
                format!("缺少第{n}期（该位置为第{found}期）：通报被删除或顺序错乱。")
            }
            ChainProblem::HashMismatch { recorded, actual } => format!(
                "第{n}期的内容与记录的哈希值不符（记录 {recorded}，实际 {actual}）：内容已被改动。"
            ),
            ChainProblem::Unreadable { message } => {
                format!("第{n}期无法读取为通报：{message}")
            }
            ChainProblem::NotCanonical { offset } => {
                format!("第{n}期不是规范格式（第 {offset} 字节起不同）。")
            }
            ChainProblem::NumberMismatch { in_content } => {
                format!("第{n}期的内容写明的期数是 {in_content}。")
            }
            ChainProblem::BrokenLink { expected, found } => format!(
                "第{n}期记载的上一期哈希 {} 与第{}期的哈希 {} 不符：其中一期已被改动或替换。",
                found.as_deref().unwrap_or("null"),
                n.saturating_sub(1),
                expected.as_deref().unwrap_or("null")
            ),
            ChainProblem::Inconsistent { message } => {
                format!("第{n}期的内容自相矛盾：{message}")
            }
        }
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.number;
        match &self.problem {
            ChainProblem::Missing { found } => write!(
                f,
                "bulletin {n} is missing (bulletin {found} is in its place): deleted or out of order"
            ),
            ChainProblem::HashMismatch { recorded, actual } => write!(
                f,
                "bulletin {n} does not match its recorded hash (recorded {recorded}, actual {actual}): its content was altered"
            ),
            ChainProblem::Unreadable { message } => {
                write!(f, "bulletin {n} is not a readable bulletin: {message}")
            }
            ChainProblem::NotCanonical { offset } => write!(
                f,
                "bulletin {n} is not in canonical form (differs from byte {offset})"
            ),
            ChainProblem::NumberMismatch { in_content } => {
                write!(f, "bulletin {n} says it is number {in_content}")
            }
            ChainProblem::BrokenLink { expected, found } => write!(
                f,
                "bulletin {n}'s prev_sha256 {} is not bulletin {}'s hash {}: one of them was altered or replaced",
                found.as_deref().unwrap_or("null"),
                n.saturating_sub(1),
                expected.as_deref().unwrap_or("null")
            ),
            ChainProblem::Inconsistent { message } => {
                write!(f, "bulletin {n} contradicts itself: {message}")
            }
        }
    }
}

impl std::error::Error for ChainError {}

/// The offset of the first byte where `a` and `b` differ (the shorter length when one is a
/// prefix of the other); `None` when equal.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(
        a.iter()
            .zip(b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len())),
    )
}

/// What [`super::build`] needs of an earlier bulletin: read without the rows.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct Header {
    pub number: u32,
    pub year: i32,
    pub month: u32,
    pub published_at: UtcSecond,
    pub prev_sha256: Option<Sha256Hex>,
    pub corrects: Vec<u32>,
    pub lagging: Vec<HeaderLagging>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct HeaderLagging {
    pub code: String,
}

/// Walk the chain in number order: numbers without gaps, each one's bytes hashing to its
/// recorded hash, its content stating its number and linking to the previous recorded hash.
/// `full` also checks canonical form and consistency (a bulletin the builder never made).
fn walk(chain: &[StoredBulletin], full: bool) -> Result<Vec<Header>, ChainError> {
    let mut out: Vec<Header> = Vec::with_capacity(chain.len());
    let mut prev: Option<&str> = None;
    for (i, s) in chain.iter().enumerate() {
        let number = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
        let err = |problem| ChainError { number, problem };
        if s.number != number {
            return Err(err(ChainProblem::Missing { found: s.number }));
        }
        let actual = digest(&s.bytes);
        if actual != s.sha256 {
            return Err(err(ChainProblem::HashMismatch {
                recorded: s.sha256.clone(),
                actual,
            }));
        }
        let unreadable = |message: String| err(ChainProblem::Unreadable { message });
        let (header, bulletin) = if full {
            let b = parse(&s.bytes).map_err(|e| unreadable(e.message))?;
            let again = canonical_bytes(&b).map_err(|e| unreadable(e.to_string()))?;
            if let Some(offset) = first_difference(&s.bytes, &again) {
                return Err(err(ChainProblem::NotCanonical { offset }));
            }
            let header = Header {
                number: b.number,
                year: b.year,
                month: b.month,
                published_at: b.published_at,
                prev_sha256: b.prev_sha256.clone(),
                corrects: b.corrects.clone(),
                lagging: b
                    .lagging
                    .iter()
                    .map(|l| HeaderLagging {
                        code: l.code.clone(),
                    })
                    .collect(),
            };
            (header, Some(b))
        } else {
            let header: Header =
                serde_json::from_slice(&s.bytes).map_err(|e| unreadable(e.to_string()))?;
            (header, None)
        };
        if header.number != number {
            return Err(err(ChainProblem::NumberMismatch {
                in_content: header.number,
            }));
        }
        let found = header.prev_sha256.as_ref().map(Sha256Hex::as_str);
        if found != prev {
            return Err(err(ChainProblem::BrokenLink {
                expected: prev.map(str::to_owned),
                found: found.map(str::to_owned),
            }));
        }
        if let Some(b) = &bulletin
            && let Err(message) = consistency(b)
        {
            return Err(err(ChainProblem::Inconsistent { message }));
        }
        prev = Some(s.sha256.as_str());
        out.push(header);
    }
    Ok(out)
}

/// The chain check of [`super::build`]: numbers, hashes and links (what detects any change
/// to a stored bulletin), reading each bulletin without its rows. The full check, canonical
/// form and consistency included, is [`verify_chain`].
pub(crate) fn check_chain(chain: &[StoredBulletin]) -> Result<Vec<Header>, ChainError> {
    walk(chain, false)
}

/// Verify the chain of published bulletins (R-PUB-2), given in number order as stored:
/// numbers 1, 2, 3, … without gaps; each one's bytes hash to its recorded hash, are a
/// bulletin in canonical form that says its own number and contradicts itself nowhere
/// ([`verify_file`]'s checks); its `prev_sha256` is the previous one's recorded hash (`null`
/// for 第1期). The error names the first bulletin that fails and why.
pub fn verify_chain(chain: &[StoredBulletin]) -> Result<(), ChainError> {
    walk(chain, true).map(|_| ())
}

/// The header of a bulletin file that could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileBulletin {
    pub number: u32,
    pub year: i32,
    pub month: u32,
    pub published_at: String,
    pub prev_sha256: Option<String>,
}

/// A problem with a downloaded bulletin file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Not a bulletin (not UTF-8 JSON, a member missing or unknown, a wrong type, …).
    Unreadable { message: String },
    /// A bulletin, but not byte for byte its canonical form (first differing byte): it is
    /// not the file that was published, even if it means the same.
    NotCanonical { offset: usize },
    /// Its SHA-256 is not the expected one.
    HashMismatch { expected: String },
    /// The expected hash given is not 64 hexadecimal digits.
    BadExpected { given: String },
    /// The content contradicts itself (a total that does not add up, …).
    Inconsistent { message: String },
}

impl FileProblem {
    /// The same in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            FileProblem::Unreadable { message } => format!("文件不是监测通报：{message}"),
            FileProblem::NotCanonical { offset } => {
                format!("文件不是规范格式（第 {offset} 字节起不同），不是发布时的原文件。")
            }
            FileProblem::HashMismatch { expected } => {
                format!("文件的 SHA-256 与公布的 {expected} 不符：文件已被改动。")
            }
            FileProblem::BadExpected { given } => {
                format!("给出的哈希值“{given}”不是 64 位十六进制数。")
            }
            FileProblem::Inconsistent { message } => format!("文件内容自相矛盾：{message}"),
        }
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::Unreadable { message } => write!(f, "not a bulletin: {message}"),
            FileProblem::NotCanonical { offset } => write!(
                f,
                "not in canonical form (differs from byte {offset}): not the file as published"
            ),
            FileProblem::HashMismatch { expected } => write!(
                f,
                "its SHA-256 is not the published {expected}: the file was altered"
            ),
            FileProblem::BadExpected { given } => {
                write!(
                    f,
                    "the expected hash {given:?} is not 64 hexadecimal digits"
                )
            }
            FileProblem::Inconsistent { message } => write!(f, "it contradicts itself: {message}"),
        }
    }
}

/// The verdict on a downloaded bulletin file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// SHA-256 of the bytes as given (what `sha256sum` prints).
    pub sha256: String,
    /// Whether the bytes are a bulletin in canonical form.
    pub canonical: bool,
    /// The bulletin's header, when it could be read.
    pub bulletin: Option<FileBulletin>,
    /// Empty: the file is a genuine bulletin (and has the expected hash, when one was given).
    pub problems: Vec<FileProblem>,
}

impl FileReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Check a downloaded bulletin file (R-PUB-2; the CLI's `bulletin verify-file FILE`): read it,
/// write it again canonically and compare byte for byte, check that it contradicts itself
/// nowhere (totals add up from the rows, rates and shares are rounded as documented, …), and,
/// when `expected` is given (the hash listed on the public page or in the API, any case),
/// that its SHA-256 is that hash. Without `expected` a change that keeps the file canonical
/// and consistent (a renamed society, say) cannot be seen: compare the hash with the list.
pub fn verify_file(bytes: &[u8], expected: Option<&str>) -> FileReport {
    let sha256 = digest(bytes);
    let mut problems = Vec::new();
    let mut canonical = false;
    let mut header = None;
    match parse(bytes) {
        Err(e) => problems.push(FileProblem::Unreadable { message: e.message }),
        Ok(b) => {
            header = Some(FileBulletin {
                number: b.number,
                year: b.year,
                month: b.month,
                published_at: b.published_at.to_string(),
                prev_sha256: b.prev_sha256.as_ref().map(|h| h.as_str().to_owned()),
            });
            match canonical_bytes(&b) {
                Err(e) => problems.push(FileProblem::Unreadable {
                    message: e.to_string(),
                }),
                Ok(again) => match first_difference(bytes, &again) {
                    None => canonical = true,
                    Some(offset) => problems.push(FileProblem::NotCanonical { offset }),
                },
            }
            if let Err(message) = consistency(&b) {
                problems.push(FileProblem::Inconsistent { message });
            }
        }
    }
    if let Some(given) = expected {
        let want = given.trim().to_ascii_lowercase();
        match Sha256Hex::parse(&want) {
            None => problems.push(FileProblem::BadExpected {
                given: given.to_owned(),
            }),
            Some(want) if want.as_str() != sha256 => problems.push(FileProblem::HashMismatch {
                expected: want.as_str().to_owned(),
            }),
            Some(_) => {}
        }
    }
    FileReport {
        sha256,
        canonical,
        bulletin: header,
        problems,
    }
}
