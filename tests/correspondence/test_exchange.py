"""The DI exchange file (ISSUE 14 item 3): element order of the 104-version DTDs, item
markers, ROC dates, attachments as unparsed entities, validation against docgen's own
DTDs before anything is written, and reading DI files from outside without loading,
expanding or fetching anything (research/taiwan-conventions.md §2)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import ClassVar

import pytest
from lxml import etree

from docgen.correspondence.document import (
    Attachment,
    Document,
    DocumentNumber,
    Item,
    Party,
    Section,
    Sender,
)
from docgen.correspondence.exchange import (
    MAX_DI_BYTES,
    di_bytes,
    dtd_dir,
    file_name_problem,
    read_di,
    validate,
    write_di,
)
from docgen.errors import InputError

#: The 函 and 簽 content models as research/taiwan-conventions.md §2.2 quotes them.
LETTER_MODEL = [
    "發文機關", "函類別", "地址", "聯絡方式", "受文者", "發文日期", "發文字號", "速別",
    "密等及解密條件或保密期限", "附件", "主旨", "段落", "正本", "副本", "署名",
]  # fmt: skip
MEMO_MODEL = [
    "發文機關", "單位", "受文者", "文號", "速別", "密等及解密條件或保密期限", "擬辦方式",
    "附件", "主旨", "段落", "敬陳", "署名", "年月日",
]  # fmt: skip

OFFICE = Sender(
    name="臺北市市場處",
    code="379130000C",
    unit="企劃室",
    unit_code="379130000C01",
    address="臺北市中山區民生東路三段○號",
    contacts=("承辦人：王○明", "電話：02-2712-0000", "電子信箱：example@example.gov.tw"),
)
BUREAU = Party(name="臺北市政府民政局", code="379000000A")
ATTACHMENTS = (
    Attachment("115年上半年稽核紀錄表", "稽核紀錄表.pdf"),
    Attachment("案件抽查表", "案件抽查表.pdf"),
)
EXPLANATION = Section(
    "說明",
    items=(
        Item("依據臺北市政府戶役政資料使用管理規定辦理。"),
        Item(
            "本期稽核結果如下：",
            (Item("查詢筆數1,204筆，抽查60筆。"), Item("異常2筆，已移送政風室。")),
        ),
    ),
)


def letter(**changes: object) -> Document:
    """A 函 from 市場處 to 民政局 with two levels of items and two attachments."""
    document = Document(
        form="函",
        sender=OFFICE,
        subject="檢送本處115年上半年戶役政資料稽核紀錄表及案件抽查表各1份，請　查照。",
        sections=(EXPLANATION, Section("辦法", text="請於115年8月31日前彙整。")),
        receiver=BUREAU,
        date=date(2026, 11, 27),
        number=DocumentNumber("北市市企字", 115, "3025174"),
        attachments_note="如說明二",
        attachments=ATTACHMENTS,
        originals=(BUREAU,),
        copies=(Party("本處秘書室", kind="unit", with_attachments=True),),
        signature=("處長　○○○",),
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def memo(**changes: object) -> Document:
    """A 簽 from 企劃室 to the 處長 with 說明 and 擬辦 and two attachments."""
    document = Document(
        form="簽",
        sender=OFFICE,
        subject="陳報115年上半年戶役政資料異常案件2件，簽請　核示。",
        sections=(EXPLANATION, Section("擬辦", items=(Item("移請政風室查處。"),))),
        date=date(2026, 11, 27),
        number=DocumentNumber("", 115),
        attachments=ATTACHMENTS,
        signature=("承辦人　王○明",),
        submit_to=("處長",),
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def parsed(path: Path) -> etree._Element:
    """A written DI file parsed plainly (no DTD, no entities)."""
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    return etree.parse(str(path), parser).getroot()


def collapsed(tags: list[str]) -> list[str]:
    """``tags`` with repeats of one element (聯絡方式, 段落) shown once."""
    return [t for i, t in enumerate(tags) if i == 0 or tags[i - 1] != t]


def model_names(content: etree._DTDElementContentDecl | None) -> list[str]:
    if content is None:
        return []
    if content.type == "element":
        return [str(content.name)]
    return model_names(content.left) + model_names(content.right)


def shipped_model(form: str) -> list[str]:
    dtd = etree.DTD(str(dtd_dir() / {"函": "104_2_utf8.dtd", "簽": "104_5_utf8.dtd"}[form]))
    return next(model_names(e.content) for e in dtd.iterelements() if e.name == form)


# --- the shipped DTDs ----------------------------------------------------------------


@pytest.mark.parametrize(("form", "model"), [("函", LETTER_MODEL), ("簽", MEMO_MODEL)])
def test_shipped_dtd_has_the_published_content_model(form: str, model: list[str]) -> None:
    assert shipped_model(form) == model


# --- writing -------------------------------------------------------------------------


def test_letter_in_dtd_order_with_markers_date_and_attachments(tmp_path: Path) -> None:
    target = tmp_path / "函.di"
    write_di(target, letter())
    data = target.read_bytes()
    assert data.startswith(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE 函 SYSTEM "104_2_utf8.dtd" ['.encode()
    )
    root = parsed(target)
    tags = [str(child.tag) for child in root]
    assert collapsed(tags) == LETTER_MODEL
    assert tags.count("聯絡方式") == 3 and tags.count("段落") == 2
    assert root.findtext("發文機關/全銜") == "臺北市市場處"
    assert root.findtext("受文者/全銜") == "臺北市政府民政局"
    assert root.findtext("受文者/機關代碼") == "379000000A"
    assert root.findtext("發文日期/年月日") == "中華民國115年11月27日"
    assert [root.findtext(f"發文字號/{p}") for p in ("字", "文號/年度", "文號/流水號")] == [
        "北市市企字",
        "115",
        "3025174",
    ]
    explanation = root.find("段落[@段名='說明：']")
    assert explanation is not None
    assert [i.get("序號") for i in explanation.findall("條列")] == ["一、", "二、"]
    assert [i.get("序號") for i in explanation.findall("條列/條列")] == ["(一)", "(二)"]
    assert explanation.findtext("條列[2]/條列[2]/文字") == "異常2筆，已移送政風室。"
    assert root.findtext("段落[@段名='辦法：']/文字") == "請於115年8月31日前彙整。"
    assert root.findtext("附件/文字") == "如說明二"
    named = [e.get("附件名") for e in root.findall("附件/附件檔名")]
    declared = {e.name: e.system_url for e in root.getroottree().docinfo.internalDTD.iterentities()}
    assert named == ["ATTCH1", "ATTCH2"]
    assert [declared[n] for n in named] == ["稽核紀錄表.pdf", "案件抽查表.pdf"]
    assert b'<!ENTITY ATTCH1 SYSTEM "\xe7\xa8\xbd' in data and b"NDATA DI>" in data
    assert b'<!NOTATION DI SYSTEM "">' in data
    assert root.findtext("副本/含附件") == "含附件"
    assert root.findtext("副本/單位名") == "本處秘書室"
    assert read_di(data).attachments == ("稽核紀錄表.pdf", "案件抽查表.pdf")


def test_memo_in_dtd_order(tmp_path: Path) -> None:
    target = tmp_path / "簽.di"
    write_di(target, memo())
    root = parsed(target)
    assert root.getroottree().docinfo.system_url == "104_5_utf8.dtd"
    tags = collapsed([str(child.tag) for child in root])
    assert tags == [t for t in MEMO_MODEL if t in tags]  # the model's order, parts left out
    assert tags == [
        "發文機關", "文號", "速別", "密等及解密條件或保密期限", "附件", "主旨", "段落", "敬陳",
        "署名", "年月日",
    ]  # fmt: skip
    assert root.findtext("發文機關/單位名") == "企劃室"
    assert root.findtext("發文機關/單位代碼") == "379130000C01"
    assert root.findtext("年月日") == "中華民國115年11月27日"
    assert root.findtext("段落[@段名='擬辦：']/條列[@序號='一、']/文字") == "移請政風室查處。"
    assert root.findtext("敬陳/職稱") == "處長"
    assert [e.get("附件名") for e in root.findall("附件/附件檔名")] == ["ATTCH1", "ATTCH2"]
    assert root.findtext("附件/文字") == "115年上半年稽核紀錄表、案件抽查表"


@pytest.mark.parametrize(
    "document",
    [
        letter(),
        memo(),
        letter(date=None, number=DocumentNumber("北市市企字"), copies=(), attachments=()),
        letter(speed="最速件", secrecy="密", declassify="本案發文後解密", letter_type="書函"),
        letter(receiver=Party("王○明", kind="person", title="科員", code="379130000C")),
        memo(date=None, sender=replace(OFFICE, unit=""), receiver=BUREAU, attachments=()),
    ],
    ids=["letter", "memo", "blank-date-number", "secret", "person", "memo-plain"],
)
def test_every_written_file_validates(tmp_path: Path, document: Document) -> None:
    target = tmp_path / "out.di"
    write_di(target, document)
    data = target.read_bytes()
    validate(data)
    # And by libxml2's own loading of the shipped DTDs beside the file, not docgen's resolver.
    for shipped in dtd_dir().iterdir():
        (tmp_path / shipped.name).write_bytes(shipped.read_bytes())
    plain = etree.XMLParser(dtd_validation=True, resolve_entities=False, no_network=True)
    assert etree.parse(str(target), plain).getroot().tag == document.form


def test_blank_date_and_number_are_left_for_the_document_system(tmp_path: Path) -> None:
    target = tmp_path / "函.di"
    write_di(target, letter(date=None, number=DocumentNumber("北市市企字")))
    root = parsed(target)
    assert etree.tostring(root.find("發文日期"), encoding=str).strip() == (
        "<發文日期>\n    <年月日/>\n  </發文日期>"
    )
    assert root.findtext("發文字號/字") == "北市市企字"
    assert [root.find(f"發文字號/文號/{p}").text for p in ("年度", "流水號", "支號")] == [None] * 3


def test_out_of_order_element_is_refused() -> None:
    root = etree.fromstring(di_bytes(letter()), etree.XMLParser(resolve_entities=False))
    subject, attachments = root.find("主旨"), root.find("附件")
    attachments.addprevious(subject)  # 主旨 before 附件
    swapped = etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)
    assert b"<!ENTITY ATTCH1" in swapped
    with pytest.raises(InputError, match=r"does not follow the 104 DTD, line \d+: .*函"):
        validate(swapped)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda d: d.replace("普通件".encode(), "特急件".encode()), "速別"),
        (lambda d: d.replace(b'"ATTCH2"/>', b'"ATTCH3"/>'), "ATTCH3"),
        (lambda d: d.replace(b'<!NOTATION DI SYSTEM "">', b""), "NOTATION"),
        (lambda d: d.replace('<函類別 代碼="函"/>'.encode(), b""), "函"),
    ],
    ids=["speed", "undeclared-entity", "no-notation", "missing-part"],
)
def test_invalid_files_are_refused(edit: object, problem: str) -> None:
    data = edit(di_bytes(letter()))  # type: ignore[operator]
    with pytest.raises(InputError, match=problem):
        validate(data)


def test_doctype_must_be_our_own_dtd_for_its_root() -> None:
    data = di_bytes(letter())
    with pytest.raises(InputError, match="No declaration for element 函"):
        validate(data.replace(b"104_2_utf8.dtd", b"104_5_utf8.dtd"))
    # Our own file by its full path is valid XML, but not the DOCTYPE a DI file carries.
    full = str(dtd_dir() / "104_2_utf8.dtd").encode()
    with pytest.raises(InputError, match=r"DOCTYPE names .* expected 104_2_utf8\.dtd"):
        validate(data.replace(b'"104_2_utf8.dtd"', b'"' + full + b'"'))


def test_speed_outside_the_dtd_is_refused_before_writing(tmp_path: Path) -> None:
    target = tmp_path / "函.di"
    with pytest.raises(InputError, match="特急件"):
        write_di(target, letter(speed="特急件"))
    assert list(tmp_path.iterdir()) == []


def test_letter_without_receiver_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="受文者"):
        write_di(tmp_path / "函.di", letter(receiver=None))
    assert list(tmp_path.iterdir()) == []


def test_character_xml_cannot_carry_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="主旨/文字"):
        write_di(tmp_path / "函.di", letter(subject="請\x00查照"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    ["../x.pdf", "a/b.pdf", "a\\b.pdf", "..", "C:x.pdf", 'x".pdf', "x'.pdf", "a%b.pdf",
     "a&b.pdf", "a<b>.pdf", "a\nb.pdf", "a\u202eb.pdf", " "],
)  # fmt: skip
def test_attachment_file_must_be_a_bare_name(tmp_path: Path, name: str) -> None:
    assert file_name_problem(name)
    document = letter(attachments=(Attachment("附件", name),))
    with pytest.raises(InputError, match="not a bare file name") as raised:
        write_di(tmp_path / "函.di", document)
    assert repr(name)[1:-1].replace("\\\\", "\\") in str(raised.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["附件一.pdf", "scan 2026-11.pdf", "稽核紀錄表(115上).odt"])
def test_bare_file_names_are_accepted(name: str) -> None:
    assert file_name_problem(name) is None
    validate(di_bytes(letter(attachments=(Attachment("附件", name),))))


# --- reading -------------------------------------------------------------------------


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counting.hits.append(self.path)
        body = b'<!ENTITY leak "FETCHED">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A local HTTP server that records every request: none may arrive."""
    _Counting.hits = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_server_fixture_does_record_requests(server: str) -> None:
    """The control: the server does see a request that is made."""
    import urllib.request

    with urllib.request.urlopen(f"{server}/probe") as response:
        assert response.read() == b'<!ENTITY leak "FETCHED">'
    assert _Counting.hits == ["/probe"]


def test_read_di_summary() -> None:
    summary = read_di(di_bytes(letter(speed="速件")))
    assert (summary.form, summary.speed) == ("函", "速件")
    assert summary.subject.startswith("檢送本處115年上半年")
    assert summary.attachments == ("稽核紀錄表.pdf", "案件抽查表.pdf")


def test_read_di_never_expands_an_external_entity(tmp_path: Path, server: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT-7781", encoding="utf-8")
    for url in (secret.as_uri(), f"{server}/entity"):
        data = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<!DOCTYPE 函 [<!ENTITY x SYSTEM "{url}">]>\n'
            "<函><主旨><文字>&x;</文字></主旨></函>"
        ).encode()
        with pytest.raises(InputError, match="entity") as raised:
            read_di(data)
        assert "SECRET" not in str(raised.value)
    assert _Counting.hits == []


def test_read_di_never_loads_an_external_dtd(tmp_path: Path, server: str) -> None:
    """A DTD that, if loaded, would give 速別 a default 代碼 and 主旨 text: neither
    appears, and the server sees no request for it or for a parameter entity."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(
        '<!ATTLIST 速別 代碼 CDATA "最速件"><!ENTITY s "SECRET-CONTENT-7781">', encoding="utf-8"
    )
    for system in (dtd.as_uri(), str(dtd), f"{server}/evil.dtd"):
        data = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<!DOCTYPE 函 SYSTEM "{system}" [<!ENTITY % p SYSTEM "{server}/p.ent"> %p;]>\n'
            "<函><速別/><主旨><文字>主旨</文字></主旨></函>"
        ).encode()
        summary = read_di(data)
        assert (summary.speed, summary.subject) == ("", "主旨")
    assert _Counting.hits == []


def test_read_di_does_not_expand_billion_laughs() -> None:
    lol = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n else "lol"}">' for n in range(10))
    data = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE 函 [{lol}]>\n'
        "<函><主旨><文字>&lol9;</文字></主旨></函>"
    ).encode()
    started = time.monotonic()
    with pytest.raises(InputError, match="entity"):
        read_di(data)
    assert time.monotonic() - started < 2


def test_validate_loads_nothing_but_our_dtds(tmp_path: Path, server: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT-7781", encoding="utf-8")
    good = di_bytes(letter())
    for url in (f"{server}/104_2_utf8.dtd", str(tmp_path / "104_2_utf8.dtd"), secret.as_uri()):
        with pytest.raises(InputError, match="loads only its own"):
            validate(good.replace(b'"104_2_utf8.dtd"', f'"{url}"'.encode()))
    entity = good.replace(
        b'<!NOTATION DI SYSTEM "">',
        f'<!NOTATION DI SYSTEM ""><!ENTITY x SYSTEM "{secret.as_uri()}">'.encode(),
    ).replace("<署名>處長".encode(), "<署名>&x;處長".encode())
    with pytest.raises(InputError, match="loads only its own") as raised:
        validate(entity)
    assert "SECRET" not in str(raised.value)
    assert _Counting.hits == []


def test_read_di_accepts_a_bom() -> None:
    assert read_di(b"\xef\xbb\xbf" + di_bytes(letter())).form == "函"


def test_read_di_decodes_big5() -> None:
    text = (
        '<?xml version="1.0" encoding="Big5"?>\n'
        '<函><速別 代碼="普通件"/><主旨><文字>檢送稽核紀錄表，請　查照。</文字></主旨></函>'
    )
    data = text.encode("big5")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the control: these are not UTF-8 bytes
    summary = read_di(data)
    assert summary.subject == "檢送稽核紀錄表，請　查照。"
    assert summary.speed == "普通件"


def test_read_di_refuses_other_encodings_and_large_files() -> None:
    with pytest.raises(InputError, match="UTF-8 and Big5"):
        read_di('<?xml version="1.0" encoding="utf-16"?><函/>'.encode("utf-16"))
    with pytest.raises(InputError, match="UTF-8 and Big5"):
        read_di(b'<?xml version="1.0" encoding="iso-8859-1"?><a/>')
    with pytest.raises(InputError, match="more than"):
        read_di(b"<a>" + b" " * MAX_DI_BYTES + b"</a>")


def test_read_di_refuses_malformed_xml() -> None:
    with pytest.raises(InputError, match="not well-formed XML, line 1"):
        read_di("<函><主旨></函>".encode())
