"""Certificate PDFs: a Jinja template rendered by WeasyPrint that may fetch nothing
but data: URLs (no files, no network), with fonts the system provides."""

import base64
import io
from functools import cache

import qrcode
import qrcode.constants
from flask import render_template

from app.models.certificates import Certificate

# WeasyPrint takes most of a second to load: it is imported the first time a PDF is written,
# so no other page, test or command pays for it.


@cache
def _fetcher():
    from weasyprint.urls import URLFetcher  # lazy: a heavy library

    # Everything a certificate needs is inlined; refuse file: and network URLs.
    return URLFetcher(allowed_protocols=["data"])


@cache
def _fonts():
    from weasyprint.text.fonts import FontConfiguration  # lazy: a heavy library

    return FontConfiguration()


QR_MODULE_PIXELS = 8  # about 300 dots an inch at the certificate's 24 mm


def qr_data_uri(text: str) -> str:
    """The QR code as an 8-bit grey PNG. (As an SVG path, a code's thousand-odd squares took more
    than half the time of writing each certificate's PDF; a PNG is one small image. WeasyPrint
    turns a 1-bit PNG into colour and encodes it twice more; a grey one it embeds as it is.)"""
    # One fixed mask: scanners read any of the eight, and trying each took a third of the QR time.
    code = qrcode.QRCode(border=0, box_size=QR_MODULE_PIXELS, error_correction=qrcode.constants.ERROR_CORRECT_M,
                         mask_pattern=0)
    code.add_data(text)
    buffer = io.BytesIO()
    code.make_image().get_image().convert("L").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def certificates_html(items: list[tuple[Certificate, str, str]]) -> str:
    """One page per (certificate, verify URL, provider name)."""
    return render_template("certificates/certificate.html", items=[
        {"certificate": c, "verify_url": url, "provider_name": provider, "qr": qr_data_uri(url)}
        for c, url, provider in items])


def certificate_html(certificate: Certificate, verify_url: str, provider_name: str) -> str:
    return certificates_html([(certificate, verify_url, provider_name)])


def render_document(html: str):
    from weasyprint import CSS, HTML  # lazy: a heavy library

    return HTML(string=html, url_fetcher=_fetcher()).render(font_config=_fonts(),
                                                            stylesheets=[CSS(string="", font_config=_fonts())])


def render_certificate_pdf(certificate: Certificate, verify_url: str, provider_name: str) -> bytes:
    """One certificate as PDF bytes."""
    return render_document(certificate_html(certificate, verify_url, provider_name)).write_pdf()


def render_many(documents) -> bytes:
    """Several rendered documents as one PDF, a page each."""
    documents = list(documents)
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
