"""Read IDX files, the binary format the MNIST database is published in.

Layout: a 4-byte big-endian magic number (two zero bytes, a type code, the
number of dimensions), one 4-byte big-endian size per dimension, then the data
in row-major order. The files may be gzip-compressed.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_core.i18n import N_, integer, tr

# Type codes defined by the IDX format. MNIST only uses 0x08 (unsigned byte).
IDX_TYPES = {
    0x08: (N_("unsigned byte"), np.dtype(">u1")),
    0x09: (N_("signed byte"), np.dtype(">i1")),
    0x0B: (N_("short (2 bytes)"), np.dtype(">i2")),
    0x0C: (N_("int (4 bytes)"), np.dtype(">i4")),
    0x0D: (N_("float (4 bytes)"), np.dtype(">f4")),
    0x0E: (N_("double (8 bytes)"), np.dtype(">f8")),
}


@dataclass(frozen=True)
class IdxHeader:
    """The header fields of one IDX file."""

    magic: int  # the whole first 4 bytes as one big-endian integer, e.g. 0x00000803
    type_code: int  # third byte of the magic number
    type_name: str  # in English: translate it where it is shown, tr(header.type_name)
    dims: tuple[int, ...]  # one size per dimension, e.g. (60000, 28, 28)
    header_bytes: int  # 4 + 4 * len(dims)

    @property
    def magic_hex(self) -> str:
        return f"0x{self.magic:08X}"


def read_raw_bytes(path: str | Path) -> bytes:
    """Return the file's bytes, gunzipped when the name ends in .gz."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(tr("{path}: file not found").format(path=path))
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(
            tr("{file}: not a valid gzip file ({error}); download or copy it again").format(
                file=path.name, error=error
            )
        ) from error


def parse_header(data: bytes, name: str = "IDX data") -> IdxHeader:
    """Parse and check the header at the start of ``data``.

    Raises
    ------
    ValueError
        When the magic number is wrong or the header is cut short.
    """
    if len(data) < 4:
        raise ValueError(
            tr("{file}: only {count} bytes, too short for an IDX header").format(file=name, count=len(data))
        )
    zero_a, zero_b, type_code, n_dims = struct.unpack(">BBBB", data[:4])
    if zero_a != 0 or zero_b != 0:
        raise ValueError(
            tr(
                "{file}: bad magic number {magic}: an IDX file starts with two zero bytes; this is not an IDX file"
            ).format(file=name, magic="0x" + data[:4].hex().upper())
        )
    if type_code not in IDX_TYPES:
        raise ValueError(
            tr("{file}: unknown IDX type code {code}").format(file=name, code=f"0x{type_code:02X}")
        )
    if n_dims == 0:
        raise ValueError(tr("{file}: header declares zero dimensions").format(file=name))
    header_bytes = 4 + 4 * n_dims
    if len(data) < header_bytes:
        raise ValueError(
            tr("{file}: truncated header ({count} of {total} bytes)").format(
                file=name, count=len(data), total=header_bytes
            )
        )
    dims = struct.unpack(f">{n_dims}I", data[4:header_bytes])
    magic = struct.unpack(">I", data[:4])[0]
    return IdxHeader(magic, type_code, IDX_TYPES[type_code][0], tuple(dims), header_bytes)


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (optionally gzip'd) into a numpy array.

    Parameters
    ----------
    path : str or Path
        An IDX file such as ``train-images-idx3-ubyte.gz``.

    Returns
    -------
    ndarray of shape ``header.dims``
        Native-endian values of the file's type (uint8 for MNIST).

    Raises
    ------
    ValueError
        Naming the file and what is wrong: not found, not gzip, bad magic number,
        truncated data or trailing bytes.
    """
    path = Path(path)
    data = read_raw_bytes(path)
    header = parse_header(data, path.name)
    dtype = IDX_TYPES[header.type_code][1]
    expected = int(np.prod(header.dims, dtype=np.int64)) * dtype.itemsize
    actual = len(data) - header.header_bytes
    if actual < expected:
        raise ValueError(
            tr(
                "{file}: truncated: header promises {shape} values ({expected} bytes) but only {actual} bytes follow"
            ).format(file=path.name, shape=header.dims, expected=integer(expected), actual=integer(actual))
        )
    if actual > expected:
        raise ValueError(
            tr("{file}: {count} unexpected bytes after the data; the file is corrupt").format(
                file=path.name, count=integer(actual - expected)
            )
        )
    values = np.frombuffer(data, dtype=dtype, offset=header.header_bytes)
    return values.reshape(header.dims).astype(dtype.newbyteorder("="), copy=False)


def read_idx_header(path: str | Path) -> IdxHeader:
    """Read just the header of an IDX file."""
    path = Path(path)
    return parse_header(read_raw_bytes(path), path.name)


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write a uint8 array as an IDX file (gzip'd when the name ends in .gz)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
