//! Test helpers: a seeded PRNG (xorshift64*) and a RecordBatch v2 builder. No crates.

pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    /// Uniform in [0, n); n > 0.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }
    pub fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = self.next_u64() as u8;
        }
    }
}

pub struct Rec<'a> {
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub headers: Vec<(&'a [u8], Option<&'a [u8]>)>,
    pub timestamp_delta: i64,
}

fn put_varint(out: &mut Vec<u8>, n: i32) {
    let mut v = ((n << 1) ^ (n >> 31)) as u32;
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_varlong(out: &mut Vec<u8>, n: i64) {
    let mut v = ((n << 1) ^ (n >> 63)) as u64;
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => put_varint(out, -1),
        Some(b) => {
            put_varint(out, b.len() as i32);
            out.extend_from_slice(b);
        }
    }
}

pub struct BatchOpts {
    pub base_offset: i64,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub attributes: i16,
}

impl Default for BatchOpts {
    fn default() -> Self {
        BatchOpts { base_offset: 0, base_timestamp: 1_700_000_000_000, max_timestamp: 1_700_000_000_000, producer_id: -1, producer_epoch: -1, base_sequence: -1, attributes: 0 }
    }
}

/// An uncompressed v2 batch with a correct CRC (the layout of src/protocol/records/layout.ts).
pub fn build_batch(records: &[Rec], o: &BatchOpts) -> Vec<u8> {
    let mut b = vec![0u8; 61];
    for (i, r) in records.iter().enumerate() {
        let mut body = vec![0u8];
        put_varlong(&mut body, r.timestamp_delta);
        put_varint(&mut body, i as i32);
        put_bytes(&mut body, r.key);
        put_bytes(&mut body, r.value);
        put_varint(&mut body, r.headers.len() as i32);
        for (k, v) in &r.headers {
            put_bytes(&mut body, Some(k));
            put_bytes(&mut body, *v);
        }
        put_varint(&mut b, body.len() as i32);
        b.extend_from_slice(&body);
    }
    let len = b.len();
    b[0..8].copy_from_slice(&o.base_offset.to_be_bytes());
    b[8..12].copy_from_slice(&((len - 12) as i32).to_be_bytes());
    b[12..16].copy_from_slice(&(-1i32).to_be_bytes());
    b[16] = 2;
    b[21..23].copy_from_slice(&o.attributes.to_be_bytes());
    b[23..27].copy_from_slice(&(records.len() as i32 - 1).to_be_bytes());
    b[27..35].copy_from_slice(&o.base_timestamp.to_be_bytes());
    b[35..43].copy_from_slice(&o.max_timestamp.to_be_bytes());
    b[43..51].copy_from_slice(&o.producer_id.to_be_bytes());
    b[51..53].copy_from_slice(&o.producer_epoch.to_be_bytes());
    b[53..57].copy_from_slice(&o.base_sequence.to_be_bytes());
    b[57..61].copy_from_slice(&(records.len() as i32).to_be_bytes());
    fix_crc(&mut b, 0);
    b
}

pub fn fix_crc(b: &mut [u8], pos: usize) {
    let len = i32::from_be_bytes(b[pos + 8..pos + 12].try_into().unwrap()) as usize;
    let crc = crate::crc32c::crc32c(0, &b[pos + 21..pos + 12 + len]);
    b[pos + 17..pos + 21].copy_from_slice(&crc.to_be_bytes());
}

/// A random batch: 1..=n records with random keys, values and headers.
pub fn random_batch(rng: &mut XorShift, max_records: usize, max_value: usize) -> Vec<u8> {
    let n = 1 + rng.below(max_records);
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    for _ in 0..n * 4 {
        let mut v = vec![0u8; rng.below(max_value + 1)];
        rng.fill(&mut v);
        blobs.push(v);
    }
    let mut recs = Vec::new();
    for i in 0..n {
        let pick = |k: usize| -> &[u8] { &blobs[i * 4 + k] };
        let headers = (0..rng.below(3)).map(|_| (&b"h"[..], if rng.chance(50) { Some(pick(2)) } else { None })).collect();
        recs.push(Rec {
            key: if rng.chance(20) { None } else { Some(pick(0)) },
            value: if rng.chance(10) { None } else { Some(pick(1)) },
            headers,
            timestamp_delta: rng.below(1000) as i64,
        });
    }
    build_batch(&recs, &BatchOpts { max_timestamp: 1_700_000_001_000, ..BatchOpts::default() })
}
