"""A printable sheet of QR labels (PDF, A4, 3 × 8 per page): each with the asset's QR code (its
label, `tenant_apps.assets.labels`), number and name, in reportlab's built-in Chinese font."""

import io
from collections.abc import Sequence

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
COLUMNS, ROWS = 3, 8
QR_SIDE = 24 * mm
# The most labels one sheet is made with (20 pages).
MAX_LABELS = 480

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def labels_pdf(labels: Sequence[tuple[str, str, str]]) -> bytes:
    """The sheet for `labels`: (code, number, name) each."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    width, height = A4
    cell_w, cell_h = width / COLUMNS, height / ROWS
    for index, (code, number, name) in enumerate(labels):
        if index and index % (COLUMNS * ROWS) == 0:
            canvas.showPage()
        spot = index % (COLUMNS * ROWS)
        x = (spot % COLUMNS) * cell_w + 4 * mm
        y = height - (spot // COLUMNS + 1) * cell_h + 6 * mm
        widget = QrCodeWidget(code)
        left, bottom, right, top = widget.getBounds()
        drawing = Drawing(
            QR_SIDE,
            QR_SIDE,
            transform=[QR_SIDE / (right - left), 0, 0, QR_SIDE / (top - bottom), 0, 0],
        )
        drawing.add(widget)
        renderPDF.draw(drawing, canvas, x, y)
        canvas.setFont(FONT, 8)
        canvas.drawString(x + QR_SIDE + 2 * mm, y + 16 * mm, number)
        canvas.drawString(x + QR_SIDE + 2 * mm, y + 11 * mm, name[:12])
    canvas.save()
    return out.getvalue()
