"""The commissioning council's name comes from the contract's data: no template names one, and
a certificate and the return's PDF print the council the contract names."""

import io
import re
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from app.certificates.pdf import render_certificate_pdf
from app.council import services as council
from app.extensions import db
from app.returns.outputs import to_pdf
from app.returns.services import build_return

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_no_template_names_a_council():
    named = [f"{path.relative_to(TEMPLATES)}:{n}" for path in TEMPLATES.rglob("*.html")
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"\b(county|borough|city|district|metropolitan)\s+council\b", line, re.I)
             or re.search(r"\bKent\b", line)]
    assert named == []


def test_certificates_and_the_return_name_the_council_from_its_data(world):
    council.set_up_commission(name="Supporting Parents", starts_on=date(2025, 4, 1), term="three_years",
                              extension_years_allowed=0, actor=None, council="Medway Council")
    db.session.commit()
    certificate = _text(render_certificate_pdf(world.certificate, "https://pathway.example.org/verify/x",
                                               world.provider.name))
    assert "Commissioned by Medway Council" in certificate and "Kent" not in certificate
    ret = build_return(start=date(2026, 4, 1), end=date(2026, 6, 30), provider=world.provider)
    assert "commissioned by Medway Council" in _text(to_pdf(ret)).replace("\n", " ")
