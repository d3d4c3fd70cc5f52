"""Peak server memory of one picture upload: decode it and run every preprocessing step.

Each size runs in a fresh Python process, so the peak resident memory (ru_maxrss) is that
upload's alone: the number printed is the peak minus the memory before the upload.

    .venv/bin/python benchmarks/bench_upload_memory.py
"""

from __future__ import annotations

import subprocess
import sys

SIZES = {"16 megapixels (4000 x 4000)": (4000, 4000), "12 megapixels phone photo (4032 x 3024)": (4032, 3024)}

CHILD = """
import io, resource, sys
import numpy as np
from PIL import Image, ImageDraw
from mnist_core.data.preprocess import decode_image, preprocess

width, height = int(sys.argv[1]), int(sys.argv[2])
picture = Image.new("RGB", (width, height), (235, 232, 225))  # paper
ImageDraw.Draw(picture).line([(width * 0.45, height * 0.2), (width * 0.55, height * 0.8)], fill=(20, 20, 30),
                             width=max(3, width // 40))  # a '1' in dark ink
buffer = io.BytesIO()
picture.save(buffer, format="JPEG", quality=85)
data = buffer.getvalue()
del picture, buffer
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
digit = preprocess(decode_image(data, "photo.jpg")).digit
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{len(data) / 2**20:.1f} MB file, {(after - before) / 1024:.0f} MB more at the peak, digit {digit.shape}")
"""


def main() -> None:
    for label, (width, height) in SIZES.items():
        output = subprocess.run(
            [sys.executable, "-c", CHILD, str(width), str(height)], capture_output=True, text=True, check=True
        )
        print(f"{label}: {output.stdout.strip()}")


if __name__ == "__main__":
    main()
