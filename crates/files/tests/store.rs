//! Store tests: fixtures are generated in code (no binary files in the repository).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::stream;
use reformwatch_files::{
    Charset, FileError, Kind, SNIFF_LEN, Store, Stored, content_disposition, sanitize_name,
};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

const MIB: u64 = 1024 * 1024;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = N.fetch_add(1, Ordering::Relaxed);
        TempDir(std::env::temp_dir().join(format!(
            "reformwatch-files-test-{}-{nanos}-{n}",
            std::process::id()
        )))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn store() -> (TempDir, Store) {
    let dir = TempDir::new();
    let store = Store::open(dir.0.join("evidence")).unwrap_or_else(|e| panic!("open: {e}"));
    (dir, store)
}

/// Uploads `data` in chunks of `chunk` bytes.
async fn put(store: &Store, data: &[u8], chunk: usize, max: u64) -> Result<Stored, FileError> {
    let chunks: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    store.put(stream::iter(chunks), max).await
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(files_in(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// (temp files, stored objects)
fn counts(store: &Store) -> (usize, usize) {
    (
        files_in(&store.root().join("tmp")).len(),
        files_in(&store.root().join("objects")).len(),
    )
}

fn sha_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in parts {
        w.start_file(*name, opts)
            .unwrap_or_else(|e| panic!("zip: {e}"));
        w.write_all(body.as_bytes())
            .unwrap_or_else(|e| panic!("zip: {e}"));
    }
    w.finish()
        .unwrap_or_else(|e| panic!("zip: {e}"))
        .into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;

fn docx() -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", "<Relationships/>"),
        ("word/document.xml", "<w:document><w:body/></w:document>"),
    ])
}

fn xlsx() -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", "<Relationships/>"),
        ("xl/workbook.xml", "<workbook><sheets/></workbook>"),
        ("xl/worksheets/sheet1.xml", "<worksheet/>"),
    ])
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
        .to_vec()
}

fn png() -> Vec<u8> {
    let mut v =
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
            .to_vec();
    v.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
    v
}

fn jpeg() -> Vec<u8> {
    let mut v = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    v.extend_from_slice(&[0x80; 64]);
    v.extend_from_slice(b"\xFF\xD9");
    v
}

fn exe() -> Vec<u8> {
    let mut v = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
    v.extend_from_slice(&[0; 48]);
    v.extend_from_slice(b"This program cannot be run in DOS mode.\r\r\n$");
    v.extend_from_slice(&[0; 1000]);
    v
}

fn assert_rejected(result: Result<Stored, FileError>, label: &str) {
    match result {
        Err(FileError::TypeNotAllowed { detected }) => {
            assert_eq!(detected.as_deref(), Some(label));
        }
        other => panic!("expected TypeNotAllowed({label}), got {other:?}"),
    }
}

#[tokio::test]
async fn each_allowed_type_is_accepted() {
    let (_dir, store) = store();
    let gbk = encoding_rs::GBK
        .encode("中国科协学会改革任务进展说明：已完成章程修订。\n")
        .0
        .into_owned();
    let cases: Vec<(&str, Vec<u8>, Kind, Option<Charset>)> = vec![
        ("pdf", pdf(), Kind::Pdf, None),
        ("png", png(), Kind::Png, None),
        ("jpeg", jpeg(), Kind::Jpeg, None),
        ("docx", docx(), Kind::Docx, None),
        ("xlsx", xlsx(), Kind::Xlsx, None),
        (
            "csv",
            "学会,任务,状态\n中国化学会,章程修订,完成\n中国物理学会,换届,进行中\n"
                .as_bytes()
                .to_vec(),
            Kind::Csv,
            Some(Charset::Utf8),
        ),
        (
            "utf-8 text with BOM",
            "\u{FEFF}会议纪要\r\n一、进展情况\r\n".as_bytes().to_vec(),
            Kind::Text,
            Some(Charset::Utf8),
        ),
        ("gbk text", gbk, Kind::Text, Some(Charset::Gb18030)),
    ];
    for (what, data, kind, charset) in cases {
        let stored = put(&store, &data, 7, MIB)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(stored.kind, kind, "{what}");
        assert_eq!(stored.charset, charset, "{what}");
        assert_eq!(stored.size, data.len() as u64, "{what}");
        assert_eq!(stored.sha256, sha_hex(&data), "{what}");
        assert!(stored.newly_stored, "{what}");
        let on_disk = std::fs::read(store.path_of(&stored.sha256).unwrap()).unwrap();
        assert_eq!(on_disk, data, "{what}");
        let mut read_back = Vec::new();
        store
            .open_read(&stored.sha256)
            .await
            .unwrap()
            .read_to_end(&mut read_back)
            .await
            .unwrap();
        assert_eq!(read_back, data, "{what}");
    }
    assert_eq!(counts(&store), (0, 8));
}

#[tokio::test]
async fn content_types_and_charsets() {
    let (_dir, store) = store();
    let gbk_csv = encoding_rs::GBK.encode("学会;得分\n甲;90\n").0.into_owned();
    let s = put(&store, &gbk_csv, 1024, MIB).await.unwrap();
    assert_eq!(s.kind, Kind::Csv);
    assert_eq!(s.content_type(), "text/csv; charset=gb18030");
    assert_eq!(Kind::Csv.mime(), "text/csv; charset=utf-8");
    assert_eq!(Kind::Text.mime(), "text/plain; charset=utf-8");
    assert_eq!(
        Kind::Docx.mime(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert_eq!(
        Kind::Xlsx.mime(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    for k in Kind::ALL {
        assert_eq!(k.as_str().parse::<Kind>().unwrap(), k);
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.as_str())
        );
    }
}

#[tokio::test]
async fn refused_types_leave_nothing_behind() {
    let (_dir, store) = store();
    assert_rejected(put(&store, &exe(), 16, MIB).await, "exe");
    // An HTML page named report.pdf: the name does not matter, the content does.
    let html =
        b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n";
    assert_rejected(put(&store, html, 16, MIB).await, "html");
    assert_rejected(
        put(&store, b"Report\n<script>fetch('/x')</script>\n", 16, MIB).await,
        "html",
    );
    assert_rejected(
        put(
            &store,
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            16,
            MIB,
        )
        .await,
        "svg",
    );
    // A zip that is neither docx nor xlsx.
    let plain_zip = zip_of(&[("readme.txt", "hello"), ("data/x.bin", "\u{1}\u{2}")]);
    assert_rejected(put(&store, &plain_zip, 100, MIB).await, "zip");
    // Office-looking zip without [Content_Types].xml.
    let fake = zip_of(&[("word/document.xml", "<w:document/>")]);
    assert_rejected(put(&store, &fake, 100, MIB).await, "zip");
    let pptx = zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("ppt/presentation.xml", "<p:presentation/>"),
    ]);
    assert_rejected(put(&store, &pptx, 100, MIB).await, "pptx");
    let docm = zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("word/document.xml", "<w:document/>"),
        ("word/vbaProject.bin", "macro"),
    ]);
    assert_rejected(put(&store, &docm, 100, MIB).await, "docm");
    // Legacy .doc/.xls (OLE compound file).
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.extend_from_slice(&[0; 512]);
    assert_rejected(put(&store, &ole, 100, MIB).await, "ole");
    // Not a zip at all after the local header signature.
    assert_rejected(put(&store, b"PK\x03\x04garbage", 100, MIB).await, "zip");
    // Empty.
    assert!(matches!(
        put(&store, b"", 16, MIB).await,
        Err(FileError::Empty)
    ));
    let only_empty_chunks = (0..3).map(|_| Ok::<_, std::io::Error>(Bytes::new()));
    assert!(matches!(
        store.put(stream::iter(only_empty_chunks), MIB).await,
        Err(FileError::Empty)
    ));
    assert_eq!(counts(&store), (0, 0));
}

#[tokio::test]
async fn a_pdf_that_is_really_text_is_text() {
    let (_dir, store) = store();
    // Named report.pdf, but it is plain text: stored as text, never served as a PDF.
    let s = put(&store, b"This is not a PDF, just a note.\n", 8, MIB)
        .await
        .unwrap();
    assert_eq!(s.kind, Kind::Text);
    assert_eq!(s.content_type(), "text/plain; charset=utf-8");
    assert_eq!(sanitize_name("report.pdf", s.kind), "report.pdf.txt");
    // "%PDF" without a version is not a PDF header either.
    let s = put(&store, b"%PDF of the minutes, see below\n", 8, MIB)
        .await
        .unwrap();
    assert_eq!(s.kind, Kind::Text);
    // A real PDF header with a hostile name keeps the content's extension.
    let s = put(&store, &pdf(), 8, MIB).await.unwrap();
    assert_eq!(sanitize_name("report.exe", s.kind), "report.exe.pdf");
}

#[tokio::test]
async fn text_turning_binary_after_the_sniffed_prefix_is_refused() {
    let (_dir, store) = store();
    let mut data = "正常的文本内容，第一行。\n"
        .repeat(SNIFF_LEN / 10)
        .into_bytes();
    assert!(data.len() > 2 * SNIFF_LEN);
    data.extend_from_slice(&exe());
    assert_rejected(put(&store, &data, 4096, MIB).await, "binary");
    // Invalid UTF-8 far after the prefix.
    let mut data = "plain ascii text line\n".repeat(2000).into_bytes();
    data.extend_from_slice(b"\xFF\xFE\xFD tail\n");
    assert_rejected(put(&store, &data, 4096, MIB).await, "binary");
    // A UTF-8 character cut at the very end.
    let mut data = "中文".repeat(10).into_bytes();
    data.pop();
    assert_rejected(put(&store, &data, 4096, MIB).await, "binary");
    assert_eq!(counts(&store), (0, 0));
}

/// A stream of `n` chunks of `size` bytes, counting how many were pulled.
fn counted_chunks(
    first: &'static [u8],
    n: usize,
    size: usize,
    pulled: Arc<AtomicUsize>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
    stream::iter((0..n).map(move |i| {
        pulled.fetch_add(1, Ordering::SeqCst);
        let mut chunk = vec![b'x'; size];
        if i == 0 {
            chunk[..first.len()].copy_from_slice(first);
        }
        Ok(Bytes::from(chunk))
    }))
}

#[tokio::test]
async fn oversized_upload_stops_at_the_limit() {
    let (_dir, store) = store();
    let pulled = Arc::new(AtomicUsize::new(0));
    // 1 MiB PDF in 16 KiB chunks against a 100 KiB limit.
    let chunks = counted_chunks(b"%PDF-1.7\n", 64, 16 * 1024, pulled.clone());
    match store.put(chunks, 100 * 1024).await {
        Err(FileError::TooLarge { limit }) => assert_eq!(limit, 100 * 1024),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        7,
        "stops at the first chunk past the limit"
    );
    assert_eq!(counts(&store), (0, 0));
    let e = FileError::TooLarge { limit: 20 * MIB };
    assert!(e.message_zh().contains("20 MB"));
    assert!(e.message_en().contains("20 MB"));

    // Exactly at the limit is fine.
    let data = vec![b'a'; 4096];
    let s = put(&store, &data, 1000, 4096).await.unwrap();
    assert_eq!(s.size, 4096);
    assert!(matches!(
        put(&store, &data, 1000, 4095).await,
        Err(FileError::TooLarge { limit: 4095 })
    ));
    assert_eq!(counts(&store), (0, 1));
}

#[tokio::test]
async fn refused_type_stops_reading_early() {
    let (_dir, store) = store();
    let pulled = Arc::new(AtomicUsize::new(0));
    let exe_head: &'static [u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00";
    let chunks = counted_chunks(exe_head, 1024, 4096, pulled.clone());
    assert_rejected(store.put(chunks, 100 * MIB).await, "exe");
    assert_eq!(pulled.load(Ordering::SeqCst), SNIFF_LEN / 4096);
    assert_eq!(counts(&store), (0, 0));
}

#[tokio::test]
async fn same_content_is_stored_once() {
    let (_dir, store) = store();
    let data = docx();
    let first = put(&store, &data, 100, MIB).await.unwrap();
    let second = put(&store, &data, 33, MIB).await.unwrap();
    assert!(first.newly_stored);
    assert!(!second.newly_stored);
    assert_eq!(first.sha256, second.sha256);
    assert_eq!(second.kind, Kind::Docx);
    assert_eq!(counts(&store), (0, 1));
    let path = store.path_of(&first.sha256).unwrap();
    assert!(path.starts_with(store.root().join("objects").join(&first.sha256[..2])));
    assert_eq!(
        path.file_name().and_then(|n| n.to_str()),
        Some(&first.sha256[2..])
    );
}

#[tokio::test]
async fn five_mib_upload_streams_in_64_kib_chunks() {
    let (_dir, store) = store();
    const CHUNK: usize = 64 * 1024;
    const CHUNKS: usize = 80; // 5 MiB
    let row = |i: usize| format!("{i},学会{i},完成,{}\n", i * 7 % 100);
    let mut all = String::new();
    let mut i = 0;
    while all.len() < CHUNK * CHUNKS {
        all.push_str(&row(i));
        i += 1;
    }
    let mut all = all.into_bytes();
    all.truncate(CHUNK * CHUNKS - 1); // ends on a complete line ("\n" dropped)
    let all = Bytes::from(all);
    let expected = sha_hex(&all);
    // The chunks are cheap views into `all` (the test's copy; `put` keeps only 8 KiB).
    let body = all.clone();
    let chunks = stream::iter(
        (0..body.len())
            .step_by(CHUNK)
            .map(move |at| Ok::<_, std::io::Error>(body.slice(at..(at + CHUNK).min(body.len())))),
    );
    let s = store.put(chunks, 10 * MIB).await.unwrap();
    assert_eq!(s.size, all.len() as u64);
    assert_eq!(s.sha256, expected);
    assert_eq!(s.kind, Kind::Csv);
    assert_eq!(
        std::fs::metadata(store.path_of(&s.sha256).unwrap())
            .unwrap()
            .len(),
        all.len() as u64
    );
    assert_eq!(counts(&store), (0, 1));

    // A 5 MiB binary (PNG) the same way.
    let mut png_big = png();
    png_big.resize(5 * MIB as usize, 0xAB);
    let s = put(&store, &png_big, CHUNK, 5 * MIB).await.unwrap();
    assert_eq!((s.kind, s.size), (Kind::Png, 5 * MIB));
}

#[tokio::test]
async fn a_failing_upload_stream_leaves_nothing() {
    let (_dir, store) = store();
    let chunks = stream::iter(vec![
        Ok(Bytes::from_static(b"%PDF-1.7\n")),
        Err("connection reset"),
    ]);
    match store.put(chunks, MIB).await {
        Err(e @ FileError::Upload(_)) => {
            assert!(e.message_en().contains("connection reset"));
            assert_eq!(e.http_status(), 400);
        }
        other => panic!("expected Upload, got {other:?}"),
    }
    assert_eq!(counts(&store), (0, 0));
}

/// Yields one chunk, then never anything (a stalled client).
struct Stalls {
    sent: bool,
    stalled: Arc<AtomicBool>,
}

impl Stream for Stalls {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.sent {
            self.stalled.store(true, Ordering::SeqCst);
            Poll::Pending
        } else {
            self.sent = true;
            Poll::Ready(Some(Ok(Bytes::from_static(b"%PDF-1.7\n"))))
        }
    }
}

#[tokio::test]
async fn dropping_an_upload_midway_removes_its_temp_file() {
    let (_dir, store) = store();
    let stalled = Arc::new(AtomicBool::new(false));
    let mut upload = Box::pin(store.put(
        Stalls {
            sent: false,
            stalled: stalled.clone(),
        },
        MIB,
    ));
    std::future::poll_fn(|cx| match upload.as_mut().poll(cx) {
        Poll::Ready(r) => panic!("finished: {r:?}"),
        Poll::Pending if stalled.load(Ordering::SeqCst) => Poll::Ready(()),
        Poll::Pending => Poll::Pending,
    })
    .await;
    assert_eq!(counts(&store).0, 1, "upload in progress has its temp file");
    drop(upload);
    assert_eq!(counts(&store), (0, 0));
}

#[tokio::test]
async fn zip_with_too_many_entries_is_refused() {
    let (_dir, store) = store();
    let mut parts: Vec<(String, &str)> = (0..10_001).map(|i| (format!("f{i}"), "")).collect();
    parts.push(("[Content_Types].xml".to_owned(), CONTENT_TYPES));
    parts.push(("word/document.xml".to_owned(), "<w:document/>"));
    let refs: Vec<(&str, &str)> = parts.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    assert_rejected(
        put(&store, &zip_of(&refs), 64 * 1024, 10 * MIB).await,
        "zip",
    );
}

#[tokio::test]
async fn path_of_accepts_only_sha256_hex() {
    let (_dir, store) = store();
    let good = "ab".repeat(32);
    let p = store.path_of(&good).unwrap();
    assert_eq!(p, store.root().join("objects").join("ab").join(&good[2..]));
    for bad in [
        "../etc/passwd",
        "",
        "..",
        &"AB".repeat(32),
        &"ab".repeat(31),
        &format!("{}a", "ab".repeat(32)),
        &format!("../{}", "ab".repeat(31)),
        &format!("{}/x", "ab".repeat(31)),
        &"g".repeat(64),
        &"é".repeat(32),
    ] {
        assert!(
            matches!(store.path_of(bad), Err(FileError::NotFound)),
            "{bad:?}"
        );
        assert!(matches!(
            store.open_read(bad).await,
            Err(FileError::NotFound)
        ));
    }
    assert!(matches!(
        store.open_read(&good).await,
        Err(FileError::NotFound)
    ));
}

#[tokio::test]
async fn sweep_tmp_removes_old_leftovers() {
    let (_dir, store) = store();
    let tmp = store.root().join("tmp");
    std::fs::write(tmp.join("crash-leftover.part"), b"partial").unwrap();
    std::fs::create_dir(tmp.join("a-dir")).unwrap();
    assert_eq!(store.sweep_tmp(Duration::from_secs(3600)).await.unwrap(), 0);
    assert_eq!(store.sweep_tmp(Duration::ZERO).await.unwrap(), 1);
    assert_eq!(counts(&store), (0, 0));
    assert!(tmp.join("a-dir").is_dir(), "only files are swept");
}

#[test]
fn hostile_names_end_to_end() {
    let cases = [
        ("../../x", Kind::Pdf, "x.pdf"),
        ("..\\..\\x", Kind::Pdf, "x.pdf"),
        ("a\0b.pdf", Kind::Pdf, "ab.pdf"),
        ("a\r\nSet-Cookie: x.pdf", Kind::Pdf, "aSet-Cookie_ x.pdf"),
        ("\u{202E}fdp.exe", Kind::Pdf, "fdp.exe.pdf"),
        ("CON.pdf", Kind::Pdf, "_CON.pdf"),
        (".htaccess", Kind::Text, "htaccess.txt"),
        ("", Kind::Png, "file.png"),
        ("年度总结.xlsx", Kind::Xlsx, "年度总结.xlsx"),
    ];
    for (input, kind, want) in cases {
        let name = sanitize_name(input, kind);
        assert_eq!(name, want, "{input:?}");
        let cd = content_disposition(&name);
        assert!(!cd.contains(['\r', '\n']), "{cd:?}");
        assert!(cd.is_ascii());
        // Exactly the two quotes around the fallback name.
        assert_eq!(cd.matches('"').count(), 2, "{cd:?}");
    }
    let long = format!("{}.pdf", "x".repeat(300));
    let name = sanitize_name(&long, Kind::Pdf);
    assert_eq!(name.chars().count(), 120);
    assert!(name.ends_with(".pdf"));
    // Even an unsanitized hostile name cannot break the header.
    let cd = content_disposition("a\"\r\nSet-Cookie: x=1\\.pdf");
    assert!(!cd.contains(['\r', '\n']));
    assert_eq!(cd.matches('"').count(), 2, "{cd:?}");
}
