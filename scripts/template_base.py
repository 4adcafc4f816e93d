"""A clean DOCX base of our own for the attachment templates (used by make_templates.py).

Not python-docx's default template: that one carries a theme whose East-Asian
fallback is a Japanese font and ``w:lang w:eastAsia="ja-JP"``. Ours has no theme,
標楷體 on every font slot (``w:eastAsia`` included) in docDefaults and styles,
``zh-TW`` as the East-Asian language, A4 portrait with 2 cm margins.
"""

from __future__ import annotations

import io
import zipfile

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
FONT = "標楷體"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_FONTS = f'<w:rFonts w:ascii="{FONT}" w:eastAsia="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/>'
_LANG = '<w:lang w:val="zh-TW" w:eastAsia="zh-TW" w:bidi="ar-SA"/>'

CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="png" ContentType="image/png"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)

ROOT_RELS = (
    _HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)

DOC_RELS = (
    _HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>'
    "</Relationships>"
)

# A4 portrait (11906 × 16838 twips), 2 cm margins (1134 twips).
DOCUMENT = (
    _HEAD + f"<w:document {W} {R}><w:body>"
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838" w:orient="portrait"/>'
    '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" '
    'w:header="567" w:footer="567" w:gutter="0"/><w:docGrid w:linePitch="360"/></w:sectPr>'
    "</w:body></w:document>"
)


def _style(kind: str, style_id: str, name: str, body: str = "", extra: str = "") -> str:
    return (
        f'<w:style w:type="{kind}" w:styleId="{style_id}"{extra}>'
        f'<w:name w:val="{name}"/>{body}</w:style>'
    )


_BORDER = '<w:{0} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
_GRID_BORDERS = "".join(
    _BORDER.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)
_CELL_MARGINS = (
    '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
    '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
)

STYLES = (
    _HEAD + f"<w:styles {W}>"
    f"<w:docDefaults><w:rPrDefault><w:rPr>{_FONTS}"
    f'<w:kern w:val="2"/><w:sz w:val="24"/><w:szCs w:val="24"/>{_LANG}</w:rPr></w:rPrDefault>'
    '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="300" w:lineRule="auto"/>'
    "</w:pPr></w:pPrDefault></w:docDefaults>"
    + _style(
        "paragraph",
        "Normal",
        "Normal",
        f"<w:qFormat/><w:rPr>{_FONTS}{_LANG}</w:rPr>",
        ' w:default="1"',
    )
    + _style(
        "paragraph",
        "Title",
        "Title",
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>'
        '<w:pPr><w:jc w:val="center"/><w:spacing w:before="120" w:after="120"/></w:pPr>'
        f'<w:rPr>{_FONTS}<w:b/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr>',
    )
    + _style(
        "paragraph",
        "FormHeading",
        "Form Heading",
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>'
        '<w:pPr><w:keepNext/><w:spacing w:before="200" w:after="80"/></w:pPr>'
        f'<w:rPr>{_FONTS}<w:b/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr>',
    )
    + _style(
        "paragraph",
        "TableText",
        "Table Text",
        '<w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:line="260" '
        f'w:lineRule="auto"/></w:pPr><w:rPr>{_FONTS}<w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>',
    )
    + _style(
        "paragraph",
        "Header",
        "header",
        f'<w:basedOn w:val="Normal"/><w:rPr>{_FONTS}<w:sz w:val="18"/></w:rPr>',
    )
    + _style(
        "paragraph",
        "Footer",
        "footer",
        '<w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr>'
        f'<w:rPr>{_FONTS}<w:sz w:val="18"/></w:rPr>',
    )
    + _style(
        "table",
        "TableNormal",
        "Normal Table",
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        f"{_CELL_MARGINS}</w:tblPr>",
        ' w:default="1"',
    )
    + _style(
        "table",
        "TableGrid",
        "Table Grid",
        '<w:basedOn w:val="TableNormal"/><w:tblPr>'
        f"<w:tblBorders>{_GRID_BORDERS}</w:tblBorders>{_CELL_MARGINS}</w:tblPr>",
    )
    + "</w:styles>"
)

SETTINGS = (
    _HEAD + f"<w:settings {W}>"
    '<w:defaultTabStop w:val="480"/><w:characterSpacingControl w:val="compressPunctuation"/>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" '
    'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
    '<w:themeFontLang w:val="en-US" w:eastAsia="zh-TW"/>'
    "</w:settings>"
)

FONT_TABLE = (
    _HEAD + f"<w:fonts {W}>"
    f'<w:font w:name="{FONT}"><w:altName w:val="DFKai-SB"/><w:panose1 w:val="03000509000000000000"/>'
    '<w:charset w:val="88"/><w:family w:val="script"/><w:pitch w:val="fixed"/></w:font>'
    "</w:fonts>"
)

CORE = (
    _HEAD
    + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:creator>docgen</dc:creator><dc:language>zh-TW</dc:language>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
)

APP = (
    _HEAD
    + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>docgen</Application></Properties>"
)


def base_docx(title: str) -> io.BytesIO:
    """A new, empty DOCX package of our own, titled ``title``."""
    out = io.BytesIO()
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "docProps/core.xml": CORE.format(title=title),
        "docProps/app.xml": APP,
        "word/document.xml": DOCUMENT,
        "word/_rels/document.xml.rels": DOC_RELS,
        "word/styles.xml": STYLES,
        "word/settings.xml": SETTINGS,
        "word/fontTable.xml": FONT_TABLE,
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text.encode("utf-8"))
    out.seek(0)
    return out
