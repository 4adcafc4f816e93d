"""Hostile inputs to ``docgen package build`` (ISSUE 9 items 1 and 3): active content
is stripped and named; bombs, encrypted, truncated and looping PDFs, image bombs and
manifests that reach outside their folder are refused in one line naming the file,
with nothing written."""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pikepdf
import pytest

from docgen.errors import ExitCode
from docgen.packages import bounds


def _build(docgen, tmp_path: Path, *files: Path, extra: tuple[str, ...] = (), role="document"):
    out = tmp_path / "out" / "p.pdf"
    if role == "document":
        args = [a for f in files for a in ("--document", f"附件4={f}")]
    else:
        args = ["--document", f"附件4={files[0]}"]
        args += [a for f in files[1:] for a in ("--evidence", f"佐證={f}")]
    run = docgen("package", "build", *args, "--month", "2026-10", "--category", "other",
                 *extra, "-o", out)  # fmt: skip
    return run, out


def _refused(run, out: Path, path: Path, said: str) -> None:
    """Exit code 3, one line naming the file and saying ``said``, nothing written."""
    assert run.exit_code == ExitCode.INPUT, run.output
    assert run.error.startswith(f"{path}: "), run.error
    assert said in run.error, run.error
    assert "\n" not in run.error
    assert not out.parent.exists()


# ---- item 1: active content ---------------------------------------------------------


@pytest.mark.parametrize("pdfa", [False, True], ids=["plain", "pdfa"])
def test_active_content_is_stripped_and_named(make, docgen, tmp_path, hostile, pdfa) -> None:
    scan = hostile.active_pdf(make.path("scan.pdf"), forms=not pdfa)  # PDF/A has no forms
    expected = dict(hostile.ACTIVE_CONTENT)
    if not pdfa:
        for kind, count in hostile.FORM_CONTENT.items():
            expected[kind] = expected.get(kind, 0) + count
    assert hostile.active_content_left(scan)  # the input has it all
    run, out = _build(docgen, tmp_path, scan, extra=("--pdfa",) if pdfa else ())
    assert run.exit_code == 0, run.error
    assert hostile.active_content_left(out) == []
    note = next(line for line in run.output.splitlines() if "scan.pdf: removed" in line)
    js = expected["JavaScript action"]
    assert note.startswith(f"Note: scan.pdf: removed {js} JavaScript actions, 2 embedded files")
    assert "1 Launch action" in note and "1 URI action" in note and "1 3D annotation" in note
    assert ("1 XFA form" in note) is not pdfa
    manifest = json.loads(out.with_name("p.pdf.manifest.json").read_text("utf-8"))
    assert manifest["inputs"][0]["removed"] == expected
    assert any("scan.pdf: removed" in n for n in manifest["inputs"][0]["notes"])
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
        annots = [a for page in pdf.pages for a in page.get("/Annots", [])]
        links = [a for a in annots if a.get("/Subtype") == "/Link"]
        kept = [str(a.A.S) for a in links if "/A" in a]
        assert kept == ["/GoTo"]  # navigation inside the document stays; its /Next went


def test_the_input_file_itself_is_untouched(make, docgen, tmp_path, hostile) -> None:
    scan = hostile.active_pdf(make.path("scan.pdf"))
    before = scan.read_bytes()
    run, _out = _build(docgen, tmp_path, scan)
    assert run.exit_code == 0, run.error
    assert scan.read_bytes() == before


def test_a_clean_pdf_is_merged_as_it_is_and_nothing_is_said(make, docgen, tmp_path) -> None:
    form = make.text_pdf("form.pdf", "Form", pages=2)
    run, out = _build(docgen, tmp_path, form)
    assert run.exit_code == 0, run.error
    assert "removed" not in run.output
    manifest = json.loads(out.with_name("p.pdf.manifest.json").read_text("utf-8"))
    assert manifest["inputs"][0]["removed"] == {}


# ---- item 3: bombs ------------------------------------------------------------------


@pytest.mark.parametrize("nested", [False, True], ids=["flate", "flate-in-flate"])
@pytest.mark.parametrize("pdfa", [False, True], ids=["plain", "pdfa"])
def test_a_pdf_decompression_bomb_is_refused(make, docgen, tmp_path, hostile, nested,
                                             pdfa) -> None:  # fmt: skip
    bomb = hostile.content_bomb(make.path("bomb.pdf"), nested=nested)  # 1 GiB of spaces
    assert bomb.stat().st_size < 2 << 20
    run, out = _build(docgen, tmp_path, bomb, extra=("--pdfa",) if pdfa else ())
    _refused(run, out, bomb, "inflates to more than 64 MiB; refused as a decompression bomb")


@pytest.mark.parametrize("where", ["xmp", "lzw", "image"])
def test_other_pdf_bombs_are_refused(make, docgen, tmp_path, hostile, where) -> None:
    bomb = hostile.stream_bomb(make.path(f"{where}.pdf"), where)
    run, out = _build(docgen, tmp_path, make.jpeg("scan.jpg"), bomb, role="evidence")
    said = "100000×100000 pixels" if where == "image" else "inflates to more than 64 MiB"
    _refused(run, out, bomb, said)


def test_the_bound_measures_what_qpdf_decodes(hostile) -> None:
    """Each filter the bound decodes gives qpdf's bytes: the limit is exact."""
    pdf = pikepdf.new()
    data = bytes(range(256)) * 300 + b"\0" * 70_000
    run_length = b"".join(bytes([127]) + data[i : i + 128] for i in range(0, 76_800, 128))
    run_length += bytes([129, 0]) * (70_000 // 128) + bytes([257 - 70_000 % 128, 0])
    cases = {
        "/FlateDecode": zlib.compress(data),
        "/LZWDecode": hostile.lzw_encode(data),
        "/RunLengthDecode": run_length + b"\x80",
        "/ASCIIHexDecode": data.hex().encode() + b">",
        "/ASCII85Decode": base64.a85encode(data, wrapcol=72) + b"~>",
    }
    for name, encoded in cases.items():
        stream = pikepdf.Stream(pdf, encoded)
        stream.Filter = pikepdf.Name(name)
        size = len(stream.read_bytes(pikepdf.StreamDecodeLevel.specialized))
        assert size == len(data), name
        assert bounds.inflates_within(stream, size), name
        assert not bounds.inflates_within(stream, size - 1), name


def _png(chunks: list[tuple[bytes, bytes]], size: tuple[int, int] = (64, 64)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    w, h = size
    rows = b"".join(b"\0" + b"\x80" * (w * 3) for _ in range(min(h, 64)))
    head = [(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))]
    head.append((b"pHYs", struct.pack(">IIB", 11811, 11811, 1)))
    body = [*head, *chunks, (b"IDAT", zlib.compress(rows)), (b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunk(k, d) for k, d in body)


@pytest.mark.parametrize("chunk", [b"iCCP", b"zTXt"])
def test_a_png_chunk_bomb_is_refused_in_one_line(make, tmp_path, chunk) -> None:
    bomb = zlib.compress(b"\0" * (8 << 20), 9)  # Pillow inflates chunks to 1 MiB at most
    name = b"icc\0\0" if chunk == b"iCCP" else b"Comment\0\0"
    png = make.path("evidence.png")
    png.write_bytes(_png([(chunk, name + bomb)]))
    done = _subprocess_build(tmp_path, "--document", f"附件4={png}")
    assert done.returncode == ExitCode.INPUT
    assert done.stderr == (
        f"Error: {png}: a compressed chunk of the image inflates beyond Pillow's safety "
        "limit; refused as a decompression bomb\n"
    )


def test_an_image_of_too_many_pixels_is_refused(make, docgen, tmp_path) -> None:
    png = make.path("huge.png")
    png.write_bytes(_png([], size=(40_000, 40_000)))  # 1.6 gigapixels, a few bytes
    run, out = _build(docgen, tmp_path, png)
    _refused(run, out, png, "image too large to process safely")


def _subprocess_build(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # none of the workspace's settings, but the tests' language (DOCGEN_LANG: English)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env["DOCGEN_LANG"] = "en"
    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")  # -w names a workspace
    return subprocess.run(
        [sys.executable, "-m", "docgen", "-w", str(tmp_path), "package", "build", *args,
         "--month", "2026-10", "--category", "other", "-o", str(tmp_path / "out" / "p.pdf")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_the_command_line_refuses_a_bomb_without_a_traceback(make, tmp_path, hostile) -> None:
    bomb = hostile.content_bomb(make.path("bomb.pdf"))
    done = _subprocess_build(tmp_path, "--document", f"附件4={bomb}")
    assert done.returncode == ExitCode.INPUT
    assert done.stderr.startswith(f"Error: {bomb}: a compressed stream in it (object ")
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


# ---- item 3: encrypted, truncated, looping ------------------------------------------


def test_an_encrypted_pdf_says_how_to_decrypt_it(make, docgen, tmp_path) -> None:
    plain = make.text_pdf("plain.pdf", "Secret")
    locked = make.path("locked.pdf")
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="s3cret", owner="o"))
    run, out = _build(docgen, tmp_path, locked)
    _refused(run, out, locked, "qpdf --decrypt --password=PASSWORD IN.pdf OUT.pdf")
    assert "give it with --password" in run.error


def test_a_pdf_encrypted_for_a_certificate_is_refused(make, docgen, tmp_path, hostile) -> None:
    locked = hostile.certificate_encrypted(make.path("cert.pdf"))
    run, out = _build(docgen, tmp_path, locked)
    _refused(run, out, locked, "encrypted in a way docgen cannot open")
    assert "qpdf --decrypt" in run.error


@pytest.mark.parametrize("fraction", [0.35, 0.5, 0.7])
def test_a_pdf_truncated_mid_way_is_refused_not_half_repaired(make, docgen, tmp_path,
                                                              fraction) -> None:  # fmt: skip
    whole = make.text_pdf("whole.pdf", "Whole", pages=3).read_bytes()
    cut = make.path("cut.pdf")
    cut.write_bytes(whole[: int(len(whole) * fraction)])
    run, out = _build(docgen, tmp_path, cut)
    _refused(run, out, cut, "the PDF is truncated or damaged and repair would lose part of it")


def test_a_page_tree_loop_is_refused(make, docgen, tmp_path, hostile) -> None:
    loop = hostile.page_tree_loop(make.path("loop.pdf"))
    run, out = _build(docgen, tmp_path, loop)
    _refused(run, out, loop, "its page tree loops back on itself")
    assert run.error.count(str(loop)) == 1


# ---- item 3: links, special files, manifests reaching out ---------------------------


def test_a_link_named_on_the_command_line_is_followed(make, docgen, tmp_path) -> None:
    real = make.jpeg("real.jpg")
    link = make.path("link.jpg")
    link.symlink_to(real)
    run, out = _build(docgen, tmp_path, link)
    assert run.exit_code == 0, run.error
    manifest = json.loads(out.with_name("p.pdf.manifest.json").read_text("utf-8"))
    assert manifest["inputs"][0]["path"] == str(real.resolve())


def test_a_pipe_is_not_opened(make, docgen, tmp_path) -> None:
    fifo = make.path("scan.pdf")
    os.mkfifo(fifo)  # opening it would wait for a writer for ever
    run, out = _build(docgen, tmp_path, fifo)
    _refused(run, out, fifo, "not a regular file")


def _spec(make, files: str) -> Path:
    spec = make.path("package.yaml")
    spec.write_text(f"documents:\n  - title: 附件4\n    files: {files}\n", encoding="utf-8")
    return spec


@pytest.mark.parametrize("kind", ["parent", "absolute", "link", "linked-folder"])
def test_a_manifest_cannot_name_files_outside_its_folder(make, docgen, tmp_path, kind) -> None:
    outside = tmp_path / "secret"
    outside.mkdir()
    target = make.jpeg("secret.jpg").rename(outside / "secret.jpg")
    if kind == "parent":
        name = "../secret/secret.jpg"
    elif kind == "absolute":
        name = str(target)
    elif kind == "link":
        make.path("innocent.jpg").symlink_to(target)
        name = "innocent.jpg"
    else:
        make.path("scans").symlink_to(outside, target_is_directory=True)
        name = "scans/secret.jpg"
    spec = _spec(make, f"[{json.dumps(name)}]")
    out = tmp_path / "out" / "p.pdf"
    run = docgen("package", "build", "--manifest", spec, "--month", "2026-10",
                 "--category", "other", "-o", out)  # fmt: skip
    _refused(run, out, spec, f"{name!r} is outside the manifest's folder")


def test_a_manifest_may_name_files_below_its_folder(make, docgen, tmp_path) -> None:
    (make.folder / "scans").mkdir()
    make.jpeg("a.jpg").rename(make.folder / "scans" / "a.jpg")
    spec = _spec(make, "[scans/../scans/a.jpg]")
    out = tmp_path / "out" / "p.pdf"
    run = docgen("package", "build", "--manifest", spec, "--month", "2026-10",
                 "--category", "other", "-o", out)  # fmt: skip
    assert run.exit_code == 0, run.error


def test_a_manifest_with_yaml_aliases_is_refused(make, docgen, tmp_path) -> None:
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    laughs += [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
               for p, c in zip("abcdefgh", "bcdefghi", strict=True)]  # fmt: skip
    spec = make.path("package.yaml")
    spec.write_text("\n".join(laughs) + "\ndocuments: *i\n", encoding="utf-8")
    out = tmp_path / "out" / "p.pdf"
    run = docgen("package", "build", "--manifest", spec, "-o", out)
    assert run.exit_code == ExitCode.INPUT
    assert run.error.startswith(f"{spec}: not valid YAML")
    assert "line 2, column 8: aliases (*name) are not accepted" in run.error


def test_inspect_refuses_a_metadata_bomb(make, docgen, hostile) -> None:
    bomb = hostile.stream_bomb(make.path("xmp.pdf"), "xmp")
    run = docgen("package", "inspect", bomb)
    assert run.exit_code == ExitCode.INPUT
    assert run.error == f"{bomb}: its XMP metadata is a decompression bomb; refused"
