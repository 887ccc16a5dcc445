#!/usr/bin/env python3
"""Reference Parquet files for SynprefData's Parquet reader, with the rows pyarrow reads back.

Writes Tests/SynprefDataTests/Fixtures/parquet/:
  NAME.parquet          small files written by pyarrow's own Parquet writer (parquet-cpp), one
                        per feature: codecs (UNCOMPRESSED, SNAPPY, GZIP, ZSTD), data page v1 and
                        v2 with dictionary on and off, the encodings pyarrow can write (PLAIN,
                        PLAIN_DICTIONARY/RLE_DICTIONARY, RLE booleans, DELTA_BINARY_PACKED,
                        DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT), several row
                        groups with small pages and dictionary fallback, HF-style nesting
                        (list<struct<role, content>>, list<string>, struct with a list, list of
                        lists, map), required columns, integer logical types, an empty table and
                        a preference file written by `datasets` itself (Dataset.to_parquet:
                        snappy, dictionary, v1 pages, content-defined chunking, page index,
                        "huggingface" schema metadata) from 200 HH-RLHF helpful test pairs.
  NAME.expected.json    json.dumps(pq.read_table(NAME.parquet).to_pylist()): the rows the reader
                        must return. Python's json writes floats with repr (shortest round-trip,
                        so exact; float32 values appear as the exact double they widen to); bytes
                        are written as {"$bytes_hex": "..."}; map values (lists of (key, value)
                        tuples in to_pylist) as lists of 2-element lists. No NaN or infinity.
  malformed-*.parquet   broken files for error tests (no expected.json): bad magic at either end,
                        truncated files, a footer cut short, a footer length larger than the file,
                        column chunk offsets/sizes past the end (footer re-encoded with a small
                        Thrift compact-protocol codec below), a corrupt snappy page payload.
                        pyarrow's own error for each is recorded in the manifest.
  manifest.json         every file: what it covers, row count, columns (arrow types), writer
                        options, pyarrow version and the physical layout read back from the file
                        (decoded with the Thrift codec below and cross-checked with pyarrow's
                        metadata): per column chunk the codec, the encodings the footer lists,
                        page index or not, and its page headers in order (dictionary / v1 / v2
                        header, encoding, value counts, v2 is_compressed). For malformed files:
                        the problem and pyarrow's error.
  README.md is written by hand (what each file is, how to regenerate, data source, licence).

`--layout FILE...` only prints every page header of the given files (nothing is written).

Data are deterministic (random.Random(SEED)). The preference file reads
/work/shared/data/hh-rlhf/{helpful-base,helpful-rejection-sampled}/test.jsonl.gz (Anthropic
HH-RLHF test splits, MIT; anthropics/hh-rlhf @ 354e5c3c, via DaehanKim/EasyRLHF @ 45eccb72).

Versions: pyarrow 26.0.1, datasets 5.2.0 (both recorded in manifest.json; the files'
created_by is "parquet-cpp-arrow version 26.0.1"). Another pyarrow version can write
different bytes (page splits, statistics, metadata) while the rows stay the same.

Run: /work/venv/bin/pip install pyarrow==26.0.1 datasets==5.2.0
     HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 /work/venv/bin/python scripts/reference/parquet_fixtures.py \\
         [--data /work/shared/data]
"""
import argparse
import gzip
import json
import math
import os
import pathlib
import random
import re
import struct
import sys

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/SynprefDataTests/Fixtures/parquet"
SEED = 20260520
COMMAND = ("HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 /work/venv/bin/python "
           "scripts/reference/parquet_fixtures.py --data /work/shared/data")
SIZE_BUDGET = 400 * 1024

# ============================================================ Thrift compact protocol
# A generic decoder/encoder: a struct is a list of [field_id, type, value]; a list/set is
# (elem_type, [values]); a map is (key_type, value_type, [(k, v)]). Re-encoding a decoded
# struct gives the same bytes (checked), so footers can be patched field by field.

T_STOP, T_TRUE, T_FALSE, T_BYTE, T_I16, T_I32, T_I64, T_DOUBLE, T_BINARY, T_LIST, T_SET, T_MAP, T_STRUCT = range(13)


class ThriftError(Exception):
    pass


class Reader:
    def __init__(self, buf, pos=0):
        self.buf, self.pos = buf, pos

    def byte(self):
        if self.pos >= len(self.buf):
            raise ThriftError("unexpected end of Thrift data")
        b = self.buf[self.pos]
        self.pos += 1
        return b

    def varint(self):
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift > 70:
                raise ThriftError("varint too long")

    def zigzag(self):
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, t):
        if t in (T_TRUE, T_FALSE):  # list element: one byte
            return self.byte() == 1
        if t == T_BYTE:
            return struct.unpack("b", bytes([self.byte()]))[0]
        if t in (T_I16, T_I32, T_I64):
            return self.zigzag()
        if t == T_DOUBLE:
            if self.pos + 8 > len(self.buf):
                raise ThriftError("unexpected end of Thrift data")
            v = struct.unpack("<d", self.buf[self.pos:self.pos + 8])[0]
            self.pos += 8
            return v
        if t == T_BINARY:
            n = self.varint()
            if self.pos + n > len(self.buf):
                raise ThriftError("unexpected end of Thrift data")
            v = bytes(self.buf[self.pos:self.pos + n])
            self.pos += n
            return v
        if t in (T_LIST, T_SET):
            h = self.byte()
            n, et = h >> 4, h & 0x0F
            if n == 15:
                n = self.varint()
            return (et, [self.value(et) for _ in range(n)])
        if t == T_MAP:
            n = self.varint()
            if n == 0:
                return (0, 0, [])
            h = self.byte()
            kt, vt = h >> 4, h & 0x0F
            return (kt, vt, [(self.value(kt), self.value(vt)) for _ in range(n)])
        if t == T_STRUCT:
            return self.struct()
        raise ThriftError(f"unknown Thrift type {t}")

    def struct(self):
        fields, last = [], 0
        while True:
            h = self.byte()
            if h == T_STOP:
                return fields
            delta, t = h >> 4, h & 0x0F
            fid = last + delta if delta else self.zigzag()
            if t in (T_TRUE, T_FALSE):
                v = (t == T_TRUE)
            else:
                v = self.value(t)
            fields.append([fid, t, v])
            last = fid


class Writer:
    def __init__(self):
        self.out = bytearray()

    def varint(self, n):
        while True:
            if n < 0x80:
                self.out.append(n)
                return
            self.out.append((n & 0x7F) | 0x80)
            n >>= 7

    def zigzag(self, n):
        self.varint((n << 1) ^ (n >> 63))

    def value(self, t, v):
        if t in (T_TRUE, T_FALSE):
            self.out.append(1 if v else 2)
        elif t == T_BYTE:
            self.out += struct.pack("b", v)
        elif t in (T_I16, T_I32, T_I64):
            self.zigzag(v)
        elif t == T_DOUBLE:
            self.out += struct.pack("<d", v)
        elif t == T_BINARY:
            self.varint(len(v))
            self.out += v
        elif t in (T_LIST, T_SET):
            et, items = v
            if len(items) < 15:
                self.out.append((len(items) << 4) | et)
            else:
                self.out.append(0xF0 | et)
                self.varint(len(items))
            for x in items:
                self.value(et, x)
        elif t == T_MAP:
            kt, vt, items = v
            self.varint(len(items))
            if items:
                self.out.append((kt << 4) | vt)
                for k, x in items:
                    self.value(kt, k)
                    self.value(vt, x)
        elif t == T_STRUCT:
            self.struct(v)
        else:
            raise ThriftError(f"unknown Thrift type {t}")

    def struct(self, fields):
        last = 0
        for fid, t, v in fields:
            delta = fid - last
            if 0 < delta <= 15:
                self.out.append((delta << 4) | t)
            else:
                self.out.append(t)
                self.zigzag(fid)
            if t not in (T_TRUE, T_FALSE):
                self.value(t, v)
            last = fid
        self.out.append(T_STOP)


def encode_struct(fields):
    w = Writer()
    w.struct(fields)
    return bytes(w.out)


def field(fields, fid, default=None):
    for f in fields:
        if f[0] == fid:
            return f[2]
    return default


def set_field(fields, fid, value):
    for f in fields:
        if f[0] == fid:
            f[2] = value
            return
    raise KeyError(fid)


ENCODINGS = {0: "PLAIN", 1: "GROUP_VAR_INT", 2: "PLAIN_DICTIONARY", 3: "RLE", 4: "BIT_PACKED",
             5: "DELTA_BINARY_PACKED", 6: "DELTA_LENGTH_BYTE_ARRAY", 7: "DELTA_BYTE_ARRAY",
             8: "RLE_DICTIONARY", 9: "BYTE_STREAM_SPLIT"}
PAGE_TYPES = {0: "DATA_PAGE", 1: "INDEX_PAGE", 2: "DICTIONARY_PAGE", 3: "DATA_PAGE_V2"}
CODECS = {0: "UNCOMPRESSED", 1: "SNAPPY", 2: "GZIP", 3: "LZO", 4: "BROTLI", 5: "LZ4", 6: "ZSTD", 7: "LZ4_RAW"}


def read_footer(data):
    """(FileMetaData fields, footer start offset, footer length) of a valid file's bytes."""
    assert data[:4] == b"PAR1" and data[-4:] == b"PAR1"
    n = struct.unpack("<I", data[-8:-4])[0]
    start = len(data) - 8 - n
    r = Reader(data, start)
    meta = r.struct()
    assert r.pos == len(data) - 8, "footer not consumed exactly"
    assert encode_struct(meta) == bytes(data[start:len(data) - 8]), "Thrift re-encoding differs"
    return meta, start, n


def with_footer(data, meta):
    """The file's bytes with its footer replaced by `meta` (length and magic rewritten)."""
    _, start, _ = read_footer(data)
    foot = encode_struct(meta)
    return bytes(data[:start]) + foot + struct.pack("<I", len(foot)) + b"PAR1"


def page_layout(data):
    """Per row group, per column chunk: what the footer says and every page header in it."""
    meta, _, _ = read_footer(data)
    out = []
    for rg in field(meta, 4)[1]:
        cols = []
        for cc in field(rg, 1)[1]:
            md = field(cc, 3)
            dict_off = field(md, 11)
            data_off = field(md, 9)
            start = dict_off if dict_off is not None else data_off
            end = start + field(md, 7)
            pages, pos = [], start
            while pos < end:
                r = Reader(data, pos)
                h = r.struct()
                ptype = PAGE_TYPES[field(h, 1)]
                p = {"type": ptype, "compressed_size": field(h, 3), "uncompressed_size": field(h, 2)}
                if field(h, 4) is not None:
                    p["crc"] = True
                if ptype == "DATA_PAGE":
                    d = field(h, 5)
                    p.update(num_values=field(d, 1), encoding=ENCODINGS[field(d, 2)],
                             def_level_encoding=ENCODINGS[field(d, 3)], rep_level_encoding=ENCODINGS[field(d, 4)])
                elif ptype == "DICTIONARY_PAGE":
                    d = field(h, 7)
                    p.update(num_values=field(d, 1), encoding=ENCODINGS[field(d, 2)])
                elif ptype == "DATA_PAGE_V2":
                    d = field(h, 8)
                    p.update(num_values=field(d, 1), num_nulls=field(d, 2), num_rows=field(d, 3),
                             encoding=ENCODINGS[field(d, 4)], def_levels_bytes=field(d, 5),
                             rep_levels_bytes=field(d, 6), is_compressed=field(d, 7, True))
                pages.append(p)
                pos = r.pos + field(h, 3)
            assert pos == end, "pages do not fill the column chunk exactly"
            stats = field(md, 13)
            cols.append({
                "path": ".".join(x.decode() for x in field(md, 3)[1]),
                "codec": CODECS[field(md, 4)],
                "encodings": [ENCODINGS[e] for e in field(md, 2)[1]],
                "encoding_stats": [f"{PAGE_TYPES[field(s, 1)]}:{ENCODINGS[field(s, 2)]}x{field(s, 3)}"
                                   for s in stats[1]] if stats else None,
                "has_dictionary_page": dict_off is not None,
                "dictionary_page_offset": dict_off,
                "data_page_offset": data_off,
                "total_compressed_size": field(md, 7),
                "num_values": field(md, 5),
                "file_offset": field(cc, 2),
                "has_offset_index": field(cc, 4) is not None,
                "has_column_index": field(cc, 6) is not None,
                "has_size_statistics": field(md, 16) is not None,
                "pages": pages,
            })
        out.append({"num_rows": field(rg, 3), "columns": cols})
    return meta, out


PAGE_ABBREV = {"DICTIONARY_PAGE": "dict", "DATA_PAGE": "v1", "DATA_PAGE_V2": "v2", "INDEX_PAGE": "index"}
LAYOUT_NOTATION = (
    "row_groups[].chunks[]: 'PATH: CODEC [encodings listed in ColumnMetaData] (page index if the chunk has "
    "an OffsetIndex/ColumnIndex); pages in file order, consecutive alike pages folded: KIND:ENCODING xCOUNT "
    "(VALUES)' where KIND is dict = DICTIONARY_PAGE, v1 = DATA_PAGE (v1 header), v2 = DATA_PAGE_V2; "
    "'v2/uncompressed' marks DATA_PAGE_V2 headers with is_compressed=false (page stored raw although the "
    "chunk's codec is not UNCOMPRESSED); VALUES = sum of the headers' num_values (leaf values incl. nulls). "
    "`parquet_fixtures.py --layout FILE` prints every page header in full.")


def summarize_pages(pages):
    """Compact page list: consecutive pages of the same kind folded into one entry with a count."""
    out = []
    for p in pages:
        kind = PAGE_ABBREV[p["type"]]
        if p["type"] == "DATA_PAGE_V2" and not p["is_compressed"]:
            kind += "/uncompressed"
        kind += ":" + p["encoding"]
        if out and out[-1]["kind"] == kind:
            out[-1]["count"] += 1
            out[-1]["values"] += p["num_values"]
        else:
            out.append({"kind": kind, "count": 1, "values": p["num_values"]})
    return [f'{o["kind"]} x{o["count"]} ({o["values"]})' if o["count"] > 1 else f'{o["kind"]} ({o["values"]})'
            for o in out]


def chunk_line(c):
    """One line per column chunk: codec, the footer's encodings, page index, pages."""
    index = " page index" if c["has_offset_index"] or c["has_column_index"] else ""
    return f'{c["path"]}: {c["codec"]} [{",".join(c["encodings"])}]{index}; {" + ".join(summarize_pages(c["pages"]))}'


def print_layout(path):
    """Every page header of every column chunk of one file (for --layout)."""
    data = pathlib.Path(path).read_bytes()
    meta, layout = page_layout(data)
    kv = field(meta, 5)
    print(f"{path}: {len(data)} bytes, format version {field(meta, 1)}, {field(meta, 3)} rows, "
          f"created_by {field(meta, 6, b'').decode()}, key-value keys "
          f"{[field(k, 1).decode() for k in kv[1]] if kv else []}")
    print("\n".join(str(pq.ParquetFile(path).metadata.schema).strip().splitlines()[1:]))
    for i, rg in enumerate(layout):
        print(f"row group {i}: {rg['num_rows']} rows")
        for c in rg["columns"]:
            print(f"  {c['path']}: {c['codec']} encodings={c['encodings']} encoding_stats={c['encoding_stats']} "
                  f"dictionary_page_offset={c['dictionary_page_offset']} data_page_offset={c['data_page_offset']} "
                  f"total_compressed_size={c['total_compressed_size']} num_values={c['num_values']} "
                  f"file_offset={c['file_offset']} offset_index={c['has_offset_index']} "
                  f"column_index={c['has_column_index']} size_statistics={c['has_size_statistics']}")
            for p in c["pages"]:
                print("    " + " ".join(f"{k}={v}" for k, v in p.items()))


# ============================================================ JSON of pylist rows

def to_json_value(v):
    if isinstance(v, bytes):
        return {"$bytes_hex": v.hex()}
    if isinstance(v, tuple):
        return [to_json_value(x) for x in v]
    if isinstance(v, list):
        return [to_json_value(x) for x in v]
    if isinstance(v, dict):
        return {k: to_json_value(x) for k, x in v.items()}
    if isinstance(v, float):
        assert math.isfinite(v), v
    assert v is None or isinstance(v, (bool, int, float, str)), type(v)
    return v


# ============================================================ data

UNICODE = ["héllo", "naïve café", "日本語のテキスト", "中文", "한국어", "Ελληνικά", "русский",
           "עברית", "العربية", "हिन्दी", "ไทย", "emoji 😀🎉", "👩‍👩‍👧 family", "🇫🇷🇯🇵", "e\u0301 combining",
           "zero\u200bwidth", "tab\tnew\nline", "quote \" backslash \\", "\u0000nul inside", "\u2028sep",
           "\U0010FFFF max", "a" * 300]
WORDS = ("the of and to a in is it you that he was for on are with as his they be at one have this "
         "from or had by hot word but what some we can out other were all there when up use your how").split()


def words(rng, lo, hi):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def rand_string(rng):
    r = rng.random()
    if r < 0.15:
        return rng.choice(UNICODE)
    if r < 0.22:
        return ""
    return words(rng, 1, 7)


def rand_bytes(rng):
    r = rng.random()
    if r < 0.1:
        return b""
    if r < 0.2:
        return bytes([0xFF, 0xFE, 0x00, 0x80])  # not UTF-8
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))


I32_EDGE = [0, 1, -1, 2**31 - 1, -2**31, 2**31 - 2, -2**31 + 1, 127, -128, 255, 65535]
I64_EDGE = [0, 1, -1, 2**63 - 1, -2**63, 2**53, 2**53 + 1, -(2**53) - 1, 2**32, -(2**32), 10**18]
F64_EDGE = [0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, 1e300, -1e-300, 5e-324, 2.2250738585072014e-308,
            1.7976931348623157e308, 123456789.125, 2**53 + 0.0]
F32_EDGE = [0.0, -0.0, 1.0, -1.5, 0.1, 3.4028234663852886e38, 1.401298464324817e-45,
            1.1754943508222875e-38, 16777216.0, 1e-7]


def nullable(rng, p, gen):
    return None if rng.random() < p else gen()


def flat_columns(rng, n):
    """The flat test table: every physical type, nulls in every column."""
    i32, i64, f32, f64, b, s, bi = [], [], [], [], [], [], []
    for k in range(n):
        i32.append(None if k % 11 == 3 else (I32_EDGE[k] if k < len(I32_EDGE) else rng.randint(-2**31, 2**31 - 1)))
        i64.append(None if k % 13 == 5 else (I64_EDGE[k] if k < len(I64_EDGE) else rng.randint(-2**63, 2**63 - 1)))
        f32.append(None if k % 7 == 2 else (F32_EDGE[k] if k < len(F32_EDGE) else
                                            struct.unpack("<f", struct.pack("<f", rng.uniform(-1e6, 1e6)))[0]))
        f64.append(None if k % 9 == 4 else (F64_EDGE[k] if k < len(F64_EDGE) else rng.uniform(-1e9, 1e9)))
        b.append(None if k % 5 == 1 else rng.random() < 0.5)
        s.append(None if k % 6 == 0 else (UNICODE[k // 3 % len(UNICODE)] if k % 3 == 1 else rand_string(rng)))
        bi.append(None if k % 8 == 7 else rand_bytes(rng))
    return pa.table({
        "id": pa.array(range(n), pa.int32()),
        "i32": pa.array(i32, pa.int32()), "i64": pa.array(i64, pa.int64()),
        "f32": pa.array(f32, pa.float32()), "f64": pa.array(f64, pa.float64()),
        "flag": pa.array(b, pa.bool_()), "text": pa.array(s, pa.string()), "blob": pa.array(bi, pa.binary()),
    })


def delta_int_columns(rng, n):
    """Sequences that exercise DELTA_BINARY_PACKED: runs, monotone, negative, extremes (the
    deltas between extremes overflow and must wrap), more than one 128-value block."""
    i32, i64 = [], []
    for k in range(n):
        seg = k // 27
        if seg == 0:
            a, c = 7, 7  # constant run: miniblock bit width 0
        elif seg == 1:
            a, c = -1000 + 3 * k, -10**12 + 1000 * k  # arithmetic progression
        elif seg == 2:
            a, c = rng.randint(-50, 50), rng.randint(-50, 50)
        elif seg == 3:
            a = [2**31 - 1, -2**31][k % 2]
            c = [2**63 - 1, -2**63][k % 2]
        elif seg == 4:
            a, c = rng.randint(-2**31, 2**31 - 1), rng.randint(-2**63, 2**63 - 1)
        else:
            a, c = -k * k, k ** 5 * -(1 if k % 3 else -1)
        i32.append(None if k % 17 == 16 else a)
        i64.append(None if k % 19 == 18 else c)
    return pa.table({"i32": pa.array(i32, pa.int32()), "i64": pa.array(i64, pa.int64()),
                     "i32_required": pa.array(range(-n, n, 2), pa.int32())},
                    schema=pa.schema([("i32", pa.int32()), ("i64", pa.int64()),
                                      pa.field("i32_required", pa.int32(), nullable=False)]))


def prefix_strings(rng, n):
    """Strings with long shared prefixes (DELTA_BYTE_ARRAY): URLs, sorted words, and UTF-8
    pairs whose shared byte prefix ends inside a character (é = C3 A9, è = C3 A8)."""
    base = ["https://huggingface.co/datasets/", "https://huggingface.co/models/", "/work/shared/data/"]
    out = []
    for k in range(n):
        r = k % 10
        if r == 0:
            out.append(None)
        elif r == 1:
            out.append("")
        elif r in (2, 3):
            out.append("caf" + ("é" if r == 2 else "è") + str(k))
        elif r == 4:
            out.append(rng.choice(UNICODE))
        else:
            out.append(rng.choice(base) + rng.choice(WORDS) + "/" + str(k // 3))
    return out


def message(rng, role):
    return {"role": role, "content": rand_string(rng)}


def conversation(rng):
    msgs = [message(rng, "system")] if rng.random() < 0.2 else []
    for t in range(rng.randint(1, 3)):
        msgs += [message(rng, "user"), message(rng, "assistant")]
    return msgs


def nested_rows(rng, n):
    """Rows for every nested column, with the edge cases at fixed rows."""
    messages, chosen, meta, lol, mp = [], [], [], [], []
    for k in range(n):
        # list<struct<role, content>>
        if k == 1:
            m = []
        elif k == 2:
            m = None
        elif k == 3:
            m = [{"role": "user", "content": None}, None, {"role": None, "content": ""}]
        elif k == 4:
            m = [{"role": "user", "content": "😀" * 40}, {"role": "assistant", "content": ""}]
        else:
            m = conversation(rng)
        messages.append(m)
        # list<string>, RewardBench 2 style: 1-4 strings, some empty lists
        if k % 9 == 5:
            c = []
        elif k == 6:
            c = None
        elif k == 7:
            c = ["", None, "ünïcode"]
        else:
            c = [rand_string(rng) for _ in range(rng.randint(1, 4))]
        chosen.append(c)
        # struct<source, score, tags: list<string>>
        if k % 10 == 3:
            s = None
        elif k % 10 == 4:
            s = {"source": None, "score": None, "tags": None}
        elif k % 10 == 6:
            s = {"source": "hh-rlhf", "score": -0.0, "tags": []}
        else:
            s = {"source": rng.choice(["hh-rlhf", "rewardbench2", "rm-bench", "", "日本語"]),
                 "score": rng.choice([None, round(rng.uniform(-5, 5), 6), 0.1, 1e-310]),
                 "tags": [rng.choice(["chat", "safety", "code", "", None]) for _ in range(rng.randint(0, 3))]}
        meta.append(s)
        # list<list<int64>>
        edge = {1: [], 2: [[]], 3: [None], 4: [[1, None], [], None, [2**63 - 1, -2**63]], 5: None}
        if k in edge:
            l = edge[k]
        else:
            l = [[rng.randint(-10**6, 10**6) for _ in range(rng.randint(0, 4))] for _ in range(rng.randint(0, 3))]
        lol.append(l)
        # map<string, int64>
        if k == 1:
            d = []
        elif k == 2:
            d = None
        elif k == 3:
            d = [("a", None), ("", 0), ("ключ", -1)]
        else:
            d = [(rng.choice(WORDS) + str(i), rng.randint(-100, 100)) for i in range(rng.randint(0, 3))]
        mp.append(d)
    return messages, chosen, meta, lol, mp


MSG_T = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
META_T = pa.struct([("source", pa.string()), ("score", pa.float64()), ("tags", pa.list_(pa.string()))])
LOL_T = pa.list_(pa.list_(pa.int64()))
MAP_T = pa.map_(pa.string(), pa.int64())


# ============================================================ HH-RLHF

def split_transcript(text):
    """'\\n\\nHuman: a\\n\\nAssistant: b ...' -> [{"role": "user", "content": "a"}, ...]."""
    parts = re.split(r"\n\n(Human|Assistant): ", text)
    assert parts[0] == "", parts[0][:40]
    return [{"role": "user" if parts[i] == "Human" else "assistant", "content": parts[i + 1]}
            for i in range(1, len(parts), 2)]


HH_SPLITS = [("helpful-base", 130), ("helpful-rejection-sampled", 70)]
HH_MAX_CHARS = 330


def hh_preference_rows(data):
    """From each split in HH_SPLITS, the first `count` pairs (in file order) whose transcripts are
    short (chosen + rejected <= HH_MAX_CHARS characters, to keep the fixture small), split cleanly
    into turns and agree on every turn but the final Assistant one. prompt = the first Human turn,
    chosen/rejected = the whole transcript as messages, source = the split's name."""
    rows, picked = [], {}
    for split, count in HH_SPLITS:
        src = data / f"hh-rlhf/{split}/test.jsonl.gz"
        lines = picked.setdefault(f"hh-rlhf/{split}/test.jsonl.gz", [])
        with gzip.open(src, "rt", encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                r = json.loads(line)
                if len(r["chosen"]) + len(r["rejected"]) > HH_MAX_CHARS:
                    continue
                try:
                    c, j = split_transcript(r["chosen"]), split_transcript(r["rejected"])
                except AssertionError:
                    continue
                if c[:-1] != j[:-1] or c[-1]["role"] != "assistant" or j[-1]["role"] != "assistant":
                    continue
                rows.append({"prompt": c[0]["content"], "chosen": c, "rejected": j, "source": split})
                lines.append(line_no)
                if len(lines) == count:
                    break
        assert len(lines) == count, (split, len(lines))
    return rows, picked


# ============================================================ fixtures

class Fixtures:
    def __init__(self, out):
        self.out = out
        self.files = []
        self.malformed = []

    def path(self, name):
        return self.out / f"{name}.parquet"

    def add(self, name, table, covers, extra=None, **kwargs):
        """Write `table` with pq.write_table(**kwargs), then read it back for expected.json."""
        path = self.path(name)
        if table is not None:
            pq.write_table(table, path, **kwargs)
        self.record(name, covers, writer_options=kwargs, extra=extra)

    def record(self, name, covers, writer_options=None, extra=None):
        path = self.path(name)
        back = pq.read_table(path)
        rows = back.to_pylist()
        (self.out / f"{name}.expected.json").write_text(
            json.dumps(to_json_value(rows), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        pf = pq.ParquetFile(path)
        md = pf.metadata
        data = path.read_bytes()
        meta, layout = page_layout(data)
        # Cross-check the Thrift decoding against pyarrow's own metadata.
        for i in range(md.num_row_groups):
            for j in range(md.num_columns):
                c = md.row_group(i).column(j)
                mine = layout[i]["columns"][j]
                assert list(c.encodings) == mine["encodings"], (name, c.encodings, mine["encodings"])
                assert c.compression == mine["codec"], (name, c.compression)
                assert c.has_dictionary_page == mine["has_dictionary_page"]
                assert c.path_in_schema == mine["path"]
        kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
        entry = {
            "name": f"{name}.parquet",
            "covers": covers,
            "rows": back.num_rows,
            "columns": [f"{f.name}: {f.type}" + ("" if f.nullable else " not null") for f in back.schema],
            "pyarrow": pa.__version__,
            "bytes": len(data),
            "writer_options": dict(writer_options or {}),
            "format_version": md.format_version,
            "created_by": md.created_by,
            "key_value_metadata_keys": sorted(kv),
            "row_groups": [{"num_rows": rg["num_rows"], "chunks": [chunk_line(c) for c in rg["columns"]]}
                           for rg in layout],
        }
        if extra:
            entry.update(extra)
        self.files.append(entry)
        return entry

    def bad(self, name, data, problem, pyarrow_reads=False):
        """A malformed file; pyarrow must fail on it unless pyarrow_reads (then that is recorded)."""
        path = self.out / f"malformed-{name}.parquet"
        path.write_bytes(data)
        try:
            pq.read_table(path)
            error = None
        except Exception as e:  # noqa: BLE001 -- recording whatever pyarrow raises
            error = f"{type(e).__name__}: {e}".strip()
        assert (error is None) == pyarrow_reads, (name, error)
        entry = {"name": path.name, "bytes": len(data), "problem": problem,
                 "pyarrow_error": error, "pyarrow": pa.__version__}
        if pyarrow_reads:
            entry["note"] = ("pyarrow reads this file without error (it checks only the trailing magic); "
                             "a strict reader should reject it")
        self.malformed.append(entry)


def build(fx, data_dir):
    rng = random.Random(SEED)

    # ---- flat types, one file per codec (v1 pages, dictionary on: pyarrow's defaults)
    flat = flat_columns(rng, 24)
    for codec in ["NONE", "SNAPPY", "GZIP", "ZSTD"]:
        label = "UNCOMPRESSED" if codec == "NONE" else codec
        fx.add(f"flat-{label.lower()}", flat,
               {"codec": label, "page_version": 1, "dictionary": True, "encodings": "dictionary (booleans PLAIN)",
                "nesting": "flat: int32, int64, float32, float64, bool, string, binary, all nullable with nulls"},
               compression=codec)

    # ---- data page v1/v2 x dictionary on/off
    pages = flat_columns(rng, 30).select(["id", "i64", "f64", "flag", "text"])
    for v in ["1.0", "2.0"]:
        for d in [True, False]:
            n = f"pages-v{v[0]}-{'dict' if d else 'plain'}"
            fx.add(n, pages, {"codec": "SNAPPY", "page_version": int(v[0]), "dictionary": d,
                              "encodings": "dictionary" if d else "writer default without dictionary",
                              "nesting": "flat, nullable"},
                   data_page_version=v, use_dictionary=d, compression="SNAPPY")

    # ---- explicit encodings (use_dictionary=False)
    fx.add("enc-plain", flat_columns(rng, 25),
           {"codec": "UNCOMPRESSED", "page_version": 1, "encodings": "PLAIN for every column",
            "nesting": "flat, nullable"},
           use_dictionary=False, compression="NONE",
           column_encoding={c: "PLAIN" for c in ["id", "i32", "i64", "f32", "f64", "flag", "text", "blob"]})
    dints = delta_int_columns(rng, 160)
    fx.add("enc-delta-binary-packed", dints,
           {"codec": "UNCOMPRESSED", "page_version": 1, "encodings": "DELTA_BINARY_PACKED int32/int64",
            "nesting": "flat; i32/i64 nullable, i32_required REQUIRED",
            "note": "constant runs (bit width 0), progressions, small random, alternating extremes "
                    "(deltas overflow: wrap-around arithmetic), full-range random, 160 values (2 blocks of 128)"},
           use_dictionary=False, compression="NONE",
           column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED",
                            "i32_required": "DELTA_BINARY_PACKED"})
    texts = pa.table({"text": pa.array([None if k % 7 == 3 else rand_string(rng) for k in range(80)]),
                      "blob": pa.array([None if k % 9 == 2 else rand_bytes(rng) for k in range(80)], pa.binary())})
    fx.add("enc-delta-length-byte-array", texts,
           {"codec": "UNCOMPRESSED", "page_version": 1, "encodings": "DELTA_LENGTH_BYTE_ARRAY string/binary",
            "nesting": "flat, nullable"},
           use_dictionary=False, compression="NONE",
           column_encoding={"text": "DELTA_LENGTH_BYTE_ARRAY", "blob": "DELTA_LENGTH_BYTE_ARRAY"})
    pref = pa.table({"url": pa.array(prefix_strings(rng, 80)),
                     "sorted": pa.array(sorted(words(rng, 1, 3) for _ in range(80)))})
    fx.add("enc-delta-byte-array", pref,
           {"codec": "UNCOMPRESSED", "page_version": 1, "encodings": "DELTA_BYTE_ARRAY strings",
            "nesting": "flat, nullable",
            "note": "shared prefixes; some shared byte prefixes end inside a UTF-8 character (café/cafè)"},
           use_dictionary=False, compression="NONE",
           column_encoding={"url": "DELTA_BYTE_ARRAY", "sorted": "DELTA_BYTE_ARRAY"})
    bss = flat.select(["f32", "f64", "i32", "i64"])
    fx.add("enc-byte-stream-split", bss,
           {"codec": "UNCOMPRESSED", "page_version": 1, "encodings": "BYTE_STREAM_SPLIT float32/float64/int32/int64",
            "nesting": "flat, nullable"},
           use_dictionary=False, compression="NONE",
           column_encoding={c: "BYTE_STREAM_SPLIT" for c in ["f32", "f64", "i32", "i64"]})
    bools = pa.table({"runs": pa.array([None if k % 23 == 22 else (k // 27) % 2 == 0 for k in range(100)]),
                      "random": pa.array([None if k % 10 == 0 else rng.random() < 0.5 for k in range(100)]),
                      "required": pa.array([rng.random() < 0.8 for _ in range(100)])},
                     schema=pa.schema([("runs", pa.bool_()), ("random", pa.bool_()),
                                       pa.field("required", pa.bool_(), nullable=False)]))
    fx.add("enc-rle-boolean-v1", bools,
           {"codec": "UNCOMPRESSED", "page_version": 1, "encodings": "RLE booleans (requested)",
            "nesting": "flat; runs/random nullable, required REQUIRED"},
           use_dictionary=False, compression="NONE", column_encoding={c: "RLE" for c in bools.column_names})
    fx.add("enc-boolean-v2-default", bools,
           {"codec": "UNCOMPRESSED", "page_version": 2, "encodings": "writer default for booleans on v2 pages",
            "nesting": "flat; runs/random nullable, required REQUIRED"},
           use_dictionary=False, compression="NONE", data_page_version="2.0")
    mixed = pa.table({"i32": dints.column("i32").slice(100, 40), "i64": dints.column("i64").slice(120, 40),
                      "url": pref.column("url").slice(0, 40), "text": texts.column("text").slice(0, 40),
                      "f64": pa.array([None if k % 6 == 0 else rng.uniform(-100, 100) for k in range(40)]),
                      "flag": bools.column("random").slice(0, 40)})
    fx.add("enc-mixed-v2-zstd", mixed,
           {"codec": "ZSTD", "page_version": 2,
            "encodings": "DELTA_BINARY_PACKED, DELTA_BYTE_ARRAY, DELTA_LENGTH_BYTE_ARRAY, BYTE_STREAM_SPLIT, RLE",
            "nesting": "flat, nullable"},
           use_dictionary=False, compression="ZSTD", data_page_version="2.0",
           column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "url": "DELTA_BYTE_ARRAY",
                            "text": "DELTA_LENGTH_BYTE_ARRAY", "f64": "BYTE_STREAM_SPLIT", "flag": "RLE"})

    # ---- several row groups, small pages, dictionary fallback
    long_texts = []
    for k in range(60):
        if k % 10 == 9:
            long_texts.append(None)
        elif k < 20 and k % 3 == 0:
            long_texts.append("repeated value " + str(k % 4))
        else:
            long_texts.append(f"{k:03d} distinct string " + words(rng, 3, 6) + " " + rng.choice(UNICODE)[:12])
    many = pa.table({"id": pa.array(range(60), pa.int64()),
                     "text": pa.array(long_texts),
                     "small": pa.array([None if k % 13 == 0 else k % 5 for k in range(60)], pa.int32()),
                     "f64": pa.array([None if k % 11 == 0 else rng.uniform(-1, 1) for k in range(60)])})
    for v in ["1.0", "2.0"]:
        fx.add(f"multi-rowgroup-pages-v{v[0]}", many,
               {"codec": "SNAPPY", "page_version": int(v[0]), "dictionary": True,
                "nesting": "flat, nullable",
                "note": "3 row groups of 20 rows; data_page_size=256 with write_batch_size=8 gives many "
                        "pages per chunk; dictionary_pagesize_limit=256 makes 'text' fall back to PLAIN "
                        "after its dictionary page (RLE_DICTIONARY pages then PLAIN pages in one chunk)"},
               compression="SNAPPY", data_page_version=v, row_group_size=20, data_page_size=256,
               write_batch_size=8, dictionary_pagesize_limit=256)

    # ---- nesting as HF datasets stores chat data
    messages, chosen, meta, lol, mp = nested_rows(rng, 30)
    nested = {
        "nested-messages": ("messages", messages, MSG_T,
                            "list<struct<role: string, content: string>> with empty list, null list, null "
                            "element and null fields"),
        "nested-list-string": ("chosen", chosen, pa.list_(pa.string()),
                               "list<string> (RewardBench 2 style, 1-4 strings), empty lists, a null list, "
                               "a null element"),
        "nested-struct": ("meta", meta, META_T,
                          "struct<source: string, score: float64, tags: list<string>> with null struct, "
                          "null fields, empty and null tags"),
        "nested-list-list": ("lists", lol, LOL_T,
                             "list<list<int64>>: [], [[]], [null], [[1,null],[],null,...], null"),
        "nested-map": ("counts", mp, MAP_T,
                       "map<string, int64> (to_pylist gives (key, value) tuples: written as 2-element "
                       "lists), empty map, null map, null value"),
    }
    ids = pa.array(range(30), pa.int32())
    for name, (col, values, typ, what) in nested.items():
        fx.add(name, pa.table({"id": ids, col: pa.array(values, typ)}),
               {"codec": "SNAPPY", "page_version": 1, "dictionary": True, "nesting": what},
               compression="SNAPPY")
    all_nested = pa.table({"id": ids, "messages": pa.array(messages, MSG_T),
                           "chosen": pa.array(chosen, pa.list_(pa.string())), "meta": pa.array(meta, META_T),
                           "lists": pa.array(lol, LOL_T), "counts": pa.array(mp, MAP_T)})
    fx.add("nested-all-v2-small-pages", all_nested,
           {"codec": "SNAPPY", "page_version": 2, "dictionary": True,
            "nesting": "all nested columns above in one file; 3 row groups of 10 rows; small pages "
                       "(data_page_size=256, write_batch_size=8) so the repeated columns span several "
                       "pages (each v2 page holds whole rows: it starts at repetition level 0)"},
           compression="SNAPPY", data_page_version="2.0", row_group_size=10, data_page_size=256,
           write_batch_size=8)
    fx.add("nested-v1-small-pages", all_nested.select(["id", "messages", "lists"]),
           {"codec": "GZIP", "page_version": 1, "dictionary": False,
            "nesting": "messages (list<struct>) and lists (list<list<int64>>) from the rows above; 2 row groups "
                       "of 15 rows; small v1 pages (data_page_size=256, write_batch_size=8), no dictionary; "
                       "pyarrow starts these v1 pages at record boundaries too (first repetition level 0), "
                       "although the format allows a v1 page to begin inside a record"},
           compression="GZIP", data_page_version="1.0", row_group_size=15, data_page_size=256,
           write_batch_size=8, use_dictionary=False)

    # ---- required columns, legacy format version, logical integer types, empty table
    req_schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("text", pa.string(), nullable=False),
                            pa.field("score", pa.float64(), nullable=False),
                            pa.field("messages", pa.list_(pa.field("item", pa.struct([
                                pa.field("role", pa.string(), nullable=False),
                                pa.field("content", pa.string(), nullable=False)]), nullable=False)), nullable=False)])
    req_rows = [{"id": k, "text": rand_string(rng), "score": rng.uniform(-1, 1),
                 "messages": [] if k % 7 == 0 else [{"role": "user", "content": rand_string(rng)},
                                                    {"role": "assistant", "content": rand_string(rng)}]}
                for k in range(20)]
    fx.add("required-columns", pa.Table.from_pylist(req_rows, schema=req_schema),
           {"codec": "SNAPPY", "page_version": 1, "dictionary": True,
            "nesting": "REQUIRED columns (no definition levels at top level) incl. a required "
                       "list<required struct<required role, required content>>"},
           compression="SNAPPY")
    fx.add("format-version-1-0", flat_columns(rng, 20),
           {"codec": "SNAPPY", "page_version": 1, "dictionary": True,
            "nesting": "flat, nullable",
            "note": "version='1.0' (legacy): dictionary pages/data pages use PLAIN_DICTIONARY, as in files "
                    "from old writers"},
           compression="SNAPPY", version="1.0")
    n = 20
    ints = pa.table({
        "i8": pa.array([None if k % 9 == 0 else [-128, 127, 0][k % 3] if k < 6 else rng.randint(-128, 127) for k in range(n)], pa.int8()),
        "i16": pa.array([None if k % 9 == 1 else rng.randint(-2**15, 2**15 - 1) for k in range(n)], pa.int16()),
        "u8": pa.array([None if k % 9 == 2 else [0, 255][k % 2] if k < 6 else rng.randint(0, 255) for k in range(n)], pa.uint8()),
        "u16": pa.array([None if k % 9 == 3 else rng.randint(0, 2**16 - 1) for k in range(n)], pa.uint16()),
        "u32": pa.array([None if k % 9 == 4 else [2**32 - 1, 2**31, 0][k % 3] if k < 6 else rng.randint(0, 2**32 - 1) for k in range(n)], pa.uint32()),
        "u64": pa.array([None if k % 9 == 5 else rng.randint(0, 2**63 - 1) for k in range(n)], pa.uint64()),
        "large_text": pa.array([None if k % 9 == 6 else rand_string(rng) for k in range(n)], pa.large_string()),
        "large_blob": pa.array([None if k % 9 == 7 else rand_bytes(rng) for k in range(n)], pa.large_binary()),
        "large_list": pa.array([None if k % 9 == 8 else [rng.randint(-9, 9) for _ in range(k % 4)] for k in range(n)],
                               pa.large_list(pa.int64())),
    })
    fx.add("logical-ints-large-types", ints,
           {"codec": "SNAPPY", "page_version": 1, "dictionary": True,
            "nesting": "flat + large_list",
            "note": "int8/int16/uint8/uint16/uint32 are INT32 with an INTEGER annotation, uint64 is INT64 "
                    "(values kept <= 2^63-1 so JSON stays in Int64), uint32 values >= 2^31 must be read as "
                    "unsigned; large_string/large_binary/large_list are ordinary BYTE_ARRAY/LIST in Parquet, "
                    "restored from ARROW:schema"},
           compression="SNAPPY")
    fx.add("empty-table", flat.slice(0, 0),
           {"codec": "SNAPPY", "page_version": 1, "nesting": "flat",
            "note": "0 rows (outside the 10-300 range on purpose): a reader must return no rows"},
           compression="SNAPPY")

    # ---- a realistic HF preference file, written by `datasets` itself
    import datasets
    rows, picked = hh_preference_rows(data_dir)
    msg = [{"role": datasets.Value("string"), "content": datasets.Value("string")}]
    features = datasets.Features({"prompt": datasets.Value("string"), "chosen": msg, "rejected": msg,
                                  "source": datasets.Value("string")})
    ds = datasets.Dataset.from_list(rows, features=features)
    path = fx.path("hf-preference-hh-rlhf")
    ds.to_parquet(str(path))
    fx.record("hf-preference-hh-rlhf",
              {"codec": "SNAPPY", "page_version": 1, "dictionary": True,
               "nesting": "prompt: string, chosen/rejected: list<struct<role: string, content: string>>, "
                          "source: string",
               "note": "written by datasets.Dataset.from_list(rows, features).to_parquet(path) with datasets "
                       "defaults: pyarrow defaults plus use_content_defined_chunking=config.DEFAULT_CDC_OPTIONS, "
                       "write_page_index=True (ColumnIndex/OffsetIndex structures sit between the last column "
                       "chunk and the footer), 'huggingface' and 'content_defined_chunking' key-value metadata"},
              writer_options={"via": "datasets.Dataset.to_parquet", "datasets": datasets.__version__},
              extra={"source_data": {
                  "files": {"/work/shared/data/" + k: {"lines": v} for k, v in picked.items()},
                  "dataset": "Anthropic HH-RLHF test splits helpful-base and helpful-rejection-sampled "
                             "(anthropics/hh-rlhf @ 354e5c3c; these copies from DaehanKim/EasyRLHF @ 45eccb72: "
                             "helpful-base byte-identical to Anthropic's LFS object, rejection-sampled re-gzipped "
                             "with the official row count)",
                  "licence": "MIT (Copyright (c) 2022 Anthropic)",
                  "selection": f"per split, the first {dict(HH_SPLITS)} lines (in file order) whose chosen + "
                               f"rejected transcripts total <= {HH_MAX_CHARS} characters, split into turns on "
                               "'\\n\\nHuman: ' / '\\n\\nAssistant: ' and agreeing on every turn but the last; "
                               "prompt = first Human turn; chosen/rejected = the whole transcript as "
                               "{role: user|assistant, content} messages; source = the split's name",
              }, "datasets": datasets.__version__})

    # ---- malformed files
    base_table = flat_columns(random.Random(SEED + 1), 20).select(["id", "i32", "text"])
    tmp = fx.out / "_base.parquet"
    pq.write_table(base_table, tmp, compression="SNAPPY", use_dictionary=False, store_schema=False)
    good = tmp.read_bytes()
    tmp.unlink()
    meta, foot_start, foot_len = read_footer(good)
    size = len(good)
    fx.bad("bad-magic-start", b"PAR0" + good[4:], "first 4 bytes are 'PAR0', not 'PAR1' (trailing magic intact)",
           pyarrow_reads=True)
    fx.bad("bad-magic-end", good[:-4] + b"PARX", "last 4 bytes are 'PARX', not 'PAR1'")
    fx.bad("empty", b"", "0-byte file")
    fx.bad("too-small", b"PAR1PAR1", "8 bytes: both magics, no footer length (smaller than the 12-byte minimum)")
    fx.bad("truncated-in-footer", good[:foot_start + foot_len // 2],
           f"valid file cut in the middle of the footer (at {foot_start + foot_len // 2} of {size} bytes): "
           "no footer length, no trailing magic")
    half = good[foot_start:foot_start + foot_len // 2]
    fx.bad("footer-thrift-truncated", good[:foot_start] + half + struct.pack("<I", len(half)) + b"PAR1",
           "footer length and trailing magic are valid, but the footer's Thrift FileMetaData is cut in half "
           "(the decoder runs out of bytes)")
    fx.bad("footer-length-too-large", good[:-8] + struct.pack("<I", size) + b"PAR1",
           f"footer length {size} = file size: the footer would start before the start of the file")
    fx.bad("footer-length-huge", good[:-8] + struct.pack("<I", 0xFFFFFFF0) + b"PAR1",
           "footer length 0xFFFFFFF0: far beyond the file")
    # footer patches: column chunk offsets / sizes outside the file
    m = read_footer(good)[0]
    cc = field(field(m, 4)[1][0], 1)[1][1]  # row group 0, column 1 (i32)
    set_field(field(cc, 3), 9, size + 4096)
    fx.bad("chunk-offset-past-eof", with_footer(good, m),
           f"row group 0, column 'i32': ColumnMetaData.data_page_offset = {size + 4096}, past the end of the "
           f"{size}-byte original file")
    m = read_footer(good)[0]
    md = field(field(field(m, 4)[1][0], 1)[1][1], 3)
    set_field(md, 7, field(md, 7) + size)
    fx.bad("chunk-size-past-eof", with_footer(good, m),
           "row group 0, column 'i32': ColumnMetaData.total_compressed_size enlarged by the file size, so the "
           "chunk runs past the end of the file")
    m = read_footer(good)[0]
    md = field(field(field(m, 4)[1][0], 1)[1][1], 3)
    set_field(md, 9, -8)
    fx.bad("chunk-offset-negative", with_footer(good, m),
           "row group 0, column 'i32': ColumnMetaData.data_page_offset = -8")
    # truncation inside the data
    _, layout = page_layout(good)
    text_chunk = next(c for c in layout[0]["columns"] if c["path"] == "text")
    inside = text_chunk["data_page_offset"] + 40
    fx.bad("truncated-in-data-page", good[:inside],
           f"valid file cut at byte {inside}, inside the first data page of column 'text' (no footer at all)")
    fx.bad("truncated-before-footer", good[:foot_start],
           f"valid file cut at byte {foot_start}, just after the last column chunk (footer missing)")
    # corrupt snappy payload of the first data page of 'text'
    r = Reader(good, text_chunk["data_page_offset"])
    h = r.struct()
    payload_start, payload_len = r.pos, field(h, 3)
    for shift in range(payload_len // 2, payload_len - 8):
        corrupt = bytearray(good)
        for i in range(payload_start + shift, payload_start + shift + 8):
            corrupt[i] ^= 0xFF
        p = fx.out / "_probe.parquet"
        p.write_bytes(corrupt)
        try:
            pq.read_table(p)
            ok = True
        except Exception:  # noqa: BLE001
            ok = False
        p.unlink()
        if not ok:
            break
    else:
        raise SystemExit("no corruption of the snappy page made pyarrow fail")
    fx.bad("corrupt-snappy-page", bytes(corrupt),
           f"column 'text', first data page (v1, SNAPPY): 8 bytes at payload offset {shift} (file bytes "
           f"{payload_start + shift}..{payload_start + shift + 7}) XOR 0xFF; footer and page header intact, "
           f"snappy decompression must fail")
    r = Reader(good, text_chunk["data_page_offset"])
    r.struct()
    corrupt = bytearray(good)
    corrupt[r.pos] ^= 0x7F  # snappy preamble: the uncompressed length varint
    fx.bad("snappy-length-mismatch", bytes(corrupt),
           "column 'text', first data page: the snappy preamble (uncompressed length varint, first payload "
           "byte) changed so it disagrees with the page header's uncompressed_page_size")
    m = read_footer(good)[0]
    md = field(field(field(m, 4)[1][0], 1)[1][2], 3)  # column 'text'
    set_field(md, 9, field(md, 9) + 1)
    set_field(md, 7, field(md, 7) - 1)
    fx.bad("page-header-garbage", with_footer(good, m),
           "column 'text': data_page_offset moved 1 byte into its page header (size reduced to match), so the "
           "page header Thrift decodes to garbage")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/work/shared/data", type=pathlib.Path)
    ap.add_argument("--layout", nargs="+", metavar="FILE",
                    help="only print every page header of these Parquet files, write nothing")
    args = ap.parse_args()
    if args.layout:
        for path in args.layout:
            print_layout(path)
        return
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import datasets

    OUT.mkdir(parents=True, exist_ok=True)
    for p in list(OUT.glob("*.parquet")) + list(OUT.glob("*.expected.json")) + [OUT / "manifest.json"]:
        p.unlink(missing_ok=True)
    fx = Fixtures(OUT)
    build(fx, args.data.resolve())
    manifest = {
        "generator": "scripts/reference/parquet_fixtures.py",
        "command": COMMAND,
        "pyarrow": pa.__version__,
        "datasets": datasets.__version__,
        "python": sys.version.split()[0],
        "seed": SEED,
        "expected_json": "json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False); bytes -> "
                         "{\"$bytes_hex\": hex}; tuples (map entries) -> 2-element lists; floats by repr "
                         "(exact; float32 values as the double they widen to)",
        "layout_notation": LAYOUT_NOTATION,
        "files": fx.files,
        "malformed": fx.malformed,
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT.iterdir() if p.is_file())
    print(f"{len(fx.files)} files, {len(fx.malformed)} malformed, {total} bytes in {OUT}")
    if total > SIZE_BUDGET:
        print(f"warning: over the {SIZE_BUDGET}-byte budget", file=sys.stderr)


if __name__ == "__main__":
    main()
