"""Scanned images become pages without loss: JPEG bytes unchanged, EXIF orientation
honoured, resolution required, 16-bit/alpha handled, decompression bombs refused."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from docgen.errors import ExitCode


def _describe(page: pikepdf.Page, image: pikepdf.Stream) -> tuple[dict, dict]:
    shown = {"rotate": int(page.obj.get("/Rotate", 0)), "width": float(page.mediabox[2])}
    facts = {
        "raw": image.read_raw_bytes(),
        "filter": str(image.get("/Filter")),
        "bpc": int(image.BitsPerComponent),
        "colorspace": str(image.ColorSpace),
        "smask": "/SMask" in image,
        "pixel": pikepdf.PdfImage(image).as_pil_image().getpixel((0, 0)),
    }
    return shown, facts


def _images(out: Path) -> list[tuple[dict, dict]]:
    """(page facts, image facts) of every image in the package, in page order."""
    with pikepdf.open(out) as pdf:
        return [
            _describe(page, image) for page in pdf.pages for image in page.get_images().values()
        ]


def _build(docgen, tmp_path: Path, *files: Path, extra: tuple[str, ...] = ()):
    out = tmp_path / "p.pdf"
    args = [a for f in files for a in ("--document", f"掃描={f}")]
    run = docgen("package", "build", *args, "--month", "2026-10", "--category",
                 "monthly_check", *extra, "-o", out)  # fmt: skip
    return run, out


def test_jpeg_streams_are_byte_identical_to_the_files(make, docgen, tmp_path) -> None:
    jpegs = [make.jpeg(f"scan{n}.jpg", seed=n) for n in range(3)]
    run, out = _build(docgen, tmp_path, *jpegs)
    assert run.exit_code == 0, run.error
    images = _images(out)
    assert [i["raw"] for _page, i in images] == [p.read_bytes() for p in jpegs]
    assert {i["filter"] for _page, i in images} == {"/DCTDecode"}
    assert images[0][0]["width"] == pytest.approx(600 / 300 * 72)


def test_exif_orientation_rotates_the_page_not_the_pixels(make, docgen, tmp_path) -> None:
    rotated = make.jpeg("rotated.jpg", orientation=6)
    run, out = _build(docgen, tmp_path, rotated)
    assert run.exit_code == 0, run.error
    ((page, image),) = _images(out)
    assert page["rotate"] == 90
    assert image["raw"] == rotated.read_bytes()


def test_an_invalid_orientation_is_ignored_with_a_note(make, docgen, tmp_path) -> None:
    odd = make.jpeg("odd.jpg", orientation=9)
    run, out = _build(docgen, tmp_path, odd)
    assert run.exit_code == 0, run.error
    assert "invalid EXIF orientation 9 ignored" in run.output
    ((page, image),) = _images(out)
    assert page["rotate"] == 0
    assert image["raw"] == odd.read_bytes()


@pytest.mark.parametrize(("dpi", "said"), [(None, "has no resolution"), (72, "says 72 dpi")])
def test_a_missing_or_screen_resolution_asks_for_dpi(make, docgen, tmp_path, dpi, said) -> None:
    scan = make.jpeg("scan.jpg", dpi=dpi)
    run, out = _build(docgen, tmp_path, scan)
    assert run.exit_code == ExitCode.INPUT
    assert said in run.error
    assert "--dpi" in run.error
    assert str(scan) in run.error
    assert not out.exists()


def test_dpi_option_sizes_pages_of_images_without_one(make, docgen, tmp_path) -> None:
    scan = make.jpeg("scan.jpg", dpi=None)
    good = make.jpeg("good.jpg", seed=5)
    run, out = _build(docgen, tmp_path, scan, good, extra=("--dpi", "200"))
    assert run.exit_code == 0, run.error
    (page, image), (good_page, _good) = _images(out)
    assert page["width"] == pytest.approx(600 / 200 * 72)
    assert good_page["width"] == pytest.approx(600 / 300 * 72)  # its own 300 dpi is kept
    assert image["raw"] == scan.read_bytes()
    assert "using 200 dpi" in run.output


def test_16_bit_alpha_png_is_converted_with_pillow_and_says_so(make, docgen, tmp_path) -> None:
    png = make.png16_rgba("deep.png")
    run, out = _build(docgen, tmp_path, png)
    assert run.exit_code == 0, run.error
    assert "img2pdf refused it" in run.output
    assert "converted with Pillow" in run.output
    ((_page, image),) = _images(out)
    assert (image["bpc"], image["colorspace"], image["smask"]) == (8, "/DeviceRGB", False)
    # 16-bit (40000, 20000, 1000) at alpha 50000/65535, flattened on white
    assert image["pixel"] == pytest.approx((179, 120, 63), abs=2)


def test_8_bit_alpha_png_keeps_its_transparency_losslessly(make, docgen, tmp_path) -> None:
    rgba = make.noise("RGBA")
    png = make.image("alpha.png", rgba, "PNG", dpi=(300, 300))
    run, out = _build(docgen, tmp_path, png)
    assert run.exit_code == 0, run.error
    ((_page, image),) = _images(out)
    assert image["smask"] is True
    assert image["pixel"][:3] == rgba.getpixel((0, 0))[:3]


def test_16_bit_grey_png_is_kept_at_16_bits(make, docgen, tmp_path) -> None:
    grey = Image.new("I;16", (120, 160), 40000)
    png = make.image("grey16.png", grey, "PNG", dpi=(300, 300))
    run, out = _build(docgen, tmp_path, png)
    assert run.exit_code == 0, run.error
    ((_page, image),) = _images(out)
    assert image["bpc"] == 16


def test_decompression_bombs_are_refused(make, docgen, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    big = make.image("big.png", Image.new("L", (400, 400)), "PNG", dpi=(300, 300))
    run, out = _build(docgen, tmp_path, big)
    assert run.exit_code == ExitCode.INPUT
    assert "image too large" in run.error
    assert str(big) in run.error
    assert not out.exists()
