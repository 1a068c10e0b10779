//! Writing and reading an uncompressed ZIP (APPNOTE 6.3.10, without ZIP64), one entry at a
//! time: the caller places each entry's bytes right after the header [`ZipWriter::add`] gives.

use super::*;

const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const END_SIGNATURE: u32 = 0x0605_4b50;
/// The end record's size without its comment.
pub const END_LEN: u64 = 22;
/// How much of a file's end to read to be sure to hold the end record (its comment can
/// be up to 65,535 bytes).
pub const TAIL_LEN: u64 = END_LEN + 65_535;
/// A local header's size before its name and extra field.
pub const LOCAL_HEADER_LEN: u64 = 30;
/// Bit 11: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;

/// One file in the ZIP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub crc32: u32,
    pub size: u32,
    /// Where its local header starts.
    pub offset: u32,
}

/// CRC-32 as ZIP uses it.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// The MS-DOS time and date of `at` (UTC; DOS times have no zone), from 1980 on.
fn dos_time(at: DateTime<Utc>) -> (u16, u16) {
    let year = at.year().clamp(1980, 2107) as u16;
    let time = (at.hour() as u16) << 11 | (at.minute() as u16) << 5 | (at.second() as u16 / 2);
    let date = (year - 1980) << 9 | (at.month() as u16) << 5 | at.day() as u16;
    (time, date)
}

/// Lays the ZIP out: [`ZipWriter::add`] for each entry, then [`ZipWriter::finish`].
#[derive(Debug)]
pub struct ZipWriter {
    entries: Vec<Entry>,
    offset: u64,
    time: u16,
    date: u16,
}

impl ZipWriter {
    pub fn new(modified: DateTime<Utc>) -> ZipWriter {
        let (time, date) = dos_time(modified);
        ZipWriter {
            entries: Vec::new(),
            offset: 0,
            time,
            date,
        }
    }

    /// The local header of the next entry, which the caller follows with exactly `size`
    /// bytes whose CRC-32 is `crc32`.
    pub fn add(&mut self, name: &str, crc32: u32, size: u64) -> Result<Vec<u8>, BackupError> {
        let size = u32::try_from(size).map_err(|_| BackupError::TooLarge)?;
        let offset = u32::try_from(self.offset).map_err(|_| BackupError::TooLarge)?;
        if self.entries.len() >= usize::from(u16::MAX) {
            return Err(BackupError::TooLarge);
        }
        let mut h = Vec::with_capacity(30 + name.len());
        put32(&mut h, LOCAL_SIGNATURE);
        put16(&mut h, 20); // version needed: 2.0
        put16(&mut h, UTF8_NAMES);
        put16(&mut h, 0); // stored
        put16(&mut h, self.time);
        put16(&mut h, self.date);
        put32(&mut h, crc32);
        put32(&mut h, size);
        put32(&mut h, size);
        put16(&mut h, name.len() as u16);
        put16(&mut h, 0);
        h.extend_from_slice(name.as_bytes());
        self.offset += h.len() as u64 + u64::from(size);
        self.entries.push(Entry {
            name: name.to_owned(),
            crc32,
            size,
            offset,
        });
        Ok(h)
    }

    /// The central directory and end record, which close the file.
    pub fn finish(self) -> Result<Vec<u8>, BackupError> {
        let start = u32::try_from(self.offset).map_err(|_| BackupError::TooLarge)?;
        let mut d = Vec::new();
        for e in &self.entries {
            put32(&mut d, CENTRAL_SIGNATURE);
            put16(&mut d, 20); // made by: MS-DOS, 2.0
            put16(&mut d, 20);
            put16(&mut d, UTF8_NAMES);
            put16(&mut d, 0);
            put16(&mut d, self.time);
            put16(&mut d, self.date);
            put32(&mut d, e.crc32);
            put32(&mut d, e.size);
            put32(&mut d, e.size);
            put16(&mut d, e.name.len() as u16);
            put16(&mut d, 0); // extra
            put16(&mut d, 0); // comment
            put16(&mut d, 0); // disk
            put16(&mut d, 0); // internal attributes
            put32(&mut d, 0); // external attributes
            put32(&mut d, e.offset);
            d.extend_from_slice(e.name.as_bytes());
        }
        let size = u32::try_from(d.len()).map_err(|_| BackupError::TooLarge)?;
        start.checked_add(size).ok_or(BackupError::TooLarge)?;
        let count = self.entries.len() as u16;
        put32(&mut d, END_SIGNATURE);
        put16(&mut d, 0);
        put16(&mut d, 0);
        put16(&mut d, count);
        put16(&mut d, count);
        put32(&mut d, size);
        put32(&mut d, start);
        put16(&mut d, 0);
        Ok(d)
    }
}

/// Where the central directory is (offset, size), read from the last bytes of a file of
/// `file_len` bytes (at most [`TAIL_LEN`] of them).
pub fn find_directory(tail: &[u8], file_len: u64) -> Result<(u64, u64), BackupError> {
    if tail.len() < END_LEN as usize {
        return Err(BackupError::NotABackup);
    }
    let at = (0..=tail.len() - END_LEN as usize)
        .rev()
        .find(|&i| get32(tail, i) == END_SIGNATURE)
        .ok_or(BackupError::NotABackup)?;
    let size = u64::from(get32(tail, at + 12));
    let offset = u64::from(get32(tail, at + 16));
    let end_at = file_len - (tail.len() - at) as u64;
    if offset + size > end_at {
        return Err(BackupError::Damaged("the file is cut short".into()));
    }
    Ok((offset, size))
}

/// The entries listed in a central directory. Only stored (uncompressed) entries can be
/// read back; others are reported as damage.
pub fn read_directory(directory: &[u8]) -> Result<Vec<Entry>, BackupError> {
    let short = || BackupError::Damaged("the file list is cut short".into());
    let mut entries = Vec::new();
    let mut i = 0;
    while i < directory.len() {
        if directory.len() - i < 46 || get32(directory, i) != CENTRAL_SIGNATURE {
            return Err(short());
        }
        let method = get16(directory, i + 10);
        let crc32 = get32(directory, i + 16);
        let compressed = get32(directory, i + 20);
        let size = get32(directory, i + 24);
        let name_len = usize::from(get16(directory, i + 28));
        let extra_len = usize::from(get16(directory, i + 30));
        let comment_len = usize::from(get16(directory, i + 32));
        let offset = get32(directory, i + 42);
        let name_end = i + 46 + name_len;
        let name = directory.get(i + 46..name_end).ok_or_else(short)?;
        let name = String::from_utf8_lossy(name).into_owned();
        if method != 0 || compressed != size {
            return Err(BackupError::Damaged(format!("{name} is compressed")));
        }
        entries.push(Entry {
            name,
            crc32,
            size,
            offset,
        });
        i = name_end + extra_len + comment_len;
    }
    Ok(entries)
}

/// How far past an entry's local header (its first [`LOCAL_HEADER_LEN`] bytes given) its
/// bytes start.
pub fn data_start(local_header: &[u8]) -> Result<u64, BackupError> {
    if local_header.len() < LOCAL_HEADER_LEN as usize || get32(local_header, 0) != LOCAL_SIGNATURE {
        return Err(BackupError::Damaged("a file's header is missing".into()));
    }
    let name_len = u64::from(get16(local_header, 26));
    let extra_len = u64::from(get16(local_header, 28));
    Ok(LOCAL_HEADER_LEN + name_len + extra_len)
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn get16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn get32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
