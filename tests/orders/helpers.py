"""Small builders the orders tests share: image bytes, a decompression bomb, CSV files."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_with_exif(size=(64, 48), name="cup.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", size, (31, 78, 156))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0132] = "2024:01:01 10:00:00"  # DateTime
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png(size=(40, 40), name="vase.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (159, 198, 181, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb(name="bomb.png") -> SimpleUploadedFile:
    """A few hundred bytes of PNG that declare a 100,000 x 100,000 pixel canvas."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body)
    data += _chunk(b"IEND", b"")
    return SimpleUploadedFile(name, data, content_type="image/png")


def not_an_image(name="cup.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 this is not a photo", content_type="image/jpeg")


DOUYIN_HEADER = "主订单编号,商家编码,商品数量,商品单价,订单状态,订单提交时间,收件人\n"


def douyin_csv(*rows: str) -> bytes:
    return (DOUYIN_HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")
