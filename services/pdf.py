"""Shared PDF set-up: a font with full Czech coverage (DejaVu Sans, shipped in static/fonts)."""
from __future__ import annotations

from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Table, TableStyle

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"


def register_fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


def simple_document(title: str, paragraphs: list[str]) -> bytes:
    """A one-page A4 PDF with a title and paragraphs (demo documents, contracts)."""
    import io
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    register_fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm)
    heading = ParagraphStyle("h", fontName=BOLD, fontSize=15, leading=19, spaceAfter=8)
    body = ParagraphStyle("b", fontName=REGULAR, fontSize=10, leading=14, spaceAfter=6)
    story = [Paragraph(escape(title), heading), Spacer(1, 4)]
    story += [Paragraph(escape(p), body) for p in paragraphs]
    doc.build(story)
    return out.getvalue()


def document_styles():
    """(normal, bold, title) paragraph styles in the Czech-capable font."""
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    normal = ParagraphStyle("normal", fontName=REGULAR, fontSize=9, leading=12)
    bold = ParagraphStyle("bold", parent=normal, fontName=BOLD)
    title = ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19)
    return normal, bold, title


def text(value, style):
    """A paragraph of plain text (escaped: names and addresses are user input)."""
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(value)), style)



class QrCode(Flowable):
    """A QR code flowable, drawn as vectors (sharp when printed)."""

    def __init__(self, payload: str, size_mm: float = 38):
        super().__init__()
        self.payload = payload
        self.width = self.height = size_mm * mm

    def draw(self):
        widget = QrCodeWidget(self.payload, barLevel="M")
        x1, y1, x2, y2 = widget.getBounds()
        drawing = Drawing(self.width, self.height,
                          transform=[self.width / (x2 - x1), 0, 0, self.height / (y2 - y1), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, self.canv, 0, 0)


def grid_table(rows, widths, *, header: bool = False, valign: str = "TOP") -> Table:
    """A table with thin grey lines; with `header`, the first row is shaded and repeated on each page."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), valign)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    table.setStyle(TableStyle(style))
    return table
